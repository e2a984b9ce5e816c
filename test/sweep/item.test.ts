import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinCatalog } from "../../src/catalog/catalog.js";
import { policyByName } from "../../src/policies/index.js";
import { createItemContext, runItem } from "../../src/sweep/item.js";
import { prepareSweep } from "../../src/sweep/prepare.js";
import { synthesizeTrace } from "../../src/traces/synth.js";
import { day, smallRequest, start2016 } from "./fixture.js";

let dir: string;
let tracePath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-item-"));
  tracePath = join(dir, "two-zones.csv");
  await synthesizeTrace(tracePath, {
    regime: "volatile",
    days: 4,
    types: ["m3.large", "m4.xlarge", "c4.2xlarge"],
    zones: ["us-east-1a", "us-east-1b"],
    start: start2016,
    seed: 4,
    catalog: builtinCatalog(),
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("runItem rates", () => {
  it("divides migrations and downtime by zones × days, not by days alone", async () => {
    const request = smallRequest(tracePath);
    const { config, trace } = await prepareSweep(
      smallRequest(tracePath, {
        base: { ...request.base, memoryGiB: 1, demandWork: 26.75 },
        vary: [],
        windowSeconds: 2 * day,
        windows: 1,
        policies: [{ definition: policyByName("greedy"), params: {} }],
      }),
    );
    const item = await runItem(await createItemContext(config, trace), 0);
    const [greedy] = item.outcomes;
    expect(greedy.zones).toBe(2);
    expect(item.excludedZones).toEqual([]);
    // The volatile synthetic trace makes greedy hop, so the rate is not trivially 0.
    expect(greedy.migrations).toBeGreaterThan(0);
    expect(greedy.migrationsPerZoneDay).toBeCloseTo(greedy.migrations / (2 * 2), 12);
    expect(greedy.downtimeSecondsPerZoneDay).toBeCloseTo(greedy.downtimeSeconds / (2 * 2), 12);
  });
});

describe("prepareSweep baseline", () => {
  it("refuses a baseline that is not among the swept policies, naming them", async () => {
    await expect(prepareSweep(smallRequest(tracePath, { baseline: "spot-stay" }))).rejects.toThrow(
      /--baseline: expected one of the swept policies \(on-demand, greedy, hotspot\), found spot-stay/,
    );
  });
});
