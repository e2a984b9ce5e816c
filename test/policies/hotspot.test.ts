import { describe, expect, it } from "vitest";
import type {
  Market,
  MigrationEstimate,
  Observation,
  Placement,
  PriceHistoryView,
  PriceWatch,
} from "../../src/engine/types.js";
import { hotspotPolicy } from "../../src/policies/hotspot.js";
import {
  expectedUtilisation,
  isSaturated,
  savingsHorizon,
  transactionCost,
  usedWork,
} from "../../src/policies/hotspot/economics.js";
import type { Policy, PolicyContext } from "../../src/engine/policy.js";

function market(
  id: number,
  type: string,
  lifecycle: Market["lifecycle"],
  work: number,
  memoryGiB: number,
): Market {
  return {
    id,
    zone: "us-east-1a",
    instanceType: type,
    lifecycle,
    vcpu: work,
    memoryGiB,
    work,
    onDemandUsd: 1,
    architecture: "x86_64",
    cpuVendor: "intel",
  };
}

// m2 is the cheapest per work unit by far but has too little memory for the 4 GiB container.
const markets: readonly Market[] = [
  market(0, "a.large", "spot", 4, 8),
  market(1, "b.xlarge", "spot", 8, 16),
  market(2, "c.small", "spot", 2, 2),
  market(3, "a.large", "on-demand", 4, 8),
  market(4, "d.medium", "spot", 2, 8),
  market(5, "e.xlarge", "spot", 8, 16),
];

// The target is billed idle for the 30 s downtime; the source is billed 60 + 30 + 30 = 120 s.
const hop: MigrationEstimate = { acquireSeconds: 60, downtimeSeconds: 30, terminateSeconds: 30 };

interface Scene {
  now?: number;
  trigger?: Observation["trigger"];
  prices: number[];
  current: number | null;
  utilisation?: number;
  demandWork?: number;
  hourly?: boolean;
  paidTimeLeft?: number;
  meanTimeToChange?: number;
  excluded?: number[];
  interruptionAt?: number | null;
  /** Markets with a rebalance recommendation, and since when. */
  rebalance?: ReadonlyMap<number, number>;
  /** When the oldest change of the cheapest leaves the look-back window; absent: not known. */
  leavesAt?: number;
  /** Past prices, when the look-back keeps them. */
  lookBack?: Pick<PriceHistoryView, "priceAt" | "nextPriceChange">;
}

function observe(scene: Scene): Observation {
  const now = scene.now ?? 0;
  const current: Placement | null =
    scene.current === null ? null : { marketId: scene.current, instanceStart: 0 };
  return {
    now,
    trigger: scene.trigger ?? (current === null ? "start" : "interval"),
    zone: "us-east-1a",
    workUnit: "ecu",
    markets,
    prices: Float64Array.from(scene.prices),
    excluded: new Set(scene.excluded ?? []),
    current,
    workload: { memoryGiB: 4, demandWork: scene.demandWork ?? 2, utilisation: scene.utilisation ?? 0.5 },
    billing: {
      model: scene.hourly ? "hourly" : "per-second",
      intervalSeconds: scene.hourly ? 3600 : 1,
      paidTimeLeft: scene.paidTimeLeft ?? 0,
    },
    interruptionAt: scene.interruptionAt ?? null,
    rebalance: scene.rebalance ?? new Map(),
    history: {
      windowSeconds: 86400,
      changes: () => 0,
      meanTimeToChangeOfCheapest: () => scene.meanTimeToChange ?? 3600,
      ...(scene.leavesAt === undefined ? {} : { cheapestChangeLeavesAt: () => scene.leavesAt! }),
      ...scene.lookBack,
    },
    migration: () => hop,
  };
}

const context: PolicyContext = {
  markets,
  billing: "per-second",
  start: 0,
  end: 86400,
  intervalSeconds: 300,
  memoryGiB: 4,
  demandWork: 2,
  utilisation: 0.5,
  migration: () => hop,
  inputs: {},
};

function create(params: Record<string, number> = {}): Policy {
  return hotspotPolicy.create({ epsilon: 0.05, minHopIntervalSeconds: 0, ...params }, context);
}

// Base prices: m0 0.40 (e = 0.40 / (4 × 0.5) = 0.20), m1 0.30 (u = 2/8 = 0.25, e = 0.30 / 2 = 0.15),
// m2 0.01 (memory too small), m3 on-demand 0.50 (e = 0.25), m4 0.45 (u = 1, e = 0.225), m5 0.60 (e = 0.30).
const base = [0.4, 0.3, 0.01, 0.5, 0.45, 0.6];

