import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { writeFileAtomic } from "../util/atomic-write.js";
import type { BadRow, SkipReport, TimedRow } from "./row-sink.js";
import type { SeriesKey, TraceFormatName, ZoneKind } from "./types.js";

/** Identifies the source file a cache entry was made from; any change makes the entry stale. */
export interface CacheKey {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  // Restoring mtime after a same-size edit (touch -d) cannot restore ctime, which the kernel sets.
  readonly ino: number;
  readonly ctimeMs: number;
}

/** A parsed file before filtering: what the cache stores and what a cold parse produces. */
export interface ParsedTrace {
  readonly key: CacheKey;
  /** The path as the caller gave it, which messages about bad rows name. */
  readonly shownPath: string;
  readonly format: TraceFormatName;
  readonly gzip: boolean;
  readonly sha256: string;
  readonly zoneKind: ZoneKind;
  readonly series: readonly SeriesKey[];
  readonly rowsRead: number;
  readonly duplicatesDropped: number;
  readonly conflictsDropped: number;
  readonly skipped: SkipReport;
  /** The first bad row skipped, re-raised when a later load does not skip bad rows. */
  readonly firstBadRow: BadRow | null;
  /** The rows of the earliest and latest time, checked against the plausible range on every load. */
  readonly extremes: { readonly earliest: TimedRow; readonly latest: TimedRow } | null;
  readonly time: Float64Array;
  readonly seriesId: Uint32Array;
  readonly price: Float64Array;
}

// Layout: 32-byte preamble (magic, version, metadata length, row count, CRC-32 of everything after
// the preamble, 8 reserved bytes), metadata JSON padded to 8 bytes, then time f64[n], price f64[n],
// seriesId u32[n], little-endian, so the columns are typed-array views over the file's bytes.
const magic = Buffer.from("HSTRACE\0", "latin1");
const version = 3;
const preambleBytes = 32;

type Metadata = Omit<ParsedTrace, "time" | "seriesId" | "price">;

/** One cache file per source path; size and mtime inside say whether it still matches. */
export function cacheFilePath(cacheDir: string, absolutePath: string): string {
  return join(cacheDir, `trace-${createHash("sha256").update(absolutePath).digest("hex").slice(0, 32)}.bin`);
}

function padded(length: number): number {
  return Math.ceil(length / 8) * 8;
}

export async function writeCache(cacheDir: string, parsed: ParsedTrace): Promise<void> {
  const { time, seriesId, price, ...metadata } = parsed;
  const metaBytes = Buffer.from(JSON.stringify(metadata satisfies Metadata));
  const meta = Buffer.alloc(padded(metaBytes.length));
  metaBytes.copy(meta);
  const columns = [time, price, seriesId].map((column) =>
    Buffer.from(column.buffer, column.byteOffset, column.byteLength),
  );
  let checksum = crc32(meta);
  for (const column of columns) checksum = crc32(column, checksum);
  const preamble = Buffer.alloc(preambleBytes);
  magic.copy(preamble, 0);
  preamble.writeUInt32LE(version, 8);
  preamble.writeUInt32LE(metaBytes.length, 12);
  preamble.writeUInt32LE(time.length, 16);
  preamble.writeUInt32LE(checksum, 20);
  await writeFileAtomic(cacheFilePath(cacheDir, parsed.key.path), [preamble, meta, ...columns]);
}

/**
 * The cached parse of the file named by `key`, or undefined when there is none, it belongs to another
 * version of the file, or it fails any check (magic, version, lengths, checksum, metadata).
 */
export async function readCache(cacheDir: string, key: CacheKey): Promise<ParsedTrace | undefined> {
  let file: Buffer;
  try {
    file = await readFile(cacheFilePath(cacheDir, key.path));
  } catch {
    return undefined;
  }
  if (file.length < preambleBytes || !file.subarray(0, 8).equals(magic) || file.readUInt32LE(8) !== version) {
    return undefined;
  }
  const metaLength = file.readUInt32LE(12);
  const rows = file.readUInt32LE(16);
  const columnsAt = preambleBytes + padded(metaLength);
  if (file.length !== columnsAt + rows * 20) return undefined;
  if (crc32(file.subarray(preambleBytes)) !== file.readUInt32LE(20)) return undefined;
  let metadata: Metadata;
  try {
    metadata = JSON.parse(file.toString("utf8", preambleBytes, preambleBytes + metaLength)) as Metadata;
  } catch {
    return undefined;
  }
  const stored = metadata.key;
  if (
    stored?.path !== key.path ||
    stored.size !== key.size ||
    stored.mtimeMs !== key.mtimeMs ||
    stored.ino !== key.ino ||
    stored.ctimeMs !== key.ctimeMs
  )
    return undefined;
  // Typed views need 8-byte alignment of the underlying buffer; copy in the rare case it is not.
  const bytes = file.byteOffset % 8 === 0 ? file : Buffer.from(Uint8Array.from(file).buffer);
  const base = bytes.byteOffset + columnsAt;
  return {
    ...metadata,
    time: new Float64Array(bytes.buffer, base, rows),
    price: new Float64Array(bytes.buffer, base + rows * 8, rows),
    seriesId: new Uint32Array(bytes.buffer, base + rows * 16, rows),
  };
}
