import { createHash } from "node:crypto";
import { mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InputFormatError } from "../../src/errors.js";
import { crc32 } from "node:zlib";
import {
  cacheFilePath,
  readCache,
  writeCache,
  type CacheKey,
  type ParsedTrace,
} from "../../src/traces/cache.js";
import { loadTrace } from "../../src/traces/load.js";
import type { Trace } from "../../src/traces/types.js";
import { itWithTraces, sharedTrace } from "../support/shared-traces.js";

const realTrace = sharedTrace("spot/us-east-1_2016-03-01_2016-03-21.csv");
const allRealTraces = [
  "spot/us-east-1_2016-03-01_2016-03-21.csv",
  "spot/us-east-1_2021-03-02_2021-05-31.csv",
  "raw/describe-spot-price-history_2016_m1.small_us-east-1a.json",
  "raw/describe-spot-price-history_2021_p3.2xlarge_us-east-1.json",
].map(sharedTrace);
const header = "AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp";
let dir: string;
let cacheDir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-cache-"));
  cacheDir = join(dir, "cache");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function withoutCacheFlag(trace: Trace) {
  return { ...trace, report: { ...trace.report, fromCache: null } };
}

/** A column's bytes, so that comparisons tell -0 from 0 and see every bit. */
function bits(column: Float64Array | Uint32Array): Buffer {
  return Buffer.from(column.buffer, column.byteOffset, column.byteLength);
}

// The preamble (48 bytes): widths of time, seriesId and price at 24..26 (0 = f64), the price form at 27.
const preambleBytes = 48;
const priceForm = { f64: 0, dictionary: 1, decimal: 2 };

/** How a cache file stores its columns, and how many bytes they take after the metadata. */
function layoutOf(file: Buffer) {
  const metadataEnd = preambleBytes + Math.ceil(file.readUInt32LE(12) / 8) * 8;
  return {
    timeWidth: file[24],
    seriesWidth: file[25],
    priceWidth: file[26],
    priceForm: file[27],
    columnBytes: file.length - metadataEnd,
  };
}

const storedKey: CacheKey = { path: "/nowhere/trace.csv", size: 1, mtimeMs: 2, ino: 3, ctimeMs: 4 };

/** A parse of `storedKey` with these columns, for writing and reading the cache directly. */
function parsedOf(
  time: ArrayLike<number>,
  seriesId: ArrayLike<number>,
  price: ArrayLike<number>,
): ParsedTrace {
  let seriesCount = 0;
  for (let i = 0; i < seriesId.length; i++) seriesCount = Math.max(seriesCount, seriesId[i] + 1);
  return {
    key: storedKey,
    shownPath: storedKey.path,
    format: "csv",
    gzip: false,
    sha256: "0".repeat(64),
    zoneKind: "zone-name",
    series: Array.from({ length: seriesCount }, (_, i) => ({
      zone: "us-east-1a",
      instanceType: `m${i}.large`,
      product: "Linux/UNIX",
    })),
    rowsRead: time.length,
    duplicatesDropped: 0,
    conflictsDropped: 0,
    skipped: { count: 0, byReason: {}, examples: [] },
    firstBadRow: null,
    extremes: null,
    time: Float64Array.from(time),
    seriesId: Uint32Array.from(seriesId),
    price: Float64Array.from(price),
  };
}

/** Writes `parsed`, reads it back, checks every bit came back, and returns how it was stored. */
async function roundTrip(parsed: ParsedTrace) {
  await writeCache(cacheDir, parsed);
  const back = await readCache(cacheDir, storedKey);
  expect(back).toBeDefined();
  expect(bits(back!.time)).toEqual(bits(parsed.time));
  expect(bits(back!.seriesId)).toEqual(bits(parsed.seriesId));
  expect(bits(back!.price)).toEqual(bits(parsed.price));
  expect({ ...back!, time: null, seriesId: null, price: null }).toEqual({
    ...parsed,
    time: null,
    seriesId: null,
    price: null,
  });
  return layoutOf(await readFile(cacheFilePath(cacheDir, storedKey.path)));
}

const t0 = Date.UTC(2021, 2, 2) / 1000;
const steps = (n: number, step: number) => Array.from({ length: n }, (_, i) => t0 + i * step);
const zeros = (n: number) => new Array<number>(n).fill(0);
const cycle = (n: number, values: number[]) => Array.from({ length: n }, (_, i) => values[i % values.length]);

