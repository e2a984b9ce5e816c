import { describe, expect, it } from "vitest";
import type { Market, MigrationEstimate, Observation } from "../../src/engine/types.js";
import { buildZoneScenario } from "../../src/drivers/sim/markets.js";
import { simulateZone, type SimConfig } from "../../src/drivers/sim/run.js";
import { hotspotPolicy } from "../../src/policies/hotspot.js";
import { hotspotPlusPolicy } from "../../src/policies/hotspot-plus.js";
import { resolveParams } from "../../src/policies/index.js";
import { optimalPolicy } from "../../src/policies/optimal.js";
import {
  instantiatePolicy,
  type Policy,
  type PolicyContext,
  type PolicyDefinition,
} from "../../src/engine/policy.js";
import type { Trace } from "../../src/traces/types.js";
import { Random } from "../../src/util/random.js";
import { handResolution, handTrace, simConfig, type HandType } from "../drivers/sim/fixtures.js";

function market(id: number, type: string, lifecycle: Market["lifecycle"], work: number): Market {
  return {
    id,
    zone: "us-east-1a",
    instanceType: type,
    lifecycle,
    vcpu: 4,
    memoryGiB: 8,
    work,
    onDemandUsd: 1,
    architecture: "x86_64",
    cpuVendor: "intel",
  };
}

const markets: readonly Market[] = [
  market(0, "a.large", "spot", 4),
  market(1, "b.large", "spot", 4),
  market(2, "c.4xlarge", "spot", 16),
  market(3, "a.large", "on-demand", 4),
];

// Spot hops take 60 + 30 + 30 = 120 s to end, on-demand ones 20 + 30 + 30 = 80 s; 30 s of downtime.
function hopTo(id: number): MigrationEstimate {
  const acquireSeconds = markets[id].lifecycle === "spot" ? 60 : 20;
  return { acquireSeconds, downtimeSeconds: 30, terminateSeconds: 30 };
}

interface Scene {
  prices: number[];
  hourly?: boolean;
  paidTimeLeft?: number;
  trigger?: Observation["trigger"];
  rebalance?: ReadonlyMap<number, number>;
}

// On m0, saturated (u_c = 1 ≥ 1 − ε) with a demand of 16 work units: u_i = min(16 / W_i, 1) = 1
// everywhere, so e_i = p_i / W_i and u_i × W_i = W_i. The mean time to change is 1 h: T = 3600 s.
function observe(scene: Scene): Observation {
  return {
    now: 36000,
    trigger: scene.trigger ?? "interval",
    zone: "us-east-1a",
    workUnit: "ecu",
    markets,
    prices: Float64Array.from(scene.prices),
    excluded: new Set(),
    current: { marketId: 0, instanceStart: 0 },
    workload: { memoryGiB: 4, demandWork: 16, utilisation: 1 },
    billing: {
      model: scene.hourly ? "hourly" : "per-second",
      intervalSeconds: scene.hourly ? 3600 : 1,
      paidTimeLeft: scene.paidTimeLeft ?? 0,
    },
    interruptionAt: scene.trigger === "notice" ? 36120 : null,
    rebalance: scene.rebalance ?? new Map(),
    history: { windowSeconds: 86400, changes: () => 0, meanTimeToChangeOfCheapest: () => 3600 },
    migration: hopTo,
  };
}

const context: PolicyContext = {
  markets,
  billing: "hourly",
  start: 0,
  end: 86400,
  intervalSeconds: 300,
  memoryGiB: 4,
  demandWork: 16,
  utilisation: 1,
  migration: (_from, to) => hopTo(to),
  inputs: {},
};

function plus(params: Record<string, number> = {}): Policy {
  return instantiatePolicy(hotspotPlusPolicy, resolveParams(hotspotPlusPolicy, params), context);
}

function paper(): Policy {
  return instantiatePolicy(hotspotPolicy, resolveParams(hotspotPolicy, {}), context);
}

// e: m0 0.80 / 4 = 0.20, m1 0.40 / 4 = 0.10, m2 3.20 / 16 = 0.20, m3 (on-demand) 1.00 / 4 = 0.25.
const calm = [0.8, 0.4, 3.2, 1.0];