describe("hotspot economics", () => {
  it("scales utilisation by capacity for a bigger and a smaller server, capped at 1", () => {
    // u_c = 0.5 on 4 ECU: 2 ECU used. On 8 ECU: 2/8 = 0.25. On 2 ECU: 1. On 1 ECU: 2 capped to 1.
    expect(expectedUtilisation(2, 8)).toBe(0.25);
    expect(expectedUtilisation(2, 2)).toBe(1);
    expect(expectedUtilisation(2, 1)).toBe(1);
  });

  it("treats u_c ≥ 1 − ε as saturated, and just below it as not", () => {
    expect(isSaturated(0.95, 0.05)).toBe(true);
    expect(isSaturated(0.94, 0.05)).toBe(false);
    expect(isSaturated(1, 0)).toBe(true);
    expect(isSaturated(0.999, 0)).toBe(false);
  });

  it("assumes a saturated container uses its whole declared demand, a measured one what it uses", () => {
    // 0.5 × 4 ECU = 2 used. Saturated (0.95 ≥ 0.95): the demand, 12 ECU (u = 1 on 8 ECU, 0.75 on 16);
    // an unbounded demand gives the paper's u_i = 1 everywhere. At 0.94: 0.94 × 4 = 3.76.
    expect(usedWork(0.5, 4, 12, 0.05)).toBe(2);
    expect(usedWork(0.95, 4, 12, 0.05)).toBe(12);
    expect(expectedUtilisation(usedWork(0.95, 4, 12, 0.05), 16)).toBe(0.75);
    expect(expectedUtilisation(usedWork(0.95, 4, Infinity, 0.05), 64)).toBe(1);
    expect(usedWork(0.94, 4, 12, 0.05)).toBeCloseTo(3.76, 12);
  });

  it("charges the target for the downtime and the source until terminated or its paid time ends", () => {
    // (0.30 × 30 + 0.40 × max(0, 120)) / 3600 = (9 + 48) / 3600
    expect(transactionCost(0.3, 0.4, 0, hop)).toBeCloseTo(57 / 3600, 15);
    // Hourly, 3000 s left on the source: (9 + 0.40 × 3000) / 3600 = 1209 / 3600
    expect(transactionCost(0.3, 0.4, 3000, hop)).toBeCloseTo(1209 / 3600, 15);
  });

  it("takes T_i as the longer of the billing interval and the mean time to change, the window if none", () => {
    expect(savingsHorizon(1, 4000, 86400)).toBe(4000);
    expect(savingsHorizon(3600, 600, 86400)).toBe(3600);
    expect(savingsHorizon(1, Infinity, 86400)).toBe(86400);
  });
});

