import { describe, expect, it } from "vitest";
import type { PricePath } from "../../src/engine/billing.js";
import { buildZoneScenario } from "../../src/drivers/sim/markets.js";
import { simulateZone } from "../../src/drivers/sim/run.js";
import type { MigrationModelConfig } from "../../src/engine/migration-model.js";
import type { MigrationEstimate, Observation } from "../../src/engine/types.js";
import { StepWorkload } from "../../src/engine/workload.js";
import { HotspotError } from "../../src/errors.js";
import { greedyPolicy } from "../../src/policies/greedy.js";
import { resolveParams } from "../../src/policies/index.js";
import { optimalPolicy } from "../../src/policies/optimal.js";
import { evaluatePlan, solveOptimalPlan, type EpochCostModel } from "../../src/policies/optimal/dp.js";
import { buildRunCostModel } from "../../src/policies/optimal/engine-costs.js";
import { solvePlan } from "../../src/policies/optimal/ratio.js";
import { Random } from "../../src/util/random.js";
import { handResolution, handTrace, simConfig, type HandType } from "../drivers/sim/fixtures.js";

/** A step price path from [time, USD/hour] pairs. */
function steps(points: readonly [number, number][]): PricePath {
  return {
    priceAt: (t) => {
      let price = NaN;
      for (const [time, value] of points) if (time <= t) price = value;
      return price;
    },
    nextChange: (t) => points.find(([time]) => time > t)?.[0] ?? Infinity,
  };
}

/** A DP model from explicit tables (K epochs × M markets, one phase, one hop group, hops take 1 epoch). */
function tableModel(price: number[][], leaveUsd: number): EpochCostModel {
  const M = price[0].length;
  return {
    epochs: price.length,
    markets: M,
    phases: 1,
    groups: 1,
    groupOf: new Int32Array(M),
    hopEpochs: Int32Array.of(1),
    placeEpochs: Int32Array.of(1),
    canEnter: () => true,
    place: (n) => price[0][n],
    stay: (k, m) => price[k][m],
    leave: () => leaveUsd,
    arrive: (k, n) => price[k][n],
    placeWork: () => 1,
    stayWork: () => 1,
    leaveWork: () => 0,
    arriveWork: () => 1,
  };
}

describe("optimal DP core (explicit tables)", () => {
  it("finds the hand-computed cheapest plan", () => {
    // Epoch prices m0 [1, 5, 1], m1 [3, 1, 3], leaving costs 0.5 (the target pays its epoch).
    // Place m0 (1), hop to m1 at 1 (0.5 + 1), hop back at 2 (0.5 + 1): 4.0. Alternatives: m0 throughout 7,
    // m1 throughout 7, m0 then m1 5.5, m1 then m0 at 2: 3 + 1 + 1.5 = 5.5.
    const model = tableModel(
      [
        [1, 3],
        [5, 1],
        [1, 3],
      ],
      0.5,
    );
    const plan = solveOptimalPlan(model);
    expect(plan.value).toBe(4);
    expect(Array.from(plan.placeAt)).toEqual([0, 1, 0]);
    expect(evaluatePlan(model, plan.placeAt)).toEqual({ costUsd: 4, work: 3 });
  });

  it("does not hop when leaving costs more than it saves", () => {
    // Same prices, leaving costs 3: m0 throughout (7) beats 1 + 3.5 + 3.5 = 8 and 1 + 3.5 + 3 = 7.5.
    const plan = solveOptimalPlan(
      tableModel(
        [
          [1, 3],
          [5, 1],
          [1, 3],
        ],
        3,
      ),
    );
    expect(plan.value).toBe(7);
    expect(Array.from(plan.placeAt)).toEqual([0, -1, -1]);
  });

  it("matches brute-force enumeration of every plan on random models", () => {
    const random = new Random(7);
    for (let trial = 0; trial < 300; trial++) {
      const model = randomModel(random);
      const plans = enumeratePlans(model);
      const workPrice = random.uniform(0, 2);
      let bestValue = Infinity;
      let bestRatio = Infinity;
      for (const placeAt of plans) {
        const { costUsd, work } = evaluatePlan(model, placeAt);
        bestValue = Math.min(bestValue, costUsd - workPrice * work);
        if (work > 0) bestRatio = Math.min(bestRatio, costUsd / work);
      }
      const solved = solveOptimalPlan(model, workPrice);
      expect(solved.value, `trial ${trial}`).toBeCloseTo(bestValue, 9);
      const totals = evaluatePlan(model, solved.placeAt);
      expect(totals.costUsd - workPrice * totals.work, `trial ${trial}: plan`).toBeCloseTo(bestValue, 9);
      const ratio = solvePlan(model, "usd-per-work");
      expect(ratio.costUsd / ratio.work, `trial ${trial}: ratio`).toBeCloseTo(bestRatio, 9);
    }
  });
});

