import { appendFile, copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CatalogGapError, InputFormatError, UsageError } from "../../src/errors.js";
import { prepareSmall, smallRequest, writeSmallTrace } from "./fixture.js";

let dir: string;
let tracePath: string;
// The small trace plus zz9.large, a type the built-in catalog has no spec for.
let withUnknown: string;
// A spec for zz9.large but no price anywhere, so it lacks only the on-demand price.
let specsNoPrice: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-sweep-prepare-"));
  tracePath = await writeSmallTrace(dir);
  withUnknown = join(dir, "with-unknown.csv");
  await copyFile(tracePath, withUnknown);
  await appendFile(withUnknown, "us-east-1a,zz9.large,Linux/UNIX,0.050000,2016-03-02T00:00:00+00:00\n");
  specsNoPrice = join(dir, "specs.csv");
  await writeFile(
    specsNoPrice,
    "instance_type,vcpu,memory_gib,ecu,architecture,cpu_vendor\nzz9.large,2,512,7,x86_64,intel\n",
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("prepareSweep: a memory no type holds", () => {
  // The small trace's types: m3.large 7.5 GiB, c4.2xlarge 15 GiB, m4.xlarge 16 GiB.
  it("refuses --memory above the largest type's, naming it, before any item runs", async () => {
    await expect(
      prepareSmall(tracePath, { vary: [], base: { ...smallRequest(tracePath).base, memoryGiB: 16.5 } }),
    ).rejects.toThrow(
      new UsageError(
        "--memory",
        "at most 16 GiB, the memory of the largest type in the trace (m4.xlarge)",
        "16.5 GiB",
      ),
    );
    const prepared = await prepareSmall(tracePath, {
      vary: [],
      base: { ...smallRequest(tracePath).base, memoryGiB: 16 },
    });
    expect(prepared.config.base.memoryGiB).toBe(16);
  });

  it("checks each --vary memory-gib value instead of --memory, which the grid then overrides", async () => {
    const base = { ...smallRequest(tracePath).base, memoryGiB: 100 };
    const error = await prepareSmall(tracePath, {
      base,
      vary: [{ key: "memory-gib", values: [1, 64, 16] }],
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      "--vary memory-gib: expected at most 16 GiB, the memory of the largest type in the trace (m4.xlarge), found 64 GiB",
    );
    const prepared = await prepareSmall(tracePath, { base, vary: [{ key: "memory-gib", values: [1, 16] }] });
    expect(prepared.config.points).toBe(2);
  });
});

describe("prepareSweep: types the catalog cannot price", () => {
  it("fails naming them, unless skipped", async () => {
    await expect(prepareSmall(withUnknown)).rejects.toThrow(
      "no spec (vCPU, memory) for instance type(s): zz9.large; give them with --specs FILE, or pass --skip-unknown-types to leave those markets out",
    );
  });

  it("records skipped types and what each lacks in the configuration, never dropping them unsaid", async () => {
    const { config } = await prepareSmall(withUnknown, { skipUnknownTypes: true });
    expect(config.catalog.skippedTypes).toEqual([{ type: "zz9.large", missing: "spec" }]);
    const priced = await prepareSmall(withUnknown, { skipUnknownTypes: true, specsFile: specsNoPrice });
    expect(priced.config.catalog.skippedTypes).toEqual([{ type: "zz9.large", missing: "on-demand price" }]);
    // The trace still counts the type's series: 3 types + zz9.large.
    expect(priced.config.trace.series).toBe(4);
  });

  it("leaves the field out when nothing is skipped, so such a sweep's hash does not change", async () => {
    const { config } = await prepareSmall(tracePath, { skipUnknownTypes: true });
    expect(Object.keys(config.catalog)).toEqual(["description", "specsFile", "workUnit", "skipUnknownTypes"]);
  });

  it("refuses a trace none of whose types the catalog prices, even under skipUnknownTypes", async () => {
    const onlyUnknown = join(dir, "only-unknown.csv");
    await writeFile(
      onlyUnknown,
      "AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp\n" +
        "us-east-1a,zz9.large,Linux/UNIX,0.050000,2016-03-01T00:00:00+00:00\n" +
        "us-east-1a,zz9.large,Linux/UNIX,0.060000,2016-03-04T00:00:00+00:00\n",
    );
    const error = await prepareSmall(onlyUnknown, { skipUnknownTypes: true, specsFile: specsNoPrice }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CatalogGapError);
    expect((error as Error).message).toBe(
      "no us-east-1 on-demand price for instance type(s): zz9.large; give them with --specs FILE (--skip-unknown-types would leave out every type)",
    );
  });
});

describe("prepareSweep: what the windows are drawn from", () => {
  // Two types priced at midnight on 2016-03-01, 02 and 03, and one row whose price is not a number.
  const header = "AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp";
  const rows = ["01", "02", "03"].flatMap((day) => [
    `us-east-1a,m4.large,Linux/UNIX,0.030000,2016-03-${day}T00:00:00Z`,
    `us-east-1a,m4.xlarge,Linux/UNIX,0.060000,2016-03-${day}T00:00:00Z`,
  ]);
  let threeDays: string;
  beforeAll(async () => {
    threeDays = join(dir, "three-days.csv");
    await writeFile(
      threeDays,
      `${header}\n${rows.join("\n")}\nus-east-1a,m4.large,Linux/UNIX,abc,2016-03-02T12:00:00Z\n`,
    );
  });
  const request = (overrides: Parameters<typeof smallRequest>[1] = {}) =>
    prepareSmall(threeDays, { vary: [], windows: 3, ...overrides });
  const dayBefore = Date.parse("2016-02-29T00:00:00Z") / 1000;

  it("refuses a span mostly before the first price (--start a day early: 1 of 3 days)", async () => {
    const error = await request({
      load: { cacheDir: false, skipBadRows: true, start: dayBefore },
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      "--start/--end: expected a window the trace prices for all but at most 5.0% of it (narrow the window, or allow more with --max-unpriced), found 33.3% of the span the windows are drawn from unpriced: 2016-02-29T00:00:00.000Z to 2016-03-01T00:00:00.000Z (before the first price)",
    );
  });

  it("records the skipped rows and a tolerated unpriced share as warnings of the sweep", async () => {
    const { config } = await request({
      load: { cacheDir: false, skipBadRows: true, start: dayBefore },
      maxUnpriced: 0.5,
    });
    expect(config.warnings).toEqual([
      "skipped 1 bad row(s) of the trace under --skip-bad-rows (1 price)",
      "33.3% of the span the windows are drawn from unpriced: 2016-02-29T00:00:00.000Z to 2016-03-01T00:00:00.000Z (before the first price); the trace has no prices there",
    ]);
  });

  it("refuses a trace the filters left empty, saying what each filter removed", async () => {
    // 7 rows read: the one with no price is skipped, the other 6 are filtered out by product.
    const error = await request({
      load: { cacheDir: false, skipBadRows: true, products: ["Windows"], zones: ["us-east-1b"] },
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputFormatError);
    expect((error as Error).message).toBe(
      `${threeDays}: expected rows left after the filters (--product Windows, --zones us-east-1b), found none of 7 rows: 6 filtered out by product, 0 by zone, 0 by type, 0 by window`,
    );
  });

  it("has no warnings field when there is nothing to warn of; without skipping, the bad row fails the load", async () => {
    const { config } = await prepareSmall(tracePath);
    expect("warnings" in config).toBe(false);
    await expect(request()).rejects.toThrow(
      `${threeDays}:8: expected a SpotPrice in USD (a decimal number such as 0.0162), found "abc"`,
    );
  });
});
