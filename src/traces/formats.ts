import { createArchiveTsvParser, looksLikeArchiveLine } from "./parse-archive-tsv.js";
import { createCsvParser, csvColumns } from "./parse-csv.js";
import { createJsonParser } from "./parse-json.js";
import { createTextParser, looksLikeTextLine } from "./parse-text.js";
import type { RowSink } from "./row-sink.js";
import type { ReadLimits, TraceFormatName, ZoneKind } from "./types.js";

/** A format's parser: fed decompressed chunks in order, then `end()`; rows go to its RowSink. */
export interface ChunkParser {
  push(chunk: Buffer): void;
  end(): void;
}

export interface TraceFormat {
  readonly name: TraceFormatName;
  /** What the format looks like, for the message when no format matches. */
  readonly looksLike: string;
  readonly zoneKind: ZoneKind;
  /** How a row is named in messages: `file:line`, or `file: record N (line L)` for JSON. */
  readonly locate: (file: string, n: number, line: number) => string;
  /** Whether the file's first line (BOM and leading blank space removed) is this format. */
  readonly detect: (firstLine: string) => boolean;
  readonly createParser: (file: string, sink: RowSink, limits: ReadLimits) => ChunkParser;
}

const byLine = (file: string, _n: number, line: number) => `${file}:${line}`;

/** Every trace format hotspot reads, in the order auto-detection tries them. */
export const traceFormats = {
  json: {
    name: "json",
    looksLike: '{"SpotPriceHistory": [...]} (aws ec2 describe-spot-price-history --output json)',
    zoneKind: "zone-name",
    locate: (file, n, line) => `${file}: record ${n} (line ${line})`,
    detect: (firstLine) => firstLine.startsWith("{"),
    createParser: createJsonParser,
  },
  text: {
    name: "text",
    looksLike: "SPOTPRICEHISTORY<TAB>zone<TAB>type<TAB>product<TAB>price<TAB>timestamp lines (--output text)",
    zoneKind: "zone-name",
    locate: byLine,
    detect: looksLikeTextLine,
    createParser: createTextParser,
  },
  "archive-tsv": {
    name: "archive-tsv",
    looksLike: "headerless zoneId<TAB>type<TAB>product<TAB>price<TAB>timestamp lines (monthly archive)",
    zoneKind: "zone-id",
    locate: byLine,
    detect: looksLikeArchiveLine,
    createParser: createArchiveTsvParser,
  },
  csv: {
    name: "csv",
    looksLike: `a CSV header naming ${csvColumns.join(", ")}`,
    zoneKind: "zone-name",
    locate: byLine,
    // A comma-separated first line naming any required column: a missing column is then reported by name.
    detect: (firstLine) => firstLine.includes(",") && csvColumns.some((name) => firstLine.includes(name)),
    createParser: createCsvParser,
  },
} as const satisfies { readonly [N in TraceFormatName]: TraceFormat & { readonly name: N } };

/** The first format whose `detect` accepts the first line, or undefined. */
export function detectFormat(firstLine: string): TraceFormat | undefined {
  return Object.values(traceFormats).find((format: TraceFormat) => format.detect(firstLine));
}
