import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTrace } from "../../src/traces/load.js";

const fixture = new URL("../fixtures/traces/cli-output.txt", import.meta.url).pathname;
const hour = (h: number) => Date.UTC(2021, 2, 2, h) / 1000;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-text-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("text traces (describe-spot-price-history --output text)", () => {
  it("reads SPOTPRICEHISTORY lines, newest first, and passes over the NEXTTOKEN line", async () => {
    const trace = await loadTrace(fixture);
    expect(trace.source.format).toBe("text");
    expect(trace.series.map((key) => `${key.zone} ${key.instanceType} ${key.product}`)).toEqual([
      "us-east-1a m5.large Linux/UNIX",
      "us-east-1c m5.large Linux/UNIX",
    ]);
    expect(Array.from(trace.time)).toEqual([hour(6), hour(11), hour(12)]);
    expect(Array.from(trace.seriesId)).toEqual([0, 1, 0]);
    expect(Array.from(trace.price)).toEqual([0.035, 0.045, 0.04]);
    expect(trace.report.rowsRead).toBe(3);
  });

  it.each([
    [
      "a wrong number of fields",
      "SPOTPRICEHISTORY\tus-east-1a\tm5.large\tLinux/UNIX\t0.04\n",
      ":1: expected 6 tab-separated fields (SPOTPRICEHISTORY, zone, type, product, price, timestamp), found 5 fields",
    ],
    [
      "a line of another kind",
      "SPOTPRICEHISTORY\tus-east-1a\tm5.large\tLinux/UNIX\t0.04\t2021-03-02T12:00:00Z\nRESERVATIONS\tr-1\n",
      ':2: expected a line starting SPOTPRICEHISTORY<TAB> or NEXTTOKEN, found "RESERVATIONS"',
    ],
  ])("fails on %s", async (_what, text, message) => {
    const path = join(dir, "bad.txt");
    await writeFile(path, text);
    await expect(loadTrace(path)).rejects.toThrow(`${path}${message}`);
  });
});