async function source(lines: string[]): Promise<string> {
  const path = join(dir, "trace.csv");
  await writeFile(path, [header, ...lines].join("\n") + "\n");
  return path;
}

describe("columnar cache", () => {
  itWithTraces(
    "a warm load equals the cold one, for a real trace and with filters applied after the cache",
    async () => {
      const options = { cacheDir, start: Date.UTC(2016, 2, 10) / 1000, types: ["m3.medium", "c3.large"] };
      const cold = await loadTrace(realTrace, options);
      const warm = await loadTrace(realTrace, options);
      expect(cold.report.fromCache).toBe(false);
      expect(warm.report.fromCache).toBe(true);
      expect(withoutCacheFlag(warm)).toEqual(withoutCacheFlag(cold));
      const unfilteredWarm = await loadTrace(realTrace, { cacheDir });
      const unfilteredCold = await loadTrace(realTrace, { cacheDir: false });
      expect(unfilteredWarm.report.fromCache).toBe(true);
      expect(withoutCacheFlag(unfilteredWarm)).toEqual(withoutCacheFlag(unfilteredCold));
    },
  );

  itWithTraces("gives back the parser's columns bit for bit for every real trace", async () => {
    for (const path of allRealTraces) {
      await loadTrace(path, { cacheDir });
      const { size, mtimeMs, ino, ctimeMs } = await stat(path);
      const warm = await readCache(cacheDir, { path, size, mtimeMs, ino, ctimeMs });
      expect(warm).toBeDefined();
      const products = [...new Set(warm!.series.map((key) => key.product))];
      // With every product kept and no window the filter hands back the parser's own columns.
      const cold = await loadTrace(path, { cacheDir: false, products });
      expect(cold.series).toEqual(warm!.series);
      expect(bits(warm!.time)).toEqual(bits(cold.time));
      expect(bits(warm!.seriesId)).toEqual(bits(cold.seriesId));
      expect(bits(warm!.price)).toEqual(bits(cold.price));
      const file = await readFile(cacheFilePath(cacheDir, path));
      // Whole seconds, fewer than 256 series; prices by dictionary or decimal, never f64.
      expect(layoutOf(file)).toMatchObject({ seriesWidth: 1 });
      expect(layoutOf(file).timeWidth).toBeGreaterThan(0);
      expect(layoutOf(file).priceForm).not.toBe(priceForm.f64);
    }
    const real2016 = await readFile(cacheFilePath(cacheDir, realTrace));
    // 82,258 rows: time steps up to 31,780 s (u16), 35 series (u8), 6,186 distinct prices with up to
    // 6 decimals up to 26 USD, so u16 dictionary indices beat u32 decimal counts: 5 bytes a row, each
    // column padded to 8 bytes (164,516 to 164,520; 82,258 to 82,264) after the 6,186-price dictionary.
    expect(layoutOf(real2016)).toEqual({
      timeWidth: 2,
      seriesWidth: 1,
      priceWidth: 2,
      priceForm: priceForm.dictionary,
      columnBytes: 6186 * 8 + 164_520 + 82_264 + 164_520,
    });
  });

  it("keeps parse-time facts: duplicates, conflicts, skipped rows and the source hash", async () => {
    const path = await source([
      "us-east-1a,m5.large,Linux/UNIX,0.1,2021-03-02T00:00:00Z",
      "us-east-1a,m5.large,Linux/UNIX,0.1,2021-03-02T00:00:00Z",
      "us-east-1a,m5.large,Linux/UNIX,0.2,2021-03-02T00:00:00Z",
      "us-east-1a,m5.large,Linux/UNIX,oops,2021-03-02T01:00:00Z",
    ]);
    const cold = await loadTrace(path, { cacheDir, skipBadRows: true });
    const warm = await loadTrace(path, { cacheDir, skipBadRows: true });
    expect(warm.report).toEqual({ ...cold.report, fromCache: true });
    expect(warm.report.duplicatesDropped).toBe(1);
    expect(warm.report.conflictsDropped).toBe(1);
    expect(warm.report.skipped.count).toBe(1);
    expect(warm.source).toEqual(cold.source);
  });

  it("a cache made while skipping bad rows does not let a strict load succeed", async () => {
    const path = await source(["us-east-1a,m5.large,Linux/UNIX,oops,2021-03-02T01:00:00Z"]);
    await loadTrace(path, { cacheDir, skipBadRows: true });
    const error = await loadTrace(path, { cacheDir }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputFormatError);
    expect((error as Error).message).toBe(
      `${path}:2: expected a SpotPrice in USD (a decimal number such as 0.0162), found "oops"`,
    );
  });

  it("re-parses a cache with skipped rows when the file is named another way, so messages name it as given", async () => {
    const path = await source(["us-east-1a,m5.large,Linux/UNIX,oops,2021-03-02T01:00:00Z"]);
    await loadTrace(path, { cacheDir, skipBadRows: true });
    const other = join(dir, ".", "trace.csv").replace(dir, `${dir}/.`);
    const trace = await loadTrace(other, { cacheDir, skipBadRows: true });
    expect(trace.report.fromCache).toBe(false);
    expect(trace.report.skipped.examples[0]).toBe(
      `${other}:2: expected a SpotPrice in USD (a decimal number such as 0.0162), found "oops"`,
    );
    expect((await loadTrace(other, { cacheDir, skipBadRows: true })).report.fromCache).toBe(true);
  });

  it("is invalidated when the file changes size or mtime", async () => {
    const path = await source(["us-east-1a,m5.large,Linux/UNIX,0.1,2021-03-02T00:00:00Z"]);
    await loadTrace(path, { cacheDir });
    await source(["us-east-1a,m5.large,Linux/UNIX,0.25,2021-03-02T00:00:00Z"]);
    const changedSize = await loadTrace(path, { cacheDir });
    expect(changedSize.report.fromCache).toBe(false);
    expect(Array.from(changedSize.price)).toEqual([0.25]);
    expect((await loadTrace(path, { cacheDir })).report.fromCache).toBe(true);
    // Same size, other content, new mtime.
    await source(["us-east-1a,m5.large,Linux/UNIX,0.35,2021-03-02T00:00:00Z"]);
    await utimes(path, new Date(2030, 0, 1), new Date(2030, 0, 1));
    const changedTime = await loadTrace(path, { cacheDir });
    expect(changedTime.report.fromCache).toBe(false);
    expect(Array.from(changedTime.price)).toEqual([0.35]);
    expect(await readdir(cacheDir)).toHaveLength(1);
  });

  it("serves no stale prices after a same-size edit whose mtime was restored (ctime still moves)", async () => {
    const path = await source(["us-east-1a,m5.large,Linux/UNIX,0.15,2021-03-02T00:00:00Z"]);
    const first = await loadTrace(path, { cacheDir });
    const { mtime } = await stat(path);
    expect((await loadTrace(path, { cacheDir })).report.fromCache).toBe(true);
    await source(["us-east-1a,m5.large,Linux/UNIX,0.95,2021-03-02T00:00:00Z"]);
    await utimes(path, mtime, mtime);
    const edited = await loadTrace(path, { cacheDir });
    expect(edited.report.fromCache).toBe(false);
    expect(Array.from(edited.price)).toEqual([0.95]);
    expect(edited.source.sha256).not.toBe(first.source.sha256);
    expect(edited.source.sha256).toBe(
      createHash("sha256")
        .update(await readFile(path))
        .digest("hex"),
    );
  });

  it("ignores a corrupt cache (any flipped byte), re-parses and rewrites it", async () => {
    const path = await source([
      "us-east-1a,m5.large,Linux/UNIX,0.1,2021-03-02T00:00:00Z",
      "us-east-1b,m5.large,Linux/UNIX,0.2,2021-03-02T00:00:00Z",
    ]);
    const cold = await loadTrace(path, { cacheDir });
    const cacheFile = cacheFilePath(cacheDir, resolve(path));
    const good = await readFile(cacheFile);
    for (const offset of [
      0,
      9,
      13,
      17,
      21,
      24,
      25,
      26,
      27,
      28,
      32,
      40,
      48,
      good.length - 30,
      good.length - 1,
    ]) {
      const bad = Buffer.from(good);
      bad[offset] ^= 0x40;
      await writeFile(cacheFile, bad);
      const reparsed = await loadTrace(path, { cacheDir });
      expect(reparsed.report.fromCache).toBe(false);
      expect(withoutCacheFlag(reparsed)).toEqual(withoutCacheFlag(cold));
      expect(await readFile(cacheFile)).toEqual(good);
    }
    await writeFile(cacheFile, good.subarray(0, good.length - 4));
    expect((await loadTrace(path, { cacheDir })).report.fromCache).toBe(false);
    expect((await loadTrace(path, { cacheDir })).report.fromCache).toBe(true);
  });

  it("re-parses when a different format is forced than the cache was made with", async () => {
    const path = join(dir, "rows.tsv");
    await writeFile(path, "use1-az4\tc5.large\tLinux/UNIX\t0.0350\t2022-01-01T00:00:00Z\n");
    await loadTrace(path, { cacheDir });
    const forced = loadTrace(path, { cacheDir, format: "text" });
    await expect(forced).rejects.toThrow(
      `${path}:1: expected a line starting SPOTPRICEHISTORY<TAB> or NEXTTOKEN`,
    );
    expect((await loadTrace(path, { cacheDir, format: "archive-tsv" })).report.fromCache).toBe(true);
  });

  it("with cacheDir false neither reads nor writes, and an unwritable cache dir does not fail the load", async () => {
    const path = await source(["us-east-1a,m5.large,Linux/UNIX,0.1,2021-03-02T00:00:00Z"]);
    await loadTrace(path, { cacheDir: false });
    await expect(readdir(cacheDir)).rejects.toThrow();
    await loadTrace(path, { cacheDir });
    expect((await loadTrace(path, { cacheDir: false })).report.fromCache).toBe(false);
    const notADir = join(dir, "file-not-dir");
    await writeFile(notADir, "x");
    const trace = await loadTrace(path, { cacheDir: notADir });
    expect(trace.report.fromCache).toBe(false);
    expect(trace.report.cacheWriteError).toMatch(/^EEXIST|^ENOTDIR/);
    expect(Array.from(trace.price)).toEqual([0.1]);
  });
  describe("stores each column in the narrowest form that gives it back bit for bit", () => {
    // columnBytes by hand: dictionary 8 per entry, then each column padded to 8 bytes.
    const cents = [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08];
    const cases: { name: string; parsed: () => ParsedTrace; layout: ReturnType<typeof layoutOf> }[] = [
      {
        name: "whole-second steps below 256, 3 series, prices in cents: one byte each",
        parsed: () => parsedOf(steps(8, 1), cycle(8, [0, 1, 2]), cents),
        layout: {
          timeWidth: 1,
          seriesWidth: 1,
          priceWidth: 1,
          priceForm: priceForm.decimal,
          columnBytes: 24,
        },
      },
      {
        name: "an empty trace",
        parsed: () => parsedOf([], [], []),
        layout: { timeWidth: 1, seriesWidth: 1, priceWidth: 1, priceForm: priceForm.decimal, columnBytes: 0 },
      },
      {
        name: "steps of 256 s take two bytes",
        parsed: () => parsedOf(steps(8, 256), zeros(8), cents),
        layout: {
          timeWidth: 2,
          seriesWidth: 1,
          priceWidth: 1,
          priceForm: priceForm.decimal,
          columnBytes: 32,
        },
      },
      {
        name: "steps of 65,536 s take four bytes",
        parsed: () => parsedOf(steps(8, 65536), zeros(8), cents),
        layout: {
          timeWidth: 4,
          seriesWidth: 1,
          priceWidth: 1,
          priceForm: priceForm.decimal,
          columnBytes: 48,
        },
      },
      {
        name: "a step of 2^32 s falls back to f64",
        parsed: () => parsedOf([t0, t0 + 2 ** 32], [0, 0], [0.01, 0.02]),
        layout: {
          timeWidth: 0,
          seriesWidth: 1,
          priceWidth: 1,
          priceForm: priceForm.decimal,
          columnBytes: 32,
        },
      },
      {
        name: "times sharing one fraction of a second keep whole steps from a fractional base",
        parsed: () =>
          parsedOf(
            steps(8, 3).map((t) => t + 0.25),
            zeros(8),
            cents,
          ),
        layout: {
          timeWidth: 1,
          seriesWidth: 1,
          priceWidth: 1,
          priceForm: priceForm.decimal,
          columnBytes: 24,
        },
      },
      {
        name: "times with milliseconds fall back to f64",
        parsed: () => parsedOf([t0, t0 + 0.001, t0 + 1.5, t0 + 2], zeros(4), cents.slice(0, 4)),
        layout: {
          timeWidth: 0,
          seriesWidth: 1,
          priceWidth: 1,
          priceForm: priceForm.decimal,
          columnBytes: 48,
        },
      },
      {
        name: "descending times fall back to f64",
        parsed: () => parsedOf([t0 + 1, t0], [0, 0], [0.01, 0.02]),
        layout: {
          timeWidth: 0,
          seriesWidth: 1,
          priceWidth: 1,
          priceForm: priceForm.decimal,
          columnBytes: 32,
        },
      },
      {
        name: "a time of -0 falls back to f64 (a sum would give +0)",
        parsed: () => parsedOf([-0, 1], [0, 0], [0.01, 0.02]),
        layout: {
          timeWidth: 0,
          seriesWidth: 1,
          priceWidth: 1,
          priceForm: priceForm.decimal,
          columnBytes: 32,
        },
      },
      {
        name: "series 0 to 256 take two bytes",
        parsed: () => parsedOf(steps(8, 1), [0, 1, 2, 3, 4, 5, 6, 256], cents),
        layout: {
          timeWidth: 1,
          seriesWidth: 2,
          priceWidth: 1,
          priceForm: priceForm.decimal,
          columnBytes: 32,
        },
      },
      {
        name: "series 0 to 65,536 take four bytes",
        parsed: () => parsedOf(steps(8, 1), [0, 1, 2, 3, 4, 5, 6, 65536], cents),
        layout: {
          timeWidth: 1,
          seriesWidth: 4,
          priceWidth: 1,
          priceForm: priceForm.decimal,
          columnBytes: 48,
        },
      },
      {
        name: "4-decimal prices to 0.5 USD in 8 rows: 2-byte counts beat a dictionary (16 + 16 bytes)",
        parsed: () => parsedOf(steps(8, 1), zeros(8), cycle(8, [0.1234, 0.5])),
        layout: {
          timeWidth: 1,
          seriesWidth: 1,
          priceWidth: 2,
          priceForm: priceForm.decimal,
          columnBytes: 32,
        },
      },
      {
        name: "the same 2 prices in 64 rows: a 1-byte dictionary index (64 + 16 bytes) beats counts (128)",
        parsed: () => parsedOf(steps(64, 1), zeros(64), cycle(64, [0.1234, 0.5])),
        layout: {
          timeWidth: 1,
          seriesWidth: 1,
          priceWidth: 1,
          priceForm: priceForm.dictionary,
          columnBytes: 208,
        },
      },
      {
        name: "6-decimal prices to 26 USD need 4-byte counts; 2 distinct in 16 rows go to a dictionary",
        parsed: () => parsedOf(steps(16, 1), zeros(16), cycle(16, [0.123456, 25.654321])),
        layout: {
          timeWidth: 1,
          seriesWidth: 1,
          priceWidth: 1,
          priceForm: priceForm.dictionary,
          columnBytes: 64,
        },
      },
      {
        name: "8 such prices in 8 rows: counts (32 bytes) beat a dictionary (64 + 8)",
        parsed: () =>
          parsedOf(
            steps(8, 1),
            zeros(8),
            cents.map((c) => c * 1000 + 0.000001),
          ),
        layout: {
          timeWidth: 1,
          seriesWidth: 1,
          priceWidth: 4,
          priceForm: priceForm.decimal,
          columnBytes: 48,
        },
      },
      {
        name: "prices past 2^32 counts of their last decimal go to a dictionary",
        parsed: () => parsedOf(steps(16, 1), zeros(16), cycle(16, [5e9 + 0.5, 5e9 + 1.5])),
        layout: {
          timeWidth: 1,
          seriesWidth: 1,
          priceWidth: 1,
          priceForm: priceForm.dictionary,
          columnBytes: 64,
        },
      },
      {
        name: "prices with more than 9 decimals go to a dictionary",
        parsed: () => parsedOf(steps(16, 1), zeros(16), cycle(16, [1 / 3, 2 / 3])),
        layout: {
          timeWidth: 1,
          seriesWidth: 1,
          priceWidth: 1,
          priceForm: priceForm.dictionary,
          columnBytes: 64,
        },
      },
      {
        name: "70,000 distinct such prices in 200,000 rows take 4-byte dictionary indices",
        parsed: () =>
          parsedOf(
            steps(200_000, 1),
            zeros(200_000),
            Array.from({ length: 200_000 }, (_, i) => ((i % 70_000) + 1) / 3),
          ),
        layout: {
          timeWidth: 1,
          seriesWidth: 1,
          priceWidth: 4,
          priceForm: priceForm.dictionary,
          columnBytes: 70_000 * 8 + 200_000 + 200_000 + 200_000 * 4,
        },
      },
      {
        name: "distinct prices that no dictionary shrinks stay f64",
        parsed: () =>
          parsedOf(
            steps(8, 1),
            zeros(8),
            cents.map((c) => c * Math.PI),
          ),
        layout: { timeWidth: 1, seriesWidth: 1, priceWidth: 0, priceForm: priceForm.f64, columnBytes: 80 },
      },
      {
        name: "0 and -0 stay f64 (neither a count nor a Map tells them apart)",
        parsed: () => parsedOf(steps(16, 1), zeros(16), cycle(16, [0, -0])),
        layout: { timeWidth: 1, seriesWidth: 1, priceWidth: 0, priceForm: priceForm.f64, columnBytes: 160 },
      },
    ];
    for (const { name, parsed, layout } of cases) {
      it(name, async () => {
        expect(await roundTrip(parsed())).toEqual(layout);
      });
    }
  });

  it("gives back a synthetic trace of 65,537 series, millisecond times and 11-decimal prices bit for bit", async () => {
    const rows = 65_537;
    const lines = Array.from({ length: rows }, (_, i) => {
      const time = new Date(Date.UTC(2021, 2, 2) + i * 1001).toISOString();
      const price = `0.${String(10_000_000_000 + i * 7_919).padStart(11, "0")}`;
      return `us-east-1a,m${i}.large,Linux/UNIX,${price},${time}`;
    });
    const path = await source(lines);
    const cold = await loadTrace(path, { cacheDir });
    const warm = await loadTrace(path, { cacheDir });
    expect(warm.report.fromCache).toBe(true);
    expect(warm.time.length).toBe(rows);
    expect(warm.series).toEqual(cold.series);
    expect(bits(warm.time)).toEqual(bits(cold.time));
    expect(bits(warm.seriesId)).toEqual(bits(cold.seriesId));
    expect(bits(warm.price)).toEqual(bits(cold.price));
    expect(layoutOf(await readFile(cacheFilePath(cacheDir, resolve(path))))).toEqual({
      timeWidth: 0,
      seriesWidth: 4,
      priceWidth: 0,
      priceForm: priceForm.f64,
      columnBytes: rows * 8 + (rows + 1) * 4 + rows * 8,
    });
  });

  it("refuses a cache with any byte flipped, cut at any length, grown, or of another version", async () => {
    await writeCache(cacheDir, parsedOf(steps(64, 300), cycle(64, [0, 1, 2]), cycle(64, [1 / 3, 0.5, 0.25])));
    const file = cacheFilePath(cacheDir, storedKey.path);
    const good = await readFile(file);
    expect(layoutOf(good)).toMatchObject({ timeWidth: 2, priceForm: priceForm.dictionary });
    const reads = async (bytes: Buffer) => {
      await writeFile(file, bytes);
      return readCache(cacheDir, storedKey);
    };
    for (let offset = 0; offset < good.length; offset++) {
      const bad = Buffer.from(good);
      bad[offset] ^= 1 << (offset % 8);
      expect(await reads(bad), `byte ${offset} flipped`).toBeUndefined();
    }
    for (let length = 0; length < good.length; length++) {
      expect(await reads(good.subarray(0, length)), `cut to ${length} bytes`).toBeUndefined();
    }
    expect(await reads(Buffer.concat([good, Buffer.alloc(1)]))).toBeUndefined();
    // The checksum covers every byte but its own four (20..23): recomputed, a file reads again...
    const resealed = (bytes: Buffer) => {
      const sealed = Buffer.from(bytes);
      sealed.writeUInt32LE(crc32(sealed.subarray(24), crc32(sealed.subarray(0, 20))), 20);
      return sealed;
    };
    expect(await reads(resealed(good))).toBeDefined();
    // ...but not with an older version number, whose layout this reader would misread.
    const older = Buffer.from(good);
    older.writeUInt32LE(3, 8);
    expect(await reads(resealed(older))).toBeUndefined();
  });
});
