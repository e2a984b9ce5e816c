import type { ChunkParser } from "./formats.js";
import { LineSplitter, splitTabs } from "./lines.js";
import type { RowSink } from "./row-sink.js";
import type { ReadLimits } from "./types.js";

const rowTag = Buffer.from("SPOTPRICEHISTORY");
const nextTokenTag = Buffer.from("NEXTTOKEN");

function startsWith(bytes: Uint8Array, start: number, end: number, tag: Buffer): boolean {
  if (end - start < tag.length) return false;
  for (let i = 0; i < tag.length; i++) if (bytes[start + i] !== tag[i]) return false;
  return true;
}

/** True when a line opens with `SPOTPRICEHISTORY<TAB>` or is a `NEXTTOKEN` line (format detection). */
export function looksLikeTextLine(line: string): boolean {
  return line.startsWith("SPOTPRICEHISTORY\t") || line.startsWith("NEXTTOKEN");
}

/**
 * `aws ec2 describe-spot-price-history --output text`: the CLI prints a record's keys sorted by name,
 * so a row is `SPOTPRICEHISTORY zone type product price timestamp`, tab-separated. The pagination
 * line `NEXTTOKEN <token>` carries no price and is passed over.
 */
export function createTextParser(file: string, sink: RowSink, limits: ReadLimits): ChunkParser {
  const starts = new Int32Array(6);
  const ends = new Int32Array(6);
  const lines = new LineSplitter(
    (bytes, start, end, line) => {
      if (start === end || startsWith(bytes, start, end, nextTokenTag)) return;
      sink.startRow();
      const count = splitTabs(bytes, start, end, starts, ends);
      if (ends[0] - starts[0] !== rowTag.length || !startsWith(bytes, start, end, rowTag)) {
        const first = Buffer.from(
          bytes.buffer,
          bytes.byteOffset + starts[0],
          Math.min(ends[0] - starts[0], 40),
        );
        sink.fail(
          "line",
          "a line starting SPOTPRICEHISTORY<TAB> or NEXTTOKEN",
          JSON.stringify(first.toString("utf8")),
          0,
          line,
        );
        return;
      }
      if (count !== 6) {
        sink.fail(
          "fields",
          "6 tab-separated fields (SPOTPRICEHISTORY, zone, type, product, price, timestamp)",
          `${count} fields`,
          0,
          line,
        );
        return;
      }
      for (let k = 1; k <= 3; k++) sink.keyPart(bytes, starts[k], ends[k]);
      sink.commit(bytes, starts[4], ends[4], bytes, starts[5], ends[5], 0, line);
    },
    file,
    limits.maxLineBytes,
  );
  return { push: (chunk) => lines.push(chunk), end: () => lines.end() };
}
