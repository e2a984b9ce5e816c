import { describe, expect, it } from "vitest";
import { buildZoneScenario } from "../../src/drivers/sim/markets.js";
import { simulateZone } from "../../src/drivers/sim/run.js";
import type { MigrationModelConfig } from "../../src/engine/migration-model.js";
import type { Observation } from "../../src/engine/types.js";
import { HotspotError } from "../../src/errors.js";
import { greedyPolicy } from "../../src/policies/greedy.js";
import { resolveParams } from "../../src/policies/index.js";
import { optimalPolicy } from "../../src/policies/optimal.js";
import { buildRunCostModel } from "../../src/policies/optimal/engine-costs.js";
import { handResolution, handTrace, simConfig, type HandType } from "../drivers/sim/fixtures.js";
import { hop } from "../support/optimal-tables.js";

const zone = "us-east-1a";
const types: readonly HandType[] = [
  { type: "a.large", memoryGiB: 8, work: 8, onDemand: 5 },
  { type: "b.large", memoryGiB: 8, work: 8, onDemand: 5 },
];
// The hand-computed timeline above: acquire 60 s, downtime 30 s (disk/network move), terminate 40 s.
const handModel: MigrationModelConfig = {
  acquireSpot: { min: 60, max: 60, mean: 60 },
  acquireOnDemand: { min: 60, max: 60, mean: 60 },
  checkpoint: { min: 0, max: 0, mean: 0 },
  transfer: "network",
  networkGbitPerSecond: 10,
  ebsGiBPerSecond: 1,
  diskNetworkMove: { min: 30, max: 30, mean: 30 },
  restore: { min: 0, max: 0, mean: 0 },
  terminate: { min: 40, max: 40, mean: 40 },
};

