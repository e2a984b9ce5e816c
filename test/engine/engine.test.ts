import { describe, expect, it } from "vitest";
import { buildZoneScenario } from "../../src/drivers/sim/markets.js";
import { simulateZone } from "../../src/drivers/sim/run.js";
import { HotspotError } from "../../src/errors.js";
import { cheapestMarket } from "../../src/engine/candidates.js";
import type { PolicyDefinition } from "../../src/engine/policy.js";
import { handResolution, handTrace, simConfig, twoTypes } from "../drivers/sim/fixtures.js";

const zone = "us-east-1a";
const trace = handTrace(
  [
    [zone, "a.large", 0, 0.3],
    [zone, "b.large", 0, 0.6],
    [zone, "a.large", 3000, 1.5],
  ],
  { start: 0, end: 7200 },
);
const scenario = buildZoneScenario(trace, zone, handResolution(twoTypes));

/** A hand-written policy that ignores notices: placed once, moved only when the container was lost. */
const ignoresNotices: PolicyDefinition = {
  name: "ignores-notices",
  summary: "test policy",
  params: [],
  inputs: [],
  simulationOnly: false,
  create: () => ({
    decide: (o) =>
      o.current === null
        ? { kind: "place", marketId: cheapestMarket(o), reason: "cheapest" }
        : { kind: "stay", reason: "never hops" },
  }),
};

describe("HoppingEngine", () => {
  it("loses the work since the last checkpoint when the host is reclaimed, then restarts", async () => {
    const config = simConfig({ interruptions: { kind: "bid", bidMultiple: 1 } });
    const { result } = await simulateZone(trace, scenario, config, ignoresNotices, {});
    // a runs from 67 s; notice at 3000 (price above the $1 bid), reclaimed at 3120; b acquired
    // 3120 + 67, then move 28 + restore 2: running at 3217.
    expect(result.notices).toBe(1);
    expect(result.revocations).toBe(1);
    expect(result.restarts).toBe(1);
    expect(result.lostWork).toBeCloseTo((10 * (3120 - 67)) / 3600, 12);
    expect(result.work).toBeCloseTo((10 * (7200 - 3217)) / 3600, 12);
    expect(result.downtimes).toEqual([3217 - 3120]);
    // a is reclaimed within its first hour: free; b from 3187 to the end.
    expect(result.costUsd).toBeCloseTo((0.6 * (7200 - 3187)) / 3600, 12);
    expect(result.timeline.map((e) => e.kind)).toEqual([
      "place",
      "running",
      "notice",
      "revoked",
      "restart",
      "running",
    ]);
  });

  it("rejects a decision for a market the policy may not choose", async () => {
    const wrong: PolicyDefinition = {
      ...ignoresNotices,
      create: () => ({ decide: () => ({ kind: "place", marketId: 99, reason: "no such market" }) }),
    };
    await expect(simulateZone(trace, scenario, simConfig(), wrong, {})).rejects.toThrow(HotspotError);
    await expect(simulateZone(trace, scenario, simConfig(), wrong, {})).rejects.toThrow(/no such market/);
  });

  it("ends a finite-work run when the work is done", async () => {
    const config = simConfig({ targetWork: 5 });
    const { result } = await simulateZone(trace, scenario, config, ignoresNotices, {});
    // 5 ECU-h at 10 ECU from 67 s: done at 67 + 1800.
    expect(result.finished).toBe(true);
    expect(result.end).toBeCloseTo(1867, 9);
    expect(result.work).toBeCloseTo(5, 12);
    expect(result.costUsd).toBeCloseTo((0.3 * 1800) / 3600, 12);
  });
});
