/** Receives each line as a byte range of `bytes`, without its `\n` or `\r\n`; `line` is 1-based. */
export type LineHandler = (bytes: Uint8Array, start: number, end: number, line: number) => void;

/**
 * Splits a stream of chunks into lines without decoding them to strings. A line that spans chunks
 * is joined once; every other line is handed over as a range of the chunk it lies in.
 */
export class LineSplitter {
  private rest: Buffer | null = null;
  private line = 0;

  constructor(private readonly onLine: LineHandler) {}

  push(chunk: Buffer): void {
    let from = 0;
    if (this.rest !== null) {
      const newline = chunk.indexOf(10);
      if (newline < 0) {
        this.rest = Buffer.concat([this.rest, chunk]);
        return;
      }
      const joined = Buffer.concat([this.rest, chunk.subarray(0, newline)]);
      this.rest = null;
      this.emit(joined, 0, joined.length);
      from = newline + 1;
    }
    const length = chunk.length;
    while (from < length) {
      const newline = chunk.indexOf(10, from);
      if (newline < 0) {
        this.rest = chunk.subarray(from);
        return;
      }
      this.emit(chunk, from, newline);
      from = newline + 1;
    }
  }

  /** Emits the last line when the input does not end with a newline. */
  end(): void {
    if (this.rest !== null && this.rest.length > 0) this.emit(this.rest, 0, this.rest.length);
    this.rest = null;
  }

  private emit(bytes: Uint8Array, start: number, end: number): void {
    this.line++;
    this.onLine(bytes, start, end > start && bytes[end - 1] === 13 ? end - 1 : end, this.line);
  }
}

/**
 * Splits `bytes[start, end)` at tabs into `starts`/`ends` (up to their length) and returns the number
 * of fields, which may exceed the arrays' length.
 */
export function splitTabs(
  bytes: Uint8Array,
  start: number,
  end: number,
  starts: Int32Array,
  ends: Int32Array,
): number {
  const limit = starts.length;
  let count = 0;
  let fieldStart = start;
  for (let at = start; at < end; at++) {
    if (bytes[at] !== 9) continue;
    if (count < limit) {
      starts[count] = fieldStart;
      ends[count] = at;
    }
    count++;
    fieldStart = at + 1;
  }
  if (count < limit) {
    starts[count] = fieldStart;
    ends[count] = end;
  }
  return count + 1;
}