/** Random tables: 2–4 markets, 3–6 epochs, 1–3 phases, 2 hop groups taking 1–2 epochs, some markets not enterable. */
function randomModel(random: Random): EpochCostModel {
  const K = random.integer(3, 6);
  const M = random.integer(2, 4);
  const P = random.integer(1, 3);
  const table = (size: number) => Float64Array.from({ length: size }, () => random.uniform(0, 3));
  const stay = table(K * M * P);
  const leave = table(K * M * P * 2);
  const arrive = table(K * M);
  const place = table(M);
  const work = table(K * M * 4);
  const enter = Uint8Array.from({ length: K * M }, () => (random.next() < 0.8 ? 1 : 0));
  return {
    epochs: K,
    markets: M,
    phases: P,
    groups: 2,
    groupOf: Int32Array.from({ length: M }, (_, m) => m % 2),
    hopEpochs: Int32Array.of(random.integer(1, 2), random.integer(1, 2)),
    placeEpochs: Int32Array.of(random.integer(1, 2), 1),
    canEnter: (k, n) => enter[k * M + n] === 1,
    place: (n) => place[n],
    stay: (k, m, phase) => stay[(k * M + m) * P + phase],
    leave: (k, m, phase, g) => leave[((k * M + m) * P + phase) * 2 + g],
    arrive: (k, n) => arrive[k * M + n],
    placeWork: (n) => work[n],
    stayWork: (k, m) => work[(k * M + m) * 4 + 1],
    leaveWork: (k, m, g) => work[(k * M + m) * 4 + 2 + g] * 0.1,
    arriveWork: (k, n) => work[(k * M + n) * 4 + 3],
  };
}

/** Every plan: a first placement, then at each decision epoch stay or hop to another enterable market. */
function enumeratePlans(model: EpochCostModel): Int32Array[] {
  const { epochs: K, markets: M, groupOf, hopEpochs, placeEpochs } = model;
  const plans: Int32Array[] = [];
  const walk = (k: number, m: number, placeAt: Int32Array): void => {
    if (k >= K) {
      plans.push(placeAt.slice());
      return;
    }
    walk(k + 1, m, placeAt);
    for (let n = 0; n < M; n++) {
      if (n === m || !model.canEnter(k, n)) continue;
      placeAt[k] = n;
      walk(k + hopEpochs[groupOf[n]], n, placeAt);
      placeAt[k] = -1;
    }
  };
  for (let n = 0; n < M; n++) {
    if (!model.canEnter(0, n)) continue;
    const placeAt = new Int32Array(K).fill(-1);
    placeAt[0] = n;
    walk(placeEpochs[groupOf[n]], n, placeAt);
  }
  return plans;
}

// Acquire 60 s, downtime 30 s, terminate 40 s for every target.
const hop: MigrationEstimate = { acquireSeconds: 60, downtimeSeconds: 30, terminateSeconds: 40 };
const flat = (usd: number): PricePath => steps([[-Infinity, usd]]);

