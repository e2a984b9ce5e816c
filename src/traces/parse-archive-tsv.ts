import type { ChunkParser } from "./formats.js";
import { LineSplitter, splitTabs } from "./lines.js";
import type { RowSink } from "./row-sink.js";
import type { ReadLimits } from "./types.js";

const zoneIdField = /^[a-z]+\d+-[a-z0-9-]*az\d+$/;

/** True when a line is tab-separated and starts with a zone ID (format detection; the field count is checked per row). */
export function looksLikeArchiveLine(line: string): boolean {
  const tab = line.indexOf("\t");
  return tab > 0 && zoneIdField.test(line.slice(0, tab));
}

/**
 * The public monthly archive: headerless `zoneId type product price timestamp`, tab-separated.
 * Zones stay zone IDs (`use1-az4`): which name they have differs per AWS account.
 */
export function createArchiveTsvParser(file: string, sink: RowSink, limits: ReadLimits): ChunkParser {
  const starts = new Int32Array(5);
  const ends = new Int32Array(5);
  const lines = new LineSplitter(
    (bytes, start, end, line) => {
      if (start === end) return;
      sink.startRow();
      const count = splitTabs(bytes, start, end, starts, ends);
      if (count !== 5) {
        sink.fail(
          "fields",
          "5 tab-separated fields (zone ID, type, product, price, timestamp)",
          `${count} fields`,
          0,
          line,
        );
        return;
      }
      for (let k = 0; k < 3; k++) sink.keyPart(bytes, starts[k], ends[k]);
      sink.commit(bytes, starts[3], ends[3], bytes, starts[4], ends[4], 0, line);
    },
    file,
    limits.maxLineBytes,
  );
  return { push: (chunk) => lines.push(chunk), end: () => lines.end() };
}
