import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
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

// Layout: 48-byte preamble, metadata JSON, then the column sections, each padded to 8 bytes and
// little-endian so that every column is a typed-array view over the file's bytes.
// Preamble: magic, version, metadata length, row count, CRC-32 (of every byte of the file but its own
// four), time width, series width, price width, price form, dictionary length, time base (f64),
// price scale (f64). Sections: metadata, price dictionary f64[dictionary length], time, seriesId, price.
// A width of 0 stores the column as f64[n]; 1, 2 or 4 store unsigned integers of that many bytes:
// time as steps from the previous row (the first from the base), seriesId as is, price as an index
// into the dictionary or as a count of 1/scale (decimal). Each column takes the narrowest form that
// gives it back bit for bit, so a cache holds a few bytes per row instead of 20.
const magic = Buffer.from("HSTRACE\0", "latin1");
const version = 4;
const preambleBytes = 48;
const checksumAt = 20;

type Width = 1 | 2 | 4;
type Unsigned = Uint8Array | Uint16Array | Uint32Array;

const priceForm = { f64: 0, dictionary: 1, decimal: 2 } as const;
type StoredPrices =
  | { readonly form: typeof priceForm.f64; readonly values: Float64Array }
  | {
      readonly form: typeof priceForm.dictionary;
      readonly dictionary: Float64Array;
      readonly values: Unsigned;
    }
  | { readonly form: typeof priceForm.decimal; readonly scale: number; readonly values: Unsigned };

type Metadata = Omit<ParsedTrace, "time" | "seriesId" | "price">;

/** One cache file per source path; size and mtime inside say whether it still matches. */
export function cacheFilePath(cacheDir: string, absolutePath: string): string {
  return join(cacheDir, `trace-${createHash("sha256").update(absolutePath).digest("hex").slice(0, 32)}.bin`);
}

function padded(length: number): number {
  return Math.ceil(length / 8) * 8;
}

function widthFor(largest: number): Width {
  return largest < 0x100 ? 1 : largest < 0x10000 ? 2 : 4;
}

function unsigned(width: Width, length: number): Unsigned {
  return width === 1
    ? new Uint8Array(length)
    : width === 2
      ? new Uint16Array(length)
      : new Uint32Array(length);
}

function unsignedView(width: Width, buffer: ArrayBufferLike, at: number, length: number): Unsigned {
  if (width === 1) return new Uint8Array(buffer, at, length);
  return width === 2 ? new Uint16Array(buffer, at, length) : new Uint32Array(buffer, at, length);
}

function narrowed(values: Uint32Array, largest: number): Unsigned {
  const width = widthFor(largest);
  if (width === 4) return values;
  const narrow = unsigned(width, values.length);
  narrow.set(values);
  return narrow;
}

/**
 * Times as whole steps of at most 2^32 - 1 from the previous time, when summing them from `base`
 * gives back every time exactly (sorted times in whole seconds); undefined otherwise.
 */
function encodeTimes(time: Float64Array): { base: number; steps: Unsigned } | undefined {
  const base = time.length > 0 ? time[0] : 0;
  let largest = 0;
  let sum = base;
  for (let i = 0; i < time.length; i++) {
    const step = time[i] - sum;
    // The decoder's own arithmetic, so a time it would not give back (-0, a fraction) falls back to f64.
    if (!(step >= 0 && step <= 0xffffffff && Number.isInteger(step) && Object.is(sum + step, time[i]))) {
      return undefined;
    }
    sum += step;
    if (step > largest) largest = step;
  }
  const steps = unsigned(widthFor(largest), time.length);
  sum = base;
  for (let i = 0; i < time.length; i++) {
    steps[i] = time[i] - sum;
    sum = time[i];
  }
  return { base, steps };
}

function decodeTimes(base: number, steps: Unsigned): Float64Array {
  const time = new Float64Array(steps.length);
  let sum = base;
  for (let i = 0; i < steps.length; i++) {
    sum += steps[i];
    time[i] = sum;
  }
  return time;
}

// Spot prices have at most a few decimals; beyond this many the dictionary or f64 serves.
const maxDecimals = 9;

/**
 * Prices as whole counts of 1/10^d for the fewest decimals d that give every price back bit for bit
 * through the decoder's division; undefined when no d up to maxDecimals does.
 */