describe("optimal costs under the engine's billing (hand-computed)", () => {
  it("per second: bills the source until terminated and the target from its acquire", () => {
    // Epochs 0, 600, 1200; end 1800. m0 0.36 $/h then 3.60 from 900; m1 0.72; m2 0.35 with a quarter of
    // the capacity (2 of the 8 work units the container wants).
    // Place m0 at 0 (billed 60..600: 0.054), hop to m1 at 600: m0 billed 600..730 (0.013), m1 660..1800 (0.228):
    // 0.295 USD. Work (8 units/h on m0, m1): m0 runs 60..660, down 660..690, m1 runs 690..1800: 1710 s = 3.8.
    // Staying on m2 costs least in USD: 0.35 × 1740 s = 0.169167, for 2 × 1740 s = 0.9667 work (0.175 $/unit)
    // against 0.295 / 3.8 = 0.0776 $/unit for the hop (m0 then m2 at 600: 0.177833 / 1.95 = 0.0912).
    const model = buildRunCostModel({
      start: 0,
      end: 1800,
      intervalSeconds: 600,
      billing: "per-second",
      paths: [
        steps([
          [0, 0.36],
          [900, 3.6],
        ]),
        flat(0.72),
        flat(0.35),
      ],
      groupOf: new Int32Array(3),
      hops: [hop],
      capacity: Float64Array.of(8, 8, 2),
      workload: StepWorkload.constant(8, 1),
    });
    const usd = solvePlan(model, "usd");
    expect(Array.from(usd.placeAt)).toEqual([2, -1, -1]);
    expect(usd.costUsd).toBeCloseTo((0.35 * 1740) / 3600, 12);
    const perWork = solvePlan(model, "usd-per-work");
    expect(Array.from(perWork.placeAt)).toEqual([0, 1, -1]);
    expect(perWork.costUsd).toBeCloseTo(0.054 + 0.013 + 0.228, 12);
    expect(perWork.work).toBeCloseTo((8 * 1710) / 3600, 12);
  });

  it("hourly: leaves before the next hour of the source starts, and knows which hours fit before the end", () => {
    // Epochs every 1200 s (3 phases per hour), end 6000. m0 0.50 then 2.00 from 2000; m1 1.00.
    // Place m0 (hours from 60: 0.50 at 60; 3660 would charge 2.00). Hop at 2400: m0 ends at 2530 before
    // 3660; m1 runs from 2460, its second hour would start at 6060 ≥ 6000: 0.50 + 1.00 = 1.50.
    // Hopping at 1200 starts m1 at 1260, so 4860 is a second hour: 2.50; at 3600 m0 ends at 3730 > 3660: 3.50;
    // m1 throughout: 60 and 3660: 2.00; m0 throughout: 2.50; m1 then m0 at 2400: 1.00 + 2.00.
    const model = buildRunCostModel({
      start: 0,
      end: 6000,
      intervalSeconds: 1200,
      billing: "hourly",
      paths: [
        steps([
          [0, 0.5],
          [2000, 2],
        ]),
        flat(1),
      ],
      groupOf: new Int32Array(2),
      hops: [hop],
      capacity: Float64Array.of(8, 8),
      workload: StepWorkload.constant(8, 1),
    });
    expect(model.phases).toBe(3);
    const plan = solvePlan(model, "usd");
    expect(plan.costUsd).toBe(1.5);
    expect(Array.from(plan.placeAt)).toEqual([0, -1, 1, -1, -1]);
  });

  it("charges the 60 s minimum to an instance started within a minute of the end", () => {
    // Epochs 0, 300; end 400; hop at 300 to m1: m1 runs from 360, billed to 420 although the run ends at 400.
    // m0 1.00 until 250, then 36.00; m1 0.36. Place m0: 60..300 = 240 s × 1 + 50 s × 36 = 0.0667 + 0.5
    // = 0.5667; hop at 300: m0 300..400 at 36 = 1.0, m1 360..420 at 0.36 = 0.006.
    const model = buildRunCostModel({
      start: 0,
      end: 400,
      intervalSeconds: 300,
      billing: "per-second",
      paths: [
        steps([
          [0, 1],
          [250, 36],
        ]),
        flat(0.36),
      ],
      groupOf: new Int32Array(2),
      hops: [hop],
      capacity: Float64Array.of(8, 8),
      workload: StepWorkload.constant(8, 1),
    });
    expect(model.arrive(1, 1)).toBeCloseTo((0.36 * 60) / 3600, 12);
    expect(model.leave(1, 0, 0, 0)).toBeCloseTo((36 * 100) / 3600, 12);
  });

  it("refuses per-second plans whose instances could live under the 60 s minimum", () => {
    const build = () =>
      buildRunCostModel({
        start: 0,
        end: 600,
        intervalSeconds: 30,
        billing: "per-second",
        paths: [flat(1)],
        groupOf: new Int32Array(1),
        hops: [{ acquireSeconds: 0, downtimeSeconds: 0, terminateSeconds: 0 }],
        capacity: Float64Array.of(1),
        workload: StepWorkload.constant(1, 1),
      });
    expect(build).toThrow(/live ≥ 60 s/);
  });

  it("refuses a run whose tables would pass the memory budget, naming the size", () => {
    // 90 days at 60 s: 129,600 epochs; 600 markets × (3 doubles + 1 byte + a 2-byte back-pointer) ≈ 2 GiB,
    // under the 150 M states the back-pointers allow.
    const markets = 600;
    const build = () =>
      buildRunCostModel({
        start: 0,
        end: 90 * 86400,
        intervalSeconds: 60,
        billing: "per-second",
        paths: Array.from({ length: markets }, () => flat(1)),
        groupOf: new Int32Array(markets),
        hops: [hop],
        capacity: new Float64Array(markets).fill(8),
        workload: StepWorkload.constant(8, 1),
      });
    expect(build).toThrow(HotspotError);
    expect(build).toThrow(/129600 epochs × 600 markets × 1 billing phases, \d+ MiB of tables/);
  });

  it("refuses hourly plans whose epochs do not divide the hour (phases would not repeat)", () => {
    const build = () =>
      buildRunCostModel({
        start: 0,
        end: 7200,
        intervalSeconds: 700,
        billing: "hourly",
        paths: [flat(1)],
        groupOf: new Int32Array(1),
        hops: [hop],
        capacity: Float64Array.of(1),
        workload: StepWorkload.constant(1, 1),
      });
    expect(build).toThrow(/divides 3600 s, found 700 s/);
  });
});

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
      workload: StepWorkload.constant(8, 1),
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
    const trace = handTrace(
      [
        [zone, "a.large", 0, 0.3],
        [zone, "b.large", 0, 0.4],
      ],
      { start: 0, end: 3600 },
    );
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
        fullTrace: { trace, marketOfSeries: scenario.marketOfSeries },
      },
    );
    const observation = (
      now: number,
      trigger: Observation["trigger"],
      current: number | null,
    ): Observation => ({
      now,
      trigger,
      zone,
      workUnit: "ecu",
      markets: scenario.markets,
      prices: Float64Array.of(0.3, 0.4, 5, 5),
      excluded: new Set(),
      current: current === null ? null : { marketId: current, instanceStart: 60 },
      workload: { memoryGiB: 8, demandWork: 8, utilisation: 1 },
      billing: { model: "per-second", intervalSeconds: 1, paidTimeLeft: 0 },
      interruptionAt: trigger === "notice" ? now + 120 : null,
      rebalance: new Map(),
      history: { windowSeconds: 86400, changes: () => 0, meanTimeToChangeOfCheapest: () => Infinity },
      migration: () => hop,
    });
    expect(policy.decide(observation(0, "start", null))).toMatchObject({ kind: "place", marketId: 0 });
    expect(policy.decide(observation(300, "interval", 0)).kind).toBe("stay");
    expect(policy.decide(observation(700, "notice", 0))).toMatchObject({ kind: "place", marketId: 1 });
    // The notice was a capacity event the plan could not know; a is there again at the next epoch.
    expect(policy.decide(observation(900, "interval", 1))).toMatchObject({
      kind: "place",
      marketId: 0,
      reason: expect.stringContaining("back to the offline optimum's plan"),
    });
    expect(policy.decide(observation(1200, "interval", 0)).kind).toBe("stay");
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
