import { InputFormatError, shown } from "../errors.js";
import type { ChunkParser } from "./formats.js";
import { fnvStart, fnvStep } from "./columns.js";
import { LineSplitter } from "./lines.js";
import type { RowSink } from "./row-sink.js";
import type { ReadLimits } from "./types.js";

/** The columns a CSV trace must name, in the order the key, price and time are read. */
export const csvColumns = [
  "AvailabilityZone",
  "InstanceType",
  "ProductDescription",
  "SpotPrice",
  "Timestamp",
] as const;

/** Splits a header line into names, honouring quotes (headers are few: strings are fine here). */
function headerNames(line: string): string[] {
  const names: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      names.push(field.trim());
      field = "";
    } else field += c;
  }
  names.push(field.trim());
  return names;
}

/**
 * CSV with a header naming the five columns in any order (others ignored). Fields may be quoted
 * (`""` inside quotes is a quote); a quoted field may not span lines.
 */
export function createCsvParser(file: string, sink: RowSink, limits: ReadLimits): ChunkParser {
  let columnOf: Int32Array | null = null;
  let fieldCount = 0;
  let starts = new Int32Array(8);
  let ends = new Int32Array(8);
  let quotedAt = new Uint8Array(8);
  // With zone, type and product as the first three columns (the AWS export order), the key's hash
  // is folded in while splitting, so the key bytes are read once.
  let keyInFront = false;
  let frontHash = fnvStart;

  function readHeader(bytes: Uint8Array, start: number, end: number, line: number): void {
    const names = headerNames(
      Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("utf8"),
    );
    const missing = csvColumns.filter((name) => !names.includes(name));
    if (missing.length > 0) {
      throw new InputFormatError(
        `${file}:${line}`,
        `a header naming ${csvColumns.join(", ")} (missing: ${missing.join(", ")})`,
        `header ${shown(names.join(","), 120)}`,
      );
    }
    columnOf = Int32Array.from(csvColumns, (name) => names.indexOf(name));
    fieldCount = names.length;
    starts = new Int32Array(fieldCount + 1);
    ends = new Int32Array(fieldCount + 1);
    quotedAt = new Uint8Array(fieldCount + 1);
    keyInFront = columnOf[0] === 0 && columnOf[1] === 1 && columnOf[2] === 2;
  }

  // Fills starts/ends with field contents (quotes excluded); returns the field count, or -1-position of a bad quote.
  function splitFields(bytes: Uint8Array, start: number, end: number): number {
    let count = 0;
    let at = start;
    const limit = starts.length;
    for (;;) {
      let fieldEnd: number;
      let next: number;
      if (at < end && bytes[at] === 34) {
        let close = at + 1;
        for (;;) {
          while (close < end && bytes[close] !== 34) close++;
          if (close >= end) return -1 - at;
          if (bytes[close + 1] === 34 && close + 1 < end) close += 2;
          else break;
        }
        if (count < limit) {
          starts[count] = at + 1;
          ends[count] = close;
          quotedAt[count] = 1;
        }
        fieldEnd = close + 1;
        if (fieldEnd < end && bytes[fieldEnd] !== 44) return -1 - fieldEnd;
        next = fieldEnd;
      } else if (count < 3 && keyInFront) {
        let hash = count === 0 ? fnvStart : fnvStep(frontHash, 9);
        fieldEnd = at;
        for (let c = bytes[fieldEnd]; fieldEnd < end && c !== 44; c = bytes[++fieldEnd])
          hash = fnvStep(hash, c);
        frontHash = hash;
        if (count < limit) {
          starts[count] = at;
          ends[count] = fieldEnd;
          quotedAt[count] = 0;
        }
        next = fieldEnd;
      } else {
        fieldEnd = at;
        while (fieldEnd < end && bytes[fieldEnd] !== 44) fieldEnd++;
        if (count < limit) {
          starts[count] = at;
          ends[count] = fieldEnd;
          quotedAt[count] = 0;
        }
        next = fieldEnd;
      }
      count++;
      if (next >= end) return count;
      at = next + 1;
    }
  }

  function onLine(bytes: Uint8Array, start: number, end: number, line: number): void {
    if (start === end) return;
    const columns = columnOf;
    if (columns === null) {
      readHeader(bytes, start, end, line);
      return;
    }
    sink.startRow();
    const count = splitFields(bytes, start, end);
    if (count < 0) {
      const at = -1 - count;
      sink.fail(
        "quoting",
        "fields separated by commas, quoted fields closed on the same line",
        `${shown(Buffer.from(bytes.buffer, bytes.byteOffset + at, Math.min(end - at, 40)).toString("utf8"))} at column ${at - start + 1}`,
        0,
        line,
      );
      return;
    }
    if (count !== fieldCount) {
      sink.fail("fields", `${fieldCount} fields as in the header`, `${count} fields`, 0, line);
      return;
    }
    if (keyInFront && quotedAt[0] + quotedAt[1] + quotedAt[2] === 0) {
      sink.keyFields(bytes, starts[0], ends[0], starts[1], ends[1], starts[2], ends[2], frontHash);
    } else {
      for (let k = 0; k < 3; k++) {
        const field = columns[k];
        sink.keyPart(bytes, starts[field], ends[field], quotedAt[field] === 1);
      }
    }
    const price = columns[3];
    const time = columns[4];
    sink.commit(bytes, starts[price], ends[price], bytes, starts[time], ends[time], 0, line);
  }

  const lines = new LineSplitter(onLine, file, limits.maxLineBytes);
  return {
    push: (chunk) => lines.push(chunk),
    end: () => {
      lines.end();
      if (columnOf === null) throw new InputFormatError(file, "a CSV header line", "no lines");
    },
  };
}
