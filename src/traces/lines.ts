import { InputFormatError } from "../errors.js";

/** Receives each line as a byte range of `bytes`, without its `\n` or `\r\n`; `line` is 1-based. */
export type LineHandler = (bytes: Uint8Array, start: number, end: number, line: number) => void;

/**
 * Splits a stream of chunks into lines without decoding them to strings. A line that spans chunks
 * is gathered as pieces and joined once; every other line is handed over as a range of the chunk it
 * lies in. A line longer than `maxLineBytes` is an error at its line, found before it is all read.
 */
export class LineSplitter {
  private pieces: Buffer[] = [];
  private pending = 0;
  private line = 0;

  constructor(
    private readonly onLine: LineHandler,
    private readonly file: string,
    private readonly maxLineBytes: number,
  ) {}

  push(chunk: Buffer): void {
    let from = 0;
    if (this.pieces.length > 0) {
      const newline = chunk.indexOf(10);
      if (newline < 0) {
        this.keep(chunk);
        return;
      }
      this.keep(chunk.subarray(0, newline));
      const joined = Buffer.concat(this.pieces, this.pending);
      this.pieces = [];
      this.pending = 0;
      this.emit(joined, 0, joined.length);
      from = newline + 1;
    }
    const length = chunk.length;
    while (from < length) {
      const newline = chunk.indexOf(10, from);
      if (newline < 0) {
        this.keep(chunk.subarray(from));
        return;
      }
      if (newline - from > this.maxLineBytes) this.tooLong(newline - from);
      this.emit(chunk, from, newline);
      from = newline + 1;
    }
  }

  /** Emits the last line when the input does not end with a newline. */
  end(): void {
    if (this.pending > 0) {
      const joined = Buffer.concat(this.pieces, this.pending);
      this.emit(joined, 0, joined.length);
    }
    this.pieces = [];
    this.pending = 0;
  }

  // Holds part of an unfinished line; the line is refused as soon as it passes the limit.
  private keep(piece: Buffer): void {
    this.pending += piece.length;
    if (this.pending > this.maxLineBytes) this.tooLong(this.pending);
    this.pieces.push(piece);
  }

  private tooLong(bytes: number): never {
    throw new InputFormatError(
      `${this.file}:${this.line + 1}`,
      `a line of at most ${this.maxLineBytes.toLocaleString("en-US")} bytes (raise the limit with --max-line-bytes)`,
      `a line of more than ${this.maxLineBytes.toLocaleString("en-US")} bytes (${bytes.toLocaleString("en-US")} read)`,
    );
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