describe("hotspot policy", () => {
  it("places the first time on the lowest e_i, leaving out servers without the memory", () => {
    // No server: the load level 0.5 of the 2-ECU demand, 1 ECU used anywhere, so e_i = p_i / 1:
    // m0 0.40, m1 0.30, m3 0.50, m4 0.45, m5 0.60; m2 (e = 0.01) has 2 GiB < 4 GiB.
    const decision = create().decide(observe({ prices: base, current: null }));
    expect(decision).toMatchObject({ kind: "place", marketId: 1 });
  });

  it("does not place on an excluded market", () => {
    const decision = create().decide(observe({ prices: base, current: null, excluded: [1] }));
    expect(decision).toMatchObject({ kind: "place", marketId: 0 });
  });

  it("hops when the expected savings exceed the transaction cost", () => {
    // On m0: e_c = 0.20. Best candidate m1: e = 0.15, used work 2, T = 3600 s:
    // S = (0.20 − 0.15) × 2 × 1 h = 0.10; C = 57 / 3600 = 0.01583; N = 0.08417 > 0.
    const decision = create().decide(observe({ prices: base, current: 0 }));
    expect(decision).toMatchObject({ kind: "place", marketId: 1 });
    expect(decision.reason).toContain("N = $0.0842");
  });

  it("stays when the transaction cost exceeds the savings, and hops once the horizon is long enough", () => {
    // m1 at 0.39: e = 0.195, S = 0.005 × 2 × 1 h = 0.01; C = (0.39 × 30 + 0.40 × 120) / 3600 = 0.01658 > S.
    const prices = [0.4, 0.39, 0.01, 0.5, 0.45, 0.6];
    expect(create().decide(observe({ prices, current: 0 })).kind).toBe("stay");
    // Mean time to change 2 h: S = 0.02 > 0.01658.
    const longer = create().decide(observe({ prices, current: 0, meanTimeToChange: 7200 }));
    expect(longer).toMatchObject({ kind: "place", marketId: 1 });
  });

  it("counts the unused paid hour of the source under hourly billing", () => {
    // Same as the first hop (S = 0.10) but 3000 s of the hour are paid: C = 1209 / 3600 = 0.336 > S.
    const decision = create().decide(observe({ prices: base, current: 0, hourly: true, paidTimeLeft: 3000 }));
    expect(decision.kind).toBe("stay");
  });

  it("having weighed the candidates, stays until the paid time left lets one pay or the horizon may grow", () => {
    // m1 as above: S = 0.05 × 2 × 1 h = 0.10; C = (0.3 × 30 + 0.4 × max(T_r, 120)) / 3600 stays at least
    // S while T_r ≥ (360 − 9) / 0.4 = 877.5 s: from 3000 s paid, for 2122.5 s. Another market pays
    // only at e ≤ (0.2 × 3600 − 0.4 × 877.5 / 2) / (3600 + 30) = 0.15; m0 matters if its e rises.
    const scene = { prices: base, current: 0, hourly: true, paidTimeLeft: 3000 };
    const decision = create().decide(observe({ ...scene, leavesAt: 5000 }));
    expect(decision).toMatchObject({
      kind: "stay",
      watch: { market: -1, other: -1, lowest: 0, ceiling: 0.2 },
    });
    const { until, watch } = decision as { until: number; watch: PriceWatch };
    // Rounding allowances end it a little early and watch a little more.
    expect(until).toBeCloseTo(2122.5, 5);
    expect(until).toBeLessThan(2122.5);
    expect(watch.line).toBeCloseTo(0.15, 8);
    expect(watch.line).toBeGreaterThan(0.15);
    // A change of the cheapest leaving the window at 1000 s may lengthen the horizon then.
    expect(create().decide(observe({ ...scene, leavesAt: 1000 }))).toMatchObject({ until: 1000 });
    // Not knowing when (a live view), it promises nothing.
    expect(create().decide(observe(scene))).toEqual({
      kind: "stay",
      reason: "no candidate saves more than its transaction cost",
    });
  });

  it("prefers a smaller server when the container cannot use a bigger one", () => {
    // Per ECU m5 (0.72 / 8 = 0.09) beats m0 (0.40 / 4 = 0.10), but utilised (2 ECU used):
    // m5 u = 0.25, e = 0.72 / 2 = 0.36 > e_c = 0.20; m4 (2 ECU) u = 1, e = 0.38 / 2 = 0.19 < e_c.
    // S_4 = 0.01 × 2 × 2 h = 0.04, C = (0.38 × 30 + 48) / 3600 = 0.0165: hop to the smaller m4.
    const prices = [0.4, 0.9, 0.01, 0.5, 0.38, 0.72];
    const decision = create().decide(observe({ prices, current: 0, meanTimeToChange: 7200 }));
    expect(decision).toMatchObject({ kind: "place", marketId: 4 });
  });

  it("assumes a saturated container fills a bigger server, at the ε boundary and not below it", () => {
    // m0 0.40, m1 0.60; m4 and m5 priced out. u_c = 0.95, ε = 0.05, unbounded demand: every u_i = 1:
    // e_c = 0.40 / 4 = 0.10, e_1 = 0.60 / 8 = 0.075, S = 0.025 × 8 × 1 h = 0.20, C = (18 + 48) / 3600: hop.
    const scene = { prices: [0.4, 0.6, 0.01, 0.5, 5, 5], current: 0, demandWork: Infinity };
    const saturated = create().decide(observe({ ...scene, utilisation: 0.95 }));
    expect(saturated).toMatchObject({ kind: "place", marketId: 1 });
    // u_c = 0.94: 3.76 ECU used anywhere, e_c = 0.40 / 3.76 < e_1 = 0.60 / 3.76: stay.
    expect(create().decide(observe({ ...scene, utilisation: 0.94 })).kind).toBe("stay");
    // ε = 0.04 makes 0.95 unsaturated too.
    const strict = create({ epsilon: 0.04 }).decide(observe({ ...scene, utilisation: 0.95 }));
    expect(strict.kind).toBe("stay");
    // A declared demand of 4 ECU caps it: u_1 = 0.5, e_1 = 0.60 / 4 = 0.15 > e_c = 0.10: stay.
    const bounded = create().decide(observe({ ...scene, utilisation: 0.95, demandWork: 4 }));
    expect(bounded.kind).toBe("stay");
  });

  it("carries forward an unrecouped hop cost that blocks a small saving until it is paid back", () => {
    // t = 0: hop m0 -> m1 with C = 57 / 3600 = 0.015833 (as above).
    // t = 300: on m1 (used 2 of 8 ECU, u_c = 0.25), e_c = 0.15; m5 at 0.298: e = 0.149, T = 10 h:
    // S = 0.001 × 2 × 10 = 0.02, C = (0.298 × 30 + 0.30 × 120) / 3600 = 0.012483, S − C = 0.007517 > 0,
    // but S − 0.015833 − C < 0: stay. Savings over m0 then accrue at (0.20 − 0.15) × 2 = 0.1 $/h.
    // t = 500: 200 s recouped 0.005556, 0.010278 left > 0.007517: still blocked.
    // t = 700: 400 s recouped 0.011111, 0.004722 left < 0.007517: the hop to m5 goes ahead.
    const policy = create();
    expect(policy.decide(observe({ prices: base, current: 0 }))).toMatchObject({
      kind: "place",
      marketId: 1,
    });
    const later = {
      prices: [0.4, 0.3, 0.01, 0.5, 0.45, 0.298],
      current: 1,
      utilisation: 0.25,
      meanTimeToChange: 36000,
    };
    expect(policy.decide(observe({ ...later, now: 300 })).kind).toBe("stay");
    // A policy without that history would hop at t = 300.
    expect(create().decide(observe({ ...later, now: 300 }))).toMatchObject({ kind: "place", marketId: 5 });
    expect(policy.decide(observe({ ...later, now: 500 })).kind).toBe("stay");
    const recouped = policy.decide(observe({ ...later, now: 700 }));
    expect(recouped).toMatchObject({ kind: "place", marketId: 5 });
    expect(recouped.reason).toContain("unrecouped $0.0047");
  });

  it("while it recoups a hop's cost, a stay with nothing to weigh also watches the two markets that set the rate", () => {
    // t = 0: hop m0 -> m1 (C = 0.015833). t = 300 on m1: e_c = 0.3 / 2 = 0.15, the lowest; the next
    // lowest is m0's 0.4 / 2 = 0.2. The debt is recouped at (e_m0 − e_m1) × 2 $/h: any price change
    // of m1 or m0 matters. Without the debt only the line halfway, at 0.175, does.
    const calm = { prices: [0.4, 0.3, 0.01, 0.5, 0.45, 0.5], current: 1, utilisation: 0.25, now: 300 };
    const line = 0.15 + (0.2 - 0.15) / 2;
    const watch = { lowest: 1, ceiling: line, divisors: Float64Array.of(2, 2, NaN, 2, 2, 2), line };
    const policy = create();
    policy.decide(observe({ prices: base, current: 0 }));
    expect(policy.decide(observe(calm))).toMatchObject({
      until: Infinity,
      watch: { ...watch, market: 1, other: 0 },
    });
    expect(create().decide(observe(calm))).toMatchObject({ watch: { ...watch, market: -1, other: -1 } });
    // A look-back that tells past prices lets their changes pass: the rate is found again per epoch.
    const pricesKept = create();
    const lookBack = { priceAt: () => NaN, nextPriceChange: () => Infinity };
    pricesKept.decide(observe({ prices: base, current: 0, lookBack }));
    expect(pricesKept.decide(observe({ ...calm, lookBack }))).toMatchObject({
      watch: { ...watch, market: -1, other: -1 },
    });
  });

  it("carries no cost for a chosen hop the container never made", () => {
    // The hop m0 -> m1 is chosen at t = 0 but at t = 1200 the container is still on m0 (hop failed):
    // no cost is carried, so the same hop is chosen again with the full N = 0.0842.
    const policy = create();
    policy.decide(observe({ prices: base, current: 0 }));
    const again = policy.decide(observe({ prices: base, current: 0, now: 1200 }));
    expect(again).toMatchObject({ kind: "place", marketId: 1 });
    expect(again.reason).toContain("N = $0.0842");
  });

  it("waits out the minimum interval between moves", () => {
    // First placement at t = 0 on m1 (lowest e); at t = 300, m5 at 0.10 is far better but 300 < 600 s.
    const policy = create({ minHopIntervalSeconds: 600 });
    expect(policy.decide(observe({ prices: base, current: null }))).toMatchObject({ marketId: 1 });
    const prices = [0.4, 0.3, 0.01, 0.5, 0.45, 0.1];
    const early = policy.decide(observe({ prices, current: 1, utilisation: 0.25, now: 300 }));
    expect(early.kind).toBe("stay");
    const onTime = policy.decide(observe({ prices, current: 1, utilisation: 0.25, now: 600 }));
    expect(onTime).toMatchObject({ kind: "place", marketId: 5 });
  });

  it("leaves at once on an interruption notice for the lowest e_i, even at a loss", () => {
    // On m0 (e_c = 0.20); every other market is worse: m1 0.50 (e = 0.25), m3 0.45 (e = 0.225),
    // m4 0.50 (e = 0.25), m5 0.80 (e = 0.40). The emergency hop takes m3, ignoring the savings test.
    const prices = [0.4, 0.5, 0.01, 0.45, 0.5, 0.8];
    const policy = create({ minHopIntervalSeconds: 3600 });
    expect(policy.decide(observe({ prices, current: null }))).toMatchObject({ kind: "place", marketId: 0 });
    expect(policy.decide(observe({ prices, current: 0, now: 50 })).kind).toBe("stay");
    const notice = policy.decide(
      observe({ prices, current: 0, now: 100, trigger: "notice", interruptionAt: 220 }),
    );
    expect(notice).toMatchObject({ kind: "place", marketId: 3 });
  });

  it("with a rebalance recommendation on its market, counts hop costs as sunk: takes a cheaper candidate even when C > S", () => {
    // As above, m1 at 0.39: S = 0.01 < C = 0.01658, so it stays; with the recommendation C and the
    // unrecouped costs are sunk, and N = S = 0.01 > 0.
    const prices = [0.4, 0.39, 0.01, 0.5, 0.45, 0.6];
    expect(create().decide(observe({ prices, current: 0 })).kind).toBe("stay");
    const warned = create().decide(observe({ prices, current: 0, rebalance: new Map([[0, 0]]) }));
    expect(warned).toMatchObject({ kind: "place", marketId: 1 });
    expect(warned.reason).toContain("S = $0.0100");
  });

  it("with a recommendation but nothing cheaper, stays (the notice, if one comes, evacuates)", () => {
    // Every other market has a higher e than m0's 0.20 (see the notice test).
    const prices = [0.4, 0.5, 0.01, 0.45, 0.5, 0.8];
    const decision = create().decide(observe({ prices, current: 0, rebalance: new Map([[0, 0]]) }));
    // Nothing to weigh: the answer holds until the recommendations change or a price change puts m0
    // (e = 0.4 / 2) halfway to the next lowest e, m3's 0.45 / 2 = 0.225, or above, or another market
    // that fits (u × W = 2 on each; m2 does not fit) at that or below. No debt: no other price matters.
    expect(decision).toEqual({
      kind: "stay",
      reason: "rebalance recommendation, but no cheaper candidate without one",
      until: Infinity,
      watch: {
        market: -1,
        other: -1,
        lowest: 0,
        ceiling: 0.2 + (0.225 - 0.2) / 2,
        divisors: Float64Array.of(2, 2, NaN, 2, 2, 2),
        line: 0.2 + (0.225 - 0.2) / 2,
      },
    });
  });

  it("passes over a candidate with a recommendation of its own", () => {
    // m5 at 0.35: u = 0.25, e = 0.175; S = 0.025 × 2 × 1 h = 0.05, C = (0.35 × 30 + 0.40 × 120) / 3600 =
    // 0.01625, N = 0.03375 > 0, below m1's 0.0842: m1 unless m1 is at risk.
    const prices = [0.4, 0.3, 0.01, 0.5, 0.45, 0.35];
    expect(create().decide(observe({ prices, current: 0 }))).toMatchObject({ marketId: 1 });
    const decision = create().decide(observe({ prices, current: 0, rebalance: new Map([[1, 0]]) }));
    expect(decision).toMatchObject({ kind: "place", marketId: 5 });
    expect(decision.reason).toContain("N = $0.0338");
  });

  it("does not wait out the minimum interval between moves when its market has a recommendation", () => {
    const policy = create({ minHopIntervalSeconds: 3600 });
    expect(policy.decide(observe({ prices: base, current: null }))).toMatchObject({ marketId: 1 });
    const prices = [0.4, 0.3, 0.01, 0.5, 0.45, 0.1];
    const at = { prices, current: 1, utilisation: 0.25, now: 300 };
    expect(policy.decide(observe(at)).kind).toBe("stay");
    expect(policy.decide(observe({ ...at, rebalance: new Map([[1, 250]]) }))).toMatchObject({
      kind: "place",
      marketId: 5,
    });
  });

  it("places anew after a revocation", () => {
    const decision = create().decide(observe({ prices: base, current: null, trigger: "revoked", now: 5000 }));
    expect(decision).toMatchObject({ kind: "place", marketId: 1 });
  });
});
