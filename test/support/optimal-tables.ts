import { StepPricePath } from "../../src/engine/price-paths.js";
import type { MigrationEstimate } from "../../src/engine/types.js";
import type { EpochCosts } from "../../src/policies/optimal/dp.js";
import type { Random } from "../../src/util/random.js";

/** A step price path from [time, USD/hour] pairs. */
export function steps(points: readonly [number, number][]): StepPricePath {
  return new StepPricePath(
    Float64Array.from(points, ([time]) => time),
    Float64Array.from(points, ([, usd]) => usd),
  );
}

/** A DP model from explicit tables (K epochs × M markets, one phase, one hop group, hops take 1 epoch). */
export function tableModel(price: number[][], leaveUsd: number): EpochCosts {
  const K = price.length;
  const M = price[0].length;
  const perEpoch = Float64Array.from(price.flat());
  return {
    epochs: K,
    markets: M,
    phases: 1,
    groups: 1,
    groupOf: new Int32Array(M),
    hopEpochs: Int32Array.of(1),
    placeEpochs: Int32Array.of(1),
    enter: new Uint8Array(K * M).fill(1),
    placeUsd: Float64Array.from(price[0]),
    stayUsd: perEpoch,
    leaveUsd: new Float64Array(K * M).fill(leaveUsd),
    arriveUsd: perEpoch,
    chargePhase: new Int32Array(M).fill(-1),
    chargeUsd: new Float64Array(0),
    chargeSpan: new Int32Array(0),
    classes: 1,
    classOf: new Int32Array(M),
    placeWork: new Float64Array(M).fill(1),
    stayWork: new Float64Array(K).fill(1),
    leaveWork: new Float64Array(K),
    arriveWork: new Float64Array(K).fill(1),
  };
}

/**
 * Random tables: 2–4 markets, 3–6 epochs, 1–3 phases with random charges, 2 hop groups taking 1–2
 * epochs, 2 capacity classes, some markets not enterable and some moves not allowed.
 */
export function randomModel(random: Random): EpochCosts {
  const K = random.integer(3, 6);
  const M = random.integer(2, 4);
  const P = random.integer(1, 3);
  const G = 2;
  const C = 2;
  const table = (size: number, blocked = 0) =>
    Float64Array.from({ length: size }, () => (random.next() < blocked ? Infinity : random.uniform(0, 3)));
  return {
    epochs: K,
    markets: M,
    phases: P,
    groups: G,
    groupOf: Int32Array.from({ length: M }, (_, m) => m % 2),
    hopEpochs: Int32Array.of(random.integer(1, 2), random.integer(1, 2)),
    placeEpochs: Int32Array.of(random.integer(1, 2), 1),
    enter: Uint8Array.from({ length: K * M }, () => (random.next() < 0.8 ? 1 : 0)),
    placeUsd: table(M),
    stayUsd: table(K * M, 0.05),
    leaveUsd: table(K * M * G, 0.05),
    arriveUsd: table(K * M),
    chargePhase: Int32Array.from({ length: M }, () => random.integer(-1, P - 1)),
    chargeUsd: table(K * M),
    chargeSpan: Int32Array.from({ length: K * G * G }, (_, i) =>
      Math.min(random.integer(0, 3), K - Math.floor(i / (G * G))),
    ),
    classes: C,
    classOf: Int32Array.from({ length: M }, () => random.integer(0, C - 1)),
    placeWork: table(M),
    stayWork: table(K * C),
    leaveWork: table(K * C * G).map((work) => work * 0.1),
    arriveWork: table(K * C * G),
  };
}

/** Every plan: a first placement, then at each decision epoch stay or hop to another enterable market. */
export function enumeratePlans(model: EpochCosts): Int32Array[] {
  const { epochs: K, markets: M, groupOf, hopEpochs, placeEpochs } = model;
  const plans: Int32Array[] = [];
  const walk = (k: number, m: number, placeAt: Int32Array): void => {
    if (k >= K) {
      plans.push(placeAt.slice());
      return;
    }
    walk(k + 1, m, placeAt);
    for (let n = 0; n < M; n++) {
      if (n === m || model.enter[k * M + n] !== 1) continue;
      placeAt[k] = n;
      walk(k + hopEpochs[groupOf[n]], n, placeAt);
      placeAt[k] = -1;
    }
  };
  for (let n = 0; n < M; n++) {
    if (model.enter[n] !== 1) continue;
    const placeAt = new Int32Array(K).fill(-1);
    placeAt[0] = n;
    walk(placeEpochs[groupOf[n]], n, placeAt);
  }
  return plans;
}

/** The hop the optimum tests assume: 60 s to acquire, 30 s down, 40 s to terminate the source. */
export const hop: MigrationEstimate = { acquireSeconds: 60, downtimeSeconds: 30, terminateSeconds: 40 };
