import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTrace } from "../../src/traces/load.js";
import { sortAndDedup } from "../../src/traces/columns.js";

const header = "AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp";
const bounds = { earliest: Date.UTC(2006, 0, 1) / 1000, latest: Date.UTC(2027, 0, 1) / 1000 };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-limits-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe("limits on the work of reading a trace", () => {
  it("refuses a line longer than --max-line-bytes, also inside gzip", async () => {
    const long = `${header}\n${"a".repeat(300)}\n`;
    const expected =
      ":2: expected a line of at most 100 bytes (raise the limit with --max-line-bytes), found a line of more than 100 bytes (300 read)";
    const plain = await file("long.csv", long);
    await expect(loadTrace(plain, { limits: { maxLineBytes: 100, maxInputBytes: 1e9 } })).rejects.toThrow(
      `${plain}${expected}`,
    );
    const gzip = await file("long.csv.gz", gzipSync(long));
    await expect(loadTrace(gzip, { limits: { maxLineBytes: 100, maxInputBytes: 1e9 } })).rejects.toThrow(
      `${gzip}${expected}`,
    );
  });

  it("refuses more decompressed bytes than --max-input-bytes", async () => {
    const gzip = await file("big.csv.gz", gzipSync(`${header}\n${"x".repeat(5000)}`));
    await expect(loadTrace(gzip, { limits: { maxLineBytes: 1e6, maxInputBytes: 1000 } })).rejects.toThrow(
      `${gzip}: expected at most 1,000 bytes of trace data after decompression (raise the limit with --max-input-bytes), found more than 1,000 bytes`,
    );
  });

  it("refuses a JSON token longer than the limit (once it spans chunks) and nesting deeper than 64", async () => {
    const token = await file(
      "token.json",
      `{"SpotPriceHistory": [{"InstanceType": "${"m".repeat(2 << 20)}"}]}`,
    );
    await expect(loadTrace(token, { limits: { maxLineBytes: 100, maxInputBytes: 1e9 } })).rejects.toThrow(
      `${token}:1: expected a JSON token of at most 100 bytes (raise the limit with --max-line-bytes), found a token of more than 100 bytes`,
    );
    const deep = await file("deep.json", `{"SpotPriceHistory": [{"x": ${"[".repeat(100)}`);
    await expect(loadTrace(deep)).rejects.toThrow(
      `${deep}:1: expected JSON nested at most 64 levels deep, found deeper nesting`,
    );
  });

  it("refuses a row outside the plausible time range, or counts it under --skip-bad-rows", async () => {
    const path = await file(
      "year0.csv",
      `${header}\nus-east-1a,m3.large,Linux/UNIX,0.1,2016-03-01T00:00:00Z\nus-east-1a,m3.large,Linux/UNIX,0.2,0000-01-01T00:00:00Z\nus-east-1a,m3.large,Linux/UNIX,0.3,9999-01-01T00:00:00Z\n`,
    );
    const expected =
      "expected a Timestamp from 2006-01-01 to 2027-01-01 (spot prices exist from 2006 on; widen the range with --time-bounds FROM..TO, or --time-bounds none)";
    await expect(loadTrace(path, { timeBounds: bounds })).rejects.toThrow(
      `${path}:3: ${expected}, found 0000-01-01T00:00:00.000Z`,
    );
    const skipped = await loadTrace(path, { timeBounds: bounds, skipBadRows: true });
    expect(Array.from(skipped.price)).toEqual([0.1]);
    expect(skipped.report.skipped.count).toBe(2);
    expect(skipped.report.skipped.byReason).toEqual({ "time-range": 2 });
    expect(skipped.report.skipped.examples).toEqual([
      `${path}:3: ${expected}, found 0000-01-01T00:00:00.000Z`,
    ]);
    const unbounded = await loadTrace(path);
    expect(Array.from(unbounded.price)).toEqual([0.2, 0.1, 0.3]);
  });
});

describe("equal-time runs", () => {
  it("sorts a long run of one timestamp by series then file position", () => {
    const n = 50_000;
    const time = new Float64Array(n).fill(100);
    const seriesId = Uint32Array.from({ length: n }, (_, i) => (n - 1 - i) >> 1);
    const price = Float64Array.from({ length: n }, (_, i) => i);
    const sorted = sortAndDedup({ time, seriesId, price }, n);
    // Two rows per series: the later one in the file wins (a conflict), so n/2 rows remain.
    expect(sorted.time.length).toBe(n / 2);
    expect(sorted.conflictsDropped).toBe(n / 2);
    for (let s = 0; s < n / 2; s++) {
      expect(sorted.seriesId[s]).toBe(s);
      expect(sorted.price[s]).toBe(n - 1 - 2 * s);
    }
  });

  it("counts duplicates and conflicts of a large (time, series) group by the g - d / d - 1 law", () => {
    const g = 1000;
    // Prices cycle over 7 values: d = 7 distinct, so g - 7 duplicates and 6 conflicts.
    const sorted = sortAndDedup(
      {
        time: new Float64Array(g).fill(5),
        seriesId: new Uint32Array(g),
        price: Float64Array.from({ length: g }, (_, i) => i % 7),
      },
      g,
    );
    expect(sorted.duplicatesDropped).toBe(g - 7);
    expect(sorted.conflictsDropped).toBe(6);
    expect(Array.from(sorted.price)).toEqual([(g - 1) % 7]);
  });
});