describe("hotspot-plus: hourly billing, hops at the last call of the paid hour", () => {
  it("hops to m1 at the last call: 400 s left, a spot hop ends in 120 s, the next epoch (100 s) is too late", () => {
    // S_1 = (0.20 − 0.10) × 4 × 1 h = 0.40; C_1 = (0.40 × 30 + 0.80 × max(400, 120)) / 3600 = 332 / 3600.
    // N_1 = 0.40 − 0.09222 = 0.30778 > 0.
    const decision = plus().decide(observe({ prices: calm, hourly: true, paidTimeLeft: 400 }));
    expect(decision).toMatchObject({ kind: "place", marketId: 1 });
    expect(decision.reason).toContain("N = $0.3078");
  });

  it("waits mid-hour where the paper's rule already hops", () => {
    // 1200 s left: the paper's C_1 = (12 + 0.80 × 1200) / 3600 = 0.27, N_1 = 0.13 > 0: it hops and
    // throws the paid 1200 s away. 420 s left: 420 − 300 = 120 s still lets a spot hop end in time.
    expect(paper().decide(observe({ prices: calm, hourly: true, paidTimeLeft: 1200 }))).toMatchObject({
      kind: "place",
      marketId: 1,
    });
    for (const paidTimeLeft of [1200, 420]) {
      const decision = plus().decide(observe({ prices: calm, hourly: true, paidTimeLeft }));
      expect(decision.kind, `${paidTimeLeft} s left`).toBe("stay");
      expect(decision.reason).toBe(`paid interval runs ${paidTimeLeft} s more: not its last call`);
    }
  });

  it("does not hop once a hop would end after the renewal, where the paper's rule does", () => {
    // 100 s left < 120 s (spot) but ≥ 80 s (on-demand): only m3 is at its last call, and it is dearer
    // (e 0.25 > 0.20). The paper's rule hops to m1: C_1 = (12 + 0.80 × 120) / 3600 = 0.03, N_1 = 0.37.
    const scene = { prices: calm, hourly: true, paidTimeLeft: 100 };
    expect(paper().decide(observe(scene))).toMatchObject({ kind: "place", marketId: 1 });
    expect(plus().decide(observe(scene))).toMatchObject({
      kind: "stay",
      reason: "no candidate saves more than its transaction cost",
    });
    // 60 s left: no hop of either lifecycle ends in time, and the next epoch is in a new hour.
    expect(plus().decide(observe({ ...scene, paidTimeLeft: 60 })).reason).toBe(
      "paid interval runs 60 s more: not its last call",
    );
  });

  it("takes each target lifecycle's own last call: on-demand at 100 s left, spot at 400 s", () => {
    // m0 at 1.60: e_c = 0.40. At 100 s only on-demand m3 (80 s hop) can go: S_3 = 0.15 × 4 = 0.60,
    // C_3 = (1.00 × 30 + 1.60 × 100) / 3600 = 190 / 3600, N_3 = 0.54722.
    const prices = [1.6, 0.4, 3.2, 1.0];
    const late = plus().decide(observe({ prices, hourly: true, paidTimeLeft: 100 }));
    expect(late).toMatchObject({ kind: "place", marketId: 3 });
    expect(late.reason).toContain("N = $0.5472");
    // At 400 s: spot's last call (400 − 300 < 120), not on-demand's (400 − 300 ≥ 80): m1.
    expect(plus().decide(observe({ prices, hourly: true, paidTimeLeft: 400 }))).toMatchObject({
      kind: "place",
      marketId: 1,
    });
  });

  it("leaves at once on a rebalance recommendation or a notice, whatever the paid time", () => {
    const rebalance = new Map([[0, 30000]]);
    expect(
      plus().decide(observe({ prices: calm, hourly: true, paidTimeLeft: 1800, rebalance })),
    ).toMatchObject({ kind: "place", marketId: 1 });
    expect(
      plus().decide(observe({ prices: calm, hourly: true, paidTimeLeft: 1800, trigger: "notice" })),
    ).toMatchObject({ kind: "place", marketId: 1 });
  });

  it("with lastCall=0 hops mid-hour as the paper does", () => {
    expect(
      plus({ lastCall: 0 }).decide(observe({ prices: calm, hourly: true, paidTimeLeft: 1200 })),
    ).toMatchObject({ kind: "place", marketId: 1 });
  });

  it("times nothing under per-second billing (its 1 s interval is shorter than the decision interval)", () => {
    // T = 3600 s; C_1 = (12 + 0.80 × 120) / 3600 = 0.03, N_1 = 0.37.
    expect(plus().decide(observe({ prices: calm }))).toMatchObject({ kind: "place", marketId: 1 });
  });
});