function encodeDecimal(price: Float64Array): StoredPrices | undefined {
  const counts = new Uint32Array(price.length);
  let decimals = 0;
  let scale = 1;
  let largest = 0;
  let i = 0;
  while (i < price.length) {
    counts[i] = Math.round(price[i] * scale);
    // Read back as the decoder does: a negative, -0 or too large count does not survive the Uint32Array.
    if (Object.is(counts[i] / scale, price[i])) {
      if (counts[i] > largest) largest = counts[i];
      i++;
    } else if (decimals === maxDecimals) {
      return undefined;
    } else {
      // One more decimal, and every price again with it: d rarely grows past the first rows' needs.
      decimals++;
      scale *= 10;
      largest = 0;
      i = 0;
    }
  }
  return { form: priceForm.decimal, scale, values: narrowed(counts, largest) };
}

/**
 * Prices as indices into their distinct values in order of first appearance; undefined when there are
 * more than `maxDistinct` of them or the dictionary and indices would not be smaller than f64.
 */
function encodeDictionary(price: Float64Array, maxDistinct: number): StoredPrices | undefined {
  const slots = new Map<number, number>();
  const distinct: number[] = [];
  const indices = new Uint32Array(price.length);
  for (let i = 0; i < price.length; i++) {
    const value = price[i];
    let slot = slots.get(value);
    if (slot === undefined) {
      if (distinct.length === maxDistinct) return undefined;
      slot = distinct.length;
      slots.set(value, slot);
      distinct.push(value);
    } else if (!Object.is(distinct[slot], value)) {
      // A Map does not tell -0 from 0.
      return undefined;
    }
    indices[i] = slot;
  }
  const values = narrowed(indices, distinct.length - 1);
  if (distinct.length * 8 + padded(values.byteLength) >= padded(price.length * 8)) return undefined;
  return { form: priceForm.dictionary, dictionary: Float64Array.from(distinct), values };
}

function storedBytes(stored: StoredPrices): number {
  return (
    padded(stored.values.byteLength) +
    (stored.form === priceForm.dictionary ? stored.dictionary.byteLength : 0)
  );
}

/** The smallest stored form of the prices; decimal rather than a dictionary of the same size (no lookups). */
function encodePrices(price: Float64Array): StoredPrices {
  const decimal = encodeDecimal(price);
  // A dictionary can only win with narrower indices than the decimal counts; past half the rows, never.
  const countWidth = decimal?.values.BYTES_PER_ELEMENT;
  const maxDistinct =
    countWidth === undefined
      ? Math.floor(price.length / 2)
      : countWidth === 4
        ? 0x10000
        : countWidth === 2
          ? 0x100
          : 0;
  const dictionary = maxDistinct > 0 ? encodeDictionary(price, maxDistinct) : undefined;
  if (dictionary !== undefined && (decimal === undefined || storedBytes(dictionary) < storedBytes(decimal))) {
    return dictionary;
  }
  return decimal ?? { form: priceForm.f64, values: price };
}

function decodePrices(stored: StoredPrices): Float64Array {
  if (stored.form === priceForm.f64) return stored.values;
  const { values } = stored;
  const price = new Float64Array(values.length);
  if (stored.form === priceForm.decimal) {
    const { scale } = stored;
    for (let i = 0; i < values.length; i++) price[i] = values[i] / scale;
  } else {
    const { dictionary } = stored;
    for (let i = 0; i < values.length; i++) price[i] = dictionary[values[i]];
  }
  return price;
}

function encodeSeries(seriesId: Uint32Array): Unsigned {
  let largest = 0;
  for (let i = 0; i < seriesId.length; i++) if (seriesId[i] > largest) largest = seriesId[i];
  return narrowed(seriesId, largest);
}

/** The stored width of a column: 0 for f64, else bytes per unsigned integer. */
function widthOf(column: Unsigned | Float64Array): 0 | Width {
  return column instanceof Float64Array ? 0 : (column.BYTES_PER_ELEMENT as Width);
}

function bytesOf(column: Unsigned | Float64Array | Buffer): Buffer {
  return Buffer.from(column.buffer, column.byteOffset, column.byteLength);
}

export async function writeCache(cacheDir: string, parsed: ParsedTrace): Promise<void> {
  const { time, seriesId, price, ...metadata } = parsed;
  const metaBytes = Buffer.from(JSON.stringify(metadata satisfies Metadata));
  const times = encodeTimes(time);
  const prices = encodePrices(price);
  const dictionary = prices.form === priceForm.dictionary ? prices.dictionary : new Float64Array(0);
  const series = encodeSeries(seriesId);
  const timeColumn = times?.steps ?? time;
  const sections = [metaBytes, dictionary, timeColumn, series, prices.values].flatMap((section) => {
    const bytes = bytesOf(section);
    const padding = padded(bytes.length) - bytes.length;
    return padding === 0 ? [bytes] : [bytes, Buffer.alloc(padding)];
  });
  const preamble = Buffer.alloc(preambleBytes);
  magic.copy(preamble, 0);
  preamble.writeUInt32LE(version, 8);
  preamble.writeUInt32LE(metaBytes.length, 12);
  preamble.writeUInt32LE(time.length, 16);
  preamble.writeUInt8(widthOf(timeColumn), 24);
  preamble.writeUInt8(widthOf(series), 25);
  preamble.writeUInt8(widthOf(prices.values), 26);
  preamble.writeUInt8(prices.form, 27);
  preamble.writeUInt32LE(dictionary.length, 28);
  preamble.writeDoubleLE(times?.base ?? 0, 32);
  preamble.writeDoubleLE(prices.form === priceForm.decimal ? prices.scale : 0, 40);
  let checksum = crc32(preamble.subarray(checksumAt + 4), crc32(preamble.subarray(0, checksumAt)));
  for (const section of sections) checksum = crc32(section, checksum);
  preamble.writeUInt32LE(checksum, checksumAt);
  await writeFileAtomic(cacheFilePath(cacheDir, parsed.key.path), [preamble, ...sections]);
}