describe("optimal policy in the engine", () => {
  it("replays the hand-computed hourly plan and the engine charges exactly its cost", async () => {
    const trace = handTrace(
      [
        [zone, "a.large", 0, 0.5],
        [zone, "a.large", 2000, 2],
        [zone, "b.large", 0, 1],
      ],
      { start: 0, end: 6000 },
    );
    const config = simConfig({
      billing: "hourly",
      intervalSeconds: 1200,
      memoryGiB: 0,
      demandWork: 8,
      migrationModel: handModel,
    });
    const scenario = buildZoneScenario(trace, zone, handResolution(types));
    const run = await simulateZone(trace, scenario, config, optimalPolicy, { usdOnly: 1 });
    expect(run.result.costUsd).toBe(1.5);
    expect(run.result.hops).toBe(1);
    expect(run.result.timeline.filter((e) => e.kind === "hop").map((e) => [e.time, e.marketId])).toEqual([
      [2400, 1],
    ]);
  });

  it("decides on the tick at which the first acquire completes, but not on a tick a hop ends on", async () => {
    // 30 s ticks, acquire 60 s: the acquire's completion was queued at t = 0, before the tick at 60 was
    // (at 30), so that tick sees the container running and consults the policy: first decision epoch 2.
    // A hop decided at 60 is restored at 150; its last step began after the tick at 150 was queued (120),
    // so that tick finds it in flight and is skipped: next decision epoch 180, 4 epochs after the hop.
    const trace = handTrace(
      [
        [zone, "a.large", 0, 0.01],
        [zone, "a.large", 200, 36],
        [zone, "b.large", 0, 0.72],
      ],
      { start: 0, end: 600 },
    );
    const config = simConfig({ intervalSeconds: 30, memoryGiB: 0, demandWork: 8, migrationModel: handModel });
    const scenario = buildZoneScenario(trace, zone, handResolution(types));
    const model = buildRunCostModel({
      start: 0,
      end: 600,
      intervalSeconds: 30,
      billing: "per-second",
      paths: scenario.paths,
      groupOf: new Int32Array(scenario.markets.length),
      hops: [hop],
      capacity: Float64Array.from(scenario.markets, (m) => m.work),
      demandWork: 8,
    });
    expect(Array.from(model.placeEpochs)).toEqual([2]);
    expect(Array.from(model.hopEpochs)).toEqual([4]);
    // Place a.large (billed 60..190 at 0.01), hop at 60 to b.large (billed 120..600 at 0.72): 0.096361,
    // less than b.large from the start (0.108) or a hop at 90 (a.large billed at 36 from 200 to 220).
    const run = await simulateZone(trace, scenario, config, optimalPolicy, { usdOnly: 1 });
    expect(run.result.timeline.filter((e) => e.kind === "hop").map((e) => [e.time, e.marketId])).toEqual([
      [60, 1],
    ]);
    expect(run.result.costUsd).toBeCloseTo((0.01 * 130 + 0.72 * 480) / 3600, 12);
  });

  it("stays a lower bound where a hop could be chained on a finished migration: the engine consults on the grid", async () => {
    // a 0.01 then 36 from 300; b 50 then 1 from 300; c 36 then 0.01 from 380; on-demand 100; 300 s epochs,
    // end 1200.
    // Greedy: a at 0; at 300 to b (c still dear); b is restored at 390 but the engine does not consult
    // then (a chained hop to c would cost 1.347194, beating every epoch plan). At 600 greedy moves to c:
    // a billed 60..430 (0.000667 + 1.3), b 360..730 (0.102778), c 660..1200 (0.0015): 1.404944, which is
    // also the best epoch plan (c directly at 300 pays 36 until 380).
    const trace = handTrace(
      [
        [zone, "a.large", 0, 0.01],
        [zone, "a.large", 300, 36],
        [zone, "b.large", 0, 50],
        [zone, "b.large", 300, 1],
        [zone, "c.large", 0, 36],
        [zone, "c.large", 380, 0.01],
      ],
      { start: 0, end: 1200 },
    );
    const three: readonly HandType[] = ["a.large", "b.large", "c.large"].map((type) => ({
      type,
      memoryGiB: 8,
      work: 8,
      onDemand: 100,
    }));
    const config = simConfig({ memoryGiB: 0, demandWork: 8, migrationModel: handModel });
    const scenario = buildZoneScenario(trace, zone, handResolution(three));
    const optimal = (await simulateZone(trace, scenario, config, optimalPolicy, { usdOnly: 0 })).result;
    const greedy = (
      await simulateZone(trace, scenario, config, greedyPolicy, resolveParams(greedyPolicy, {}))
    ).result;
    expect(greedy.timeline.filter((e) => e.kind === "hop").map((e) => e.time)).toEqual([300, 600]);
    expect(greedy.costUsd).toBeCloseTo(
      0.01 * (240 / 3600) + 36 * (130 / 3600) + 370 / 3600 + 0.01 * (540 / 3600),
      12,
    );
    expect(optimal.costUsd).toBeCloseTo(
      0.01 * (240 / 3600) + 36 * (130 / 3600) + 370 / 3600 + 0.01 * (540 / 3600),
      12,
    );
    expect(greedy.work).toBeCloseTo(optimal.work, 12);
    expect(optimal.costUsd).toBeLessThanOrEqual(greedy.costUsd + 1e-12);
  });

  it("follows its plan only at epochs, falls back to the cheapest market on an unforeseen notice, then returns to the plan", () => {
    // a 0.30, b 0.40 throughout (8 work units each, on-demand 5): the plan places a at 0 and stays.
    const { policy, observation } = handPlan([
      [zone, "a.large", 0, 0.3],
      [zone, "b.large", 0, 0.4],
    ]);
    const prices = Float64Array.of(0.3, 0.4, 5, 5);
    expect(policy.decide(observation(0, "start", null, prices))).toMatchObject({
      kind: "place",
      marketId: 0,
    });
    // On the plan's market it promises the same stay until the plan's next move: none, so the end.
    expect(policy.decide(observation(300, "interval", 0, prices))).toMatchObject({
      kind: "stay",
      until: Infinity,
    });
    expect(policy.decide(observation(700, "notice", 0, prices))).toMatchObject({
      kind: "place",
      marketId: 1,
    });
    // Off the plan's market it promises nothing: the next epoch takes the container back.
    expect(policy.decide(observation(800, "interval", 1, prices))).toStrictEqual({
      kind: "stay",
      reason: "not a decision epoch of the plan",
    });
    // The notice was a capacity event the plan could not know; a is there again at the next epoch.
    expect(policy.decide(observation(900, "interval", 1, prices))).toMatchObject({
      kind: "place",
      marketId: 0,
      reason: expect.stringContaining("back to the offline optimum's plan"),
    });
    expect(policy.decide(observation(1200, "interval", 0, prices)).kind).toBe("stay");
  });

  it("promises each stay until the epoch of the plan's next move", () => {
    // a 0.30 until 1800 s, then 2.00; b 0.40 throughout. The last epoch from which a hop leaves a
    // before 1800 s (terminated 130 s after the decision) is 1500 s: the plan moves to b there.
    const { policy, observation } = handPlan([
      [zone, "a.large", 0, 0.3],
      [zone, "b.large", 0, 0.4],
      [zone, "a.large", 1800, 2],
    ]);
    const before = Float64Array.of(0.3, 0.4, 5, 5);
    expect(policy.decide(observation(0, "start", null, before))).toMatchObject({
      kind: "place",
      marketId: 0,
    });
    for (const now of [300, 600, 1200]) {
      expect(policy.decide(observation(now, "interval", 0, before)), `${now} s`).toMatchObject({
        kind: "stay",
        until: 1500,
      });
    }
    expect(policy.decide(observation(1500, "interval", 0, before))).toMatchObject({
      kind: "place",
      marketId: 1,
    });
    const after = Float64Array.of(2, 0.4, 5, 5);
    expect(policy.decide(observation(1800, "interval", 1, after))).toMatchObject({
      kind: "stay",
      until: Infinity,
    });
  });

  it("is simulation only: without the whole trace it refuses to plan", () => {
    const context = {
      markets: [],
      billing: "per-second" as const,
      start: 0,
      end: 600,
      intervalSeconds: 300,
      memoryGiB: 1,
      demandWork: 1,
      utilisation: 1,
      migration: () => hop,
      inputs: {},
    };
    expect(() => optimalPolicy.create({ usdOnly: false }, context)).toThrow(HotspotError);
    expect(optimalPolicy.simulationOnly).toBe(true);
  });
});