describe("hotspot-plus: the cheapest candidate that pays for its hop", () => {
  // m0 spiked to 4.00: e_c = 1.00. S_1 = (1.00 − 0.10) × 4 × 1 h = 3.60, S_2 = (1.00 − 0.20) × 16 = 12.80,
  // S_3 = 0.75 × 4 = 3.00. C_1 = (0.40 × 30 + 4.00 × 120) / 3600 = 492 / 3600, C_2 = (96 + 480) / 3600 =
  // 0.16: N_1 = 3.46333, N_2 = 12.64. The paper takes m2, which costs 0.20 per work-unit-hour, twice m1.
  const spike = [4.0, 0.4, 3.2, 1.0];

  it("hops to the lowest e_i with N_i > 0, not to the largest N_i", () => {
    expect(paper().decide(observe({ prices: spike }))).toMatchObject({ kind: "place", marketId: 2 });
    const decision = plus().decide(observe({ prices: spike }));
    expect(decision).toMatchObject({ kind: "place", marketId: 1 });
    expect(decision.reason).toContain("N = $3.4633");
  });

  it("passes over a cheaper candidate that does not pay for its hop", () => {
    // m1 at 0.772: e = 0.193, S_1 = 0.007 × 4 = 0.028 < C_1 = (23.16 + 96) / 3600 = 0.0331.
    // m2 at 3.12: e = 0.195, S_2 = 0.005 × 16 = 0.08, C_2 = (93.6 + 96) / 3600 = 0.05267: N_2 = 0.02733.
    const decision = plus().decide(observe({ prices: [0.8, 0.772, 3.12, 1.0] }));
    expect(decision).toMatchObject({ kind: "place", marketId: 2 });
    expect(decision.reason).toContain("N = $0.0273");
  });

  it("with lowestCost=0 takes the largest N_i as the paper does", () => {
    expect(plus({ lowestCost: 0 }).decide(observe({ prices: spike }))).toMatchObject({
      kind: "place",
      marketId: 2,
    });
  });
});

const zone = "us-east-1a";

const types: readonly HandType[] = [
  { type: "a.large", memoryGiB: 8, work: 8, onDemand: 0.4 },
  { type: "b.xlarge", memoryGiB: 16, work: 16, onDemand: 0.8 },
  { type: "c.large", memoryGiB: 8, work: 6, onDemand: 0.35 },
  { type: "d.2xlarge", memoryGiB: 32, work: 26, onDemand: 1.3 },
];

/**
 * A bidding-era-like trace: each type holds a base price near 15% of on-demand that drifts, and
 * spikes to 1–3× on-demand for 5–40 minutes, at random times.
 */
function volatileTrace(seed: number, hours: number): Trace {
  const random = new Random(seed);
  const rows: [string, string, number, number][] = [];
  const round = (usd: number) => Math.round(usd * 10000) / 10000;
  for (const t of types) {
    let time = 0;
    let base = t.onDemand * random.uniform(0.1, 0.25);
    while (time < hours * 3600) {
      rows.push([zone, t.type, Math.round(time), round(base)]);
      time += random.uniform(300, 5400);
      if (random.uniform(0, 1) < 0.4) {
        rows.push([zone, t.type, Math.round(time), round(t.onDemand * random.uniform(1, 3))]);
        time += random.uniform(300, 2400);
      }
      base = Math.max(0.01, base * random.uniform(0.8, 1.25));
    }
  }
  return handTrace(rows, { start: 0, end: hours * 3600 });
}

async function run(trace: Trace, definition: PolicyDefinition, config: SimConfig, params = {}) {
  const scenario = buildZoneScenario(trace, zone, handResolution(types));
  const result = await simulateZone(trace, scenario, config, definition, resolveParams(definition, params));
  return result.result;
}

const SEEDS = 30;

describe("hotspot-plus laws (mean durations, no interruptions, open-ended, constant load)", () => {
  for (const billing of ["hourly", "per-second"] as const) {
    it(`never has a lower USD per work-unit-hour than the optimum: ${billing}, ${SEEDS} volatile traces`, async () => {
      const config = simConfig({ billing, memoryGiB: 8, demandWork: 12 });
      for (let seed = 1; seed <= SEEDS; seed++) {
        const trace = volatileTrace(seed, 24);
        const optimal = await run(trace, optimalPolicy, config);
        for (const rules of [{}, { lastCall: 0 }, { lowestCost: 0 }]) {
          const result = await run(trace, hotspotPlusPolicy, config, rules);
          expect(optimal.costUsd / optimal.work, `seed ${seed} ${JSON.stringify(rules)}`).toBeLessThanOrEqual(
            (result.costUsd / result.work) * (1 + 1e-12),
          );
        }
      }
    });

    it(`with both rules off is the paper's hotspot exactly: ${billing}, ${SEEDS} volatile traces`, async () => {
      const config = simConfig({ billing, memoryGiB: 8, demandWork: 12 });
      let differs = 0;
      for (let seed = 1; seed <= SEEDS; seed++) {
        const trace = volatileTrace(seed, 24);
        const hotspot = await run(trace, hotspotPolicy, config);
        const off = await run(trace, hotspotPlusPolicy, config, { lastCall: 0, lowestCost: 0 });
        expect(off, `seed ${seed}`).toEqual(hotspot);
        const on = await run(trace, hotspotPlusPolicy, config);
        if (on.costUsd !== hotspot.costUsd) differs++;
      }
      // The traces exercise the rules: with them on, some runs differ.
      expect(differs).toBeGreaterThan(0);
    });
  }
});
