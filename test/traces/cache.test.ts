import { createHash } from "node:crypto";
import { mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InputFormatError } from "../../src/errors.js";
import { cacheFilePath } from "../../src/traces/cache.js";
import { loadTrace } from "../../src/traces/load.js";
import type { Trace } from "../../src/traces/types.js";
import { itWithTraces, sharedTrace } from "../support/shared-traces.js";

const realTrace = sharedTrace("spot/us-east-1_2016-03-01_2016-03-21.csv");
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
    for (const offset of [0, 9, 13, 17, 21, 40, good.length - 30, good.length - 1]) {
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
});