function isWidth(value: number): value is 0 | Width {
  return value === 0 || value === 1 || value === 2 || value === 4;
}

/** The whole file in one buffer of its own, so that its offset 0 is 8-byte aligned for typed views. */
async function readWhole(path: string): Promise<Buffer | undefined> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch {
    return undefined;
  }
  try {
    const { size } = await handle.stat();
    const file = Buffer.allocUnsafeSlow(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(file, filled, size - filled, filled);
      if (bytesRead === 0) return undefined;
      filled += bytesRead;
    }
    return file;
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/** The stored prices of a file whose preamble passed its checks, as views over its bytes. */
function storedPrices(
  file: Buffer,
  form: number,
  width: 0 | Width,
  at: number,
  rows: number,
  dictionaryAt: number,
): StoredPrices {
  const { buffer, byteOffset } = file;
  if (width === 0) return { form: priceForm.f64, values: new Float64Array(buffer, byteOffset + at, rows) };
  const values = unsignedView(width, buffer, byteOffset + at, rows);
  if (form === priceForm.decimal) return { form, scale: file.readDoubleLE(40), values };
  const dictionary = new Float64Array(buffer, byteOffset + dictionaryAt, file.readUInt32LE(28));
  return { form: priceForm.dictionary, dictionary, values };
}

/**
 * The cached parse of the file named by `key`, or undefined when there is none, it belongs to another
 * version of the file, or it fails any check (magic, version, widths, lengths, checksum, metadata).
 */
export async function readCache(cacheDir: string, key: CacheKey): Promise<ParsedTrace | undefined> {
  const file = await readWhole(cacheFilePath(cacheDir, key.path));
  if (
    file === undefined ||
    file.length < preambleBytes ||
    !file.subarray(0, 8).equals(magic) ||
    file.readUInt32LE(8) !== version
  ) {
    return undefined;
  }
  const metaLength = file.readUInt32LE(12);
  const rows = file.readUInt32LE(16);
  const timeWidth = file[24];
  const seriesWidth = file[25];
  const priceWidth = file[26];
  const form = file[27];
  const dictionaryLength = file.readUInt32LE(28);
  if (!isWidth(timeWidth) || !isWidth(priceWidth) || !isWidth(seriesWidth) || seriesWidth === 0)
    return undefined;
  // Width 0 goes with the f64 form only, and only the dictionary form has a dictionary.
  if ((priceWidth === 0) !== (form === priceForm.f64) || form > priceForm.decimal) return undefined;
  if (form !== priceForm.dictionary && dictionaryLength !== 0) return undefined;
  const dictionaryAt = preambleBytes + padded(metaLength);
  const timeAt = dictionaryAt + dictionaryLength * 8;
  const seriesAt = timeAt + padded(rows * (timeWidth || 8));
  const priceAt = seriesAt + padded(rows * seriesWidth);
  if (file.length !== priceAt + padded(rows * (priceWidth || 8))) return undefined;
  const checksum = crc32(file.subarray(checksumAt + 4), crc32(file.subarray(0, checksumAt)));
  if (checksum !== file.readUInt32LE(checksumAt)) return undefined;
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
  const { buffer, byteOffset } = file;
  const time =
    timeWidth === 0
      ? new Float64Array(buffer, byteOffset + timeAt, rows)
      : decodeTimes(file.readDoubleLE(32), unsignedView(timeWidth, buffer, byteOffset + timeAt, rows));
  const series = unsignedView(seriesWidth, buffer, byteOffset + seriesAt, rows);
  return {
    ...metadata,
    time,
    price: decodePrices(storedPrices(file, form, priceWidth, priceAt, rows, dictionaryAt)),
    seriesId: series instanceof Uint32Array ? series : new Uint32Array(series),
  };
}
