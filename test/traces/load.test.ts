import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputFormatError, InputReadError } from "../../src/errors.js";
import { loadTrace } from "../../src/traces/load.js";
import type { Trace } from "../../src/traces/types.js";
import { describeWithTraces, sharedTrace } from "../support/shared-traces.js";

const traces = sharedTrace("");
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
const header = "AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp";
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-load-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function expectSortedAndAccounted(trace: Trace): void {
  for (let i = 1; i < trace.time.length; i++) {
    const order = trace.time[i] - trace.time[i - 1] || trace.seriesId[i] - trace.seriesId[i - 1];
    if (!(order > 0)) throw new Error(`rows ${i - 1} and ${i} are not in (time, seriesId) order`);
  }
  const { report } = trace;
  const filtered = Object.values(report.filteredOut).reduce((sum, n) => sum + n, 0);
  // Every row read is skipped, dropped as a duplicate or conflict, filtered out, or kept (carried-in rows are kept).
  expect(
    report.skipped.count +
      report.duplicatesDropped +
      (report.conflictsDropped ?? 0) +
      filtered +
      report.rowsKept,
  ).toBe(report.rowsRead);
  expect(report.rowsKept).toBe(trace.time.length);
}

describe("file-level errors (always errors, even under skipBadRows)", () => {
  it.each([
    ["an empty file", "", "expected trace data, found an empty file"],
    ["a file of blank lines", "\n \r\n\t\n", "expected trace data, found only blank space"],
    ["a BOM and nothing else", "\ufeff", "expected trace data, found an empty file"],
  ])("%s", async (_what, text, message) => {
    const path = join(dir, "blank.csv");
    await writeFile(path, text);
    const error = await loadTrace(path, { skipBadRows: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputFormatError);
    expect((error as Error).message).toBe(`${path}: ${message}`);
  });

  it("a gzip file that decompresses to nothing", async () => {
    const path = join(dir, "empty.csv.gz");
    await writeFile(path, gzipSync(Buffer.alloc(0)));
    await expect(loadTrace(path)).rejects.toThrow(`${path}: expected trace data, found an empty file`);
  });

  it("a binary file (NUL bytes), also after decompression", async () => {
    const path = join(dir, "image.png");
    await writeFile(path, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    await expect(loadTrace(path, { skipBadRows: true })).rejects.toThrow(
      `${path}: expected a text trace (csv, json, text or archive-tsv), found binary data (a NUL byte at byte 8)`,
    );
    const gz = join(dir, "binary.gz");
    await writeFile(gz, gzipSync(Buffer.from(`${header}\n\0`)));
    await expect(loadTrace(gz)).rejects.toThrow(
      `${gz}: expected a text trace (csv, json, text or archive-tsv), found binary data (a NUL byte at byte 69 after decompression)`,
    );
  });

  it("a truncated gzip file", async () => {
    const rows = Array.from(
      { length: 2000 },
      (_, i) => `us-east-1a,m5.large,Linux/UNIX,0.0${(i % 90) + 10},${iso(1.6e9 + i)}`,
    );
    const gz = gzipSync(Buffer.from([header, ...rows].join("\n")));
    const path = join(dir, "truncated.csv.gz");
    await writeFile(path, gz.subarray(0, gz.length - 20));
    const error = await loadTrace(path, { skipBadRows: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputReadError);
    expect((error as Error).message).toBe(`${path}: truncated or corrupt gzip data (unexpected end of file)`);
  });

  it("a missing file and a directory", async () => {
    const missing = join(dir, "nope.csv");
    await expect(loadTrace(missing)).rejects.toThrow(
      new InputReadError(missing, "cannot read the file (no such file or folder)"),
    );
    const folder = join(dir, "folder");
    await mkdir(folder);
    await expect(loadTrace(folder)).rejects.toThrow(new InputReadError(folder, "not a regular file"));
  });
});

describe("streaming", () => {
  it("reads a multi-megabyte file and its gzip across chunk boundaries, reporting progress", async () => {
    // 150,000 rows over 6 series, one row per second, oldest first: about 10 MB, ten 1 MiB chunks.
    const zones = ["us-east-1a", "us-east-1b", "us-east-1c"];
    const lines = [header];
    for (let i = 0; i < 150_000; i++) {
      lines.push(
        `${zones[i % 3]},${i % 2 === 0 ? "m5.large" : "c5.large"},Linux/UNIX,${(0.01 + (i % 1000) / 1e5).toFixed(6)},${iso(1.6e9 + i)}`,
      );
    }
    const text = lines.join("\r\n") + "\r\n";
    const path = join(dir, "big.csv");
    await writeFile(path, text);
    const progress: number[] = [];
    const trace = await loadTrace(path, { onProgress: (read, total) => progress.push(read / total) });
    expect(trace.report.rowsRead).toBe(150_000);
    expect(trace.time.length).toBe(150_000);
    expect(trace.series.length).toBe(6);
    expect(trace.time[149_999]).toBe(1.6e9 + 149_999);
    expect(trace.price[123_456]).toBe(Number((0.01 + 456 / 1e5).toFixed(6)));
    expect(progress.length).toBeGreaterThan(5);
    expect(progress.at(-1)).toBe(1);
    expect(trace.source.sha256).toBe(createHash("sha256").update(text).digest("hex"));
    expectSortedAndAccounted(trace);
    const gzPath = join(dir, "big.csv.gz");
    await writeFile(gzPath, gzipSync(await readFile(path)));
    const fromGzip = await loadTrace(gzPath);
    expect(fromGzip.time).toEqual(trace.time);
    expect(fromGzip.price).toEqual(trace.price);
    expect(fromGzip.seriesId).toEqual(trace.seriesId);
    expect(fromGzip.source.sha256).toBe(
      createHash("sha256")
        .update(await readFile(gzPath))
        .digest("hex"),
    );
  });
});

describeWithTraces("real traces in ../shared/traces", () => {
  it("2016 CSV: every row, series and the span", async () => {
    const trace = await loadTrace(join(traces, "spot/us-east-1_2016-03-01_2016-03-21.csv"));
    // tail -n +2 FILE | wc -l -> 82258; | cut -d, -f1-3 | sort -u | wc -l -> 35; | sort -u | wc -l -> 82258 (no duplicates)
    expect(trace.report.rowsRead).toBe(82258);
    expect(trace.report.rowsKept).toBe(82258);
    expect(trace.report.duplicatesDropped).toBe(0);
    expect(trace.series.length).toBe(35);
    // tail -n +2 FILE | cut -d, -f5 | sort | sed -n '1p;$p'
    expect(iso(trace.time[0])).toBe("2016-02-29T00:39:19.000Z");
    expect(iso(trace.time[trace.time.length - 1])).toBe("2016-03-21T23:59:49.000Z");
    expectSortedAndAccounted(trace);
  });

  it("2016 CSV windowed at 2016-03-01: each of the 35 series carries its opening price in", async () => {
    const start = Date.UTC(2016, 2, 1) / 1000;
    const trace = await loadTrace(join(traces, "spot/us-east-1_2016-03-01_2016-03-21.csv"), { start });
    // python3 csv.DictReader: 35 rows before the start, one per series, none at the start; 82223 rows from it.
    expect(trace.report.carriedIn).toBe(35);
    expect(trace.report.filteredOut.window).toBe(0);
    expect(trace.report.rowsKept).toBe(82258);
    expect(Array.from(trace.time.subarray(0, 35)).every((t) => t === start)).toBe(true);
    expect(trace.time[35]).toBeGreaterThan(start);
    expectSortedAndAccounted(trace);
  });

  it("2021 CSV: every row, series and the span", async () => {
    const trace = await loadTrace(join(traces, "spot/us-east-1_2021-03-02_2021-05-31.csv"));
    // tail -n +2 FILE | wc -l -> 51726; | cut -d, -f1-3 | sort -u | wc -l -> 253; first/last Timestamp by sort
    expect(trace.report.rowsRead).toBe(51726);
    expect(trace.report.rowsKept).toBe(51726);
    expect(trace.series.length).toBe(253);
    expect(iso(trace.time[0])).toBe("2021-03-02T01:39:04.000Z");
    expect(iso(trace.time[trace.time.length - 1])).toBe("2021-05-31T01:45:44.000Z");
    expectSortedAndAccounted(trace);
  });

  it("2016 m1.small JSON (CLI v1 timestamps, newest first)", async () => {
    const trace = await loadTrace(
      join(traces, "raw/describe-spot-price-history_2016_m1.small_us-east-1a.json"),
    );
    // jq '.SpotPriceHistory|length' -> 382; jq -r '...ProductDescription' | sort | uniq -c -> 382 Linux/UNIX
    expect(trace.source.format).toBe("json");
    expect(trace.report.rowsRead).toBe(382);
    expect(trace.report.rowsKept).toBe(382);
    expect(trace.series).toEqual([{ zone: "us-east-1a", instanceType: "m1.small", product: "Linux/UNIX" }]);
    // jq -r '.SpotPriceHistory[].Timestamp' | sort | sed -n '1p;$p'
    expect(iso(trace.time[0])).toBe("2016-02-25T08:04:32.000Z");
    expect(iso(trace.time[381])).toBe("2016-04-25T12:01:10.000Z");
    expectSortedAndAccounted(trace);
  });

  it("2021 p3.2xlarge JSON: Linux/UNIX by default, all four product descriptions on request", async () => {
    const path = join(traces, "raw/describe-spot-price-history_2021_p3.2xlarge_us-east-1.json");
    const linux = await loadTrace(path);
    // jq -r '.SpotPriceHistory[].ProductDescription' | sort | uniq -c -> 288 each of Linux/UNIX,
    // Red Hat Enterprise Linux, SUSE Linux, Windows (four, not three); Linux/UNIX zones: 96 each in 1a, 1b, 1f.
    expect(linux.report.rowsRead).toBe(1152);
    expect(linux.report.rowsKept).toBe(288);
    expect(linux.report.filteredOut.product).toBe(864);
    expect(linux.series.map((key) => key.zone)).toEqual(["us-east-1a", "us-east-1b", "us-east-1f"]);
    expect(Array.from(linux.seriesId).filter((id) => id === 2).length).toBe(96);
    // jq -r '... select(.ProductDescription=="Linux/UNIX") ... .Timestamp' | sort | sed -n '1p;$p'
    expect(iso(linux.time[0])).toBe("2021-03-02T06:47:58.000Z");
    expect(iso(linux.time[287])).toBe("2021-05-30T21:39:49.000Z");
    const all = await loadTrace(path, {
      products: ["Linux/UNIX", "SUSE Linux", "Red Hat Enterprise Linux", "Windows"],
    });
    // jq -r '[.AvailabilityZone,.ProductDescription]|@tsv' | sort -u | wc -l -> 12; uniq -d on (zone, product, time) -> 0
    expect(all.series.length).toBe(12);
    expect(all.report.rowsKept).toBe(1152);
    expect(all.report.duplicatesDropped).toBe(0);
    expect(iso(all.time[1151])).toBe("2021-05-30T21:43:10.000Z");
    expectSortedAndAccounted(all);
  });
});