/**
 * The optimum on a hand trace of `zone` over [0, 3600) (per-second billing, 300 s epochs, the hand
 * hop), and observations of it at `now` with `prices` per market id (a, b, then their on-demand).
 */
function handPlan(rows: Parameters<typeof handTrace>[0]) {
  const trace = handTrace(rows, { start: 0, end: 3600 });
  const scenario = buildZoneScenario(trace, zone, handResolution(types));
  const policy = optimalPolicy.create(
    { usdOnly: false },
    {
      markets: scenario.markets,
      billing: "per-second",
      start: 0,
      end: 3600,
      intervalSeconds: 300,
      memoryGiB: 8,
      demandWork: 8,
      utilisation: 1,
      migration: () => hop,
      inputs: {},
      fullTrace: { paths: scenario.paths },
    },
  );
  const observation = (
    now: number,
    trigger: Observation["trigger"],
    current: number | null,
    prices: Float64Array,
  ): Observation => ({
    now,
    trigger,
    zone,
    workUnit: "ecu",
    markets: scenario.markets,
    prices,
    excluded: new Set(),
    current: current === null ? null : { marketId: current, instanceStart: 60 },
    workload: { memoryGiB: 8, demandWork: 8, utilisation: 1 },
    billing: { model: "per-second", intervalSeconds: 1, paidTimeLeft: 0 },
    interruptionAt: trigger === "notice" ? now + 120 : null,
    rebalance: new Map(),
    history: { windowSeconds: 86400, changes: () => 0, meanTimeToChangeOfCheapest: () => Infinity },
    migration: () => hop,
  });
  return { policy, observation };
}
