/**
 * The offline optimum's dynamic programme over decision epochs × markets × billing phases.
 *
 * A state (k, m, φ) means: at epoch k the container runs on an instance of market m, no migration is in
 * flight (so a decision is possible), and φ = (k − j) mod P where j is the epoch at which that instance
 * was chosen (hourly billing needs it to know where the instance's hour boundaries fall; P = 1 for
 * per-second billing). From a state the plan either stays through epoch k, or hops to a market n ≠ m;
 * a hop to n takes `hopEpochs[group(n)]` epochs until the next decision. Hop costs split into a source
 * part that depends on the target only through its group (hop durations are the same within a group)
 * and a target part that does not depend on the source, so the best source per group and epoch (kept
 * with the runner-up on another market, since a hop to its own market is no hop) serves every target:
 * O(epochs × markets × phases × groups) time, typed arrays, no allocation per state.
 *
 * The objective is cost − workPrice × work: workPrice 0 gives the cheapest plan; the ratio objective
 * (USD per work-unit-hour, see ratio.ts) solves a sequence of these.
 */

/** The costs of one run's moves, in USD, under its billing and migration model. */
export interface EpochCostModel {
  /** K: decision epochs 0..K−1; the run ends within epoch K−1. */
  readonly epochs: number;
  readonly markets: number;
  /** P: billing phases (1 when the cost of an epoch does not depend on when the instance started). */
  readonly phases: number;
  readonly groups: number;
  /** Per market: its hop-duration group. */
  readonly groupOf: Int32Array;
  /** Per group: epochs from a hop's decision to the next decision (≥ 1). */
  readonly hopEpochs: Int32Array;
  /** Per group: epochs from the first placement to the first decision (≥ 1). */
  readonly placeEpochs: Int32Array;
  /** Whether market n may be chosen at epoch k (its price is known there). */
  canEnter(k: number, n: number): boolean;
  /** First placement on n at epoch 0: its bill until its first decision epoch (or the run's end). */
  place(n: number): number;
  /** Holding m through epoch k (to the run's end when k = K − 1). Infinity when not allowed. */
  stay(k: number, m: number, phase: number): number;
  /** Leaving m at epoch k for a market of group g: the source's bill from epoch k until it is terminated. */
  leave(k: number, m: number, phase: number, group: number): number;
  /** Hopping to n at epoch k: the target's bill until the next decision epoch (or the run's end). */
  arrive(k: number, n: number): number;
  /** Work-unit-hours delivered over the same spans as the costs above. */
  placeWork(n: number): number;
  stayWork(k: number, m: number): number;
  leaveWork(k: number, m: number, group: number): number;
  arriveWork(k: number, n: number): number;
}

export interface OptimalPlan {
  /** Minimum of cost − workPrice × work over every plan that decides only at epochs. */
  readonly value: number;
  /** Per epoch: the market to place the container on there, or -1 to stay. */
  readonly placeAt: Int32Array;
}

const STAY = -1;
const PLACED = -2;

/** How the cheapest plan ends: staying through the last epoch, or a move that runs past the end. */
interface Ending {
  value: number;
  kind: "none" | "stay" | "hop" | "place";
  epoch: number;
  market: number;
  phase: number;
  target: number;
}

export function solveOptimalPlan(model: EpochCostModel, workPrice = 0): OptimalPlan {
  const { epochs: K, markets: M, phases: P, groups: G, groupOf, hopEpochs, placeEpochs } = model;
  let reach = 1;
  for (let g = 0; g < G; g++) reach = Math.max(reach, hopEpochs[g], placeEpochs[g]);
  const ring = reach + 1;
  const width = M * P;
  const value = new Float64Array(ring * width).fill(Infinity);
  const back = width < 32767 ? new Int16Array(K * width) : new Int32Array(K * width);
  const best = new Float64Array(G);
  const bestMarket = new Int32Array(G);
  const bestCode = new Int32Array(G);
  const second = new Float64Array(G);
  const secondCode = new Int32Array(G);
  const ending: Ending = { value: Infinity, kind: "none", epoch: 0, market: -1, phase: 0, target: -1 };

  const arriveAt = (k: number, code: number, n: number, phase: number, v: number): void => {
    const slot = (k % ring) * width + n * P + phase;
    if (v < value[slot]) {
      value[slot] = v;
      back[k * width + n * P + phase] = code;
    }
  };

  for (let n = 0; n < M; n++) {
    if (!model.canEnter(0, n)) continue;
    const v = model.place(n) - workPrice * model.placeWork(n);
    const j = placeEpochs[groupOf[n]];
    if (j >= K) {
      if (v < ending.value) Object.assign(ending, { value: v, kind: "place", epoch: 0, target: n });
    } else arriveAt(j, PLACED, n, j % P, v);
  }

  // Per source market: workPrice × the work of leaving it for each group (the same in every phase).
  const leftWork = new Float64Array(G);
  for (let k = 0; k < K; k++) {
    const layer = (k % ring) * width;
    const last = k + 1 === K;
    // Staying lands in epoch k + 1: its ring layer and back-pointer row.
    const stayLayer = ((k + 1) % ring) * width;
    const stayBack = (k + 1) * width;
    best.fill(Infinity);
    second.fill(Infinity);
    bestMarket.fill(-1);
    for (let m = 0; m < M; m++) {
      const base = layer + m * P;
      let stayWork = NaN;
      for (let phase = 0; phase < P; phase++) {
        const v = value[base + phase];
        if (v === Infinity) continue;
        if (stayWork !== stayWork) {
          stayWork = workPrice * model.stayWork(k, m);
          for (let g = 0; g < G; g++) leftWork[g] = workPrice * model.leaveWork(k, m, g);
        }
        const kept = v + model.stay(k, m, phase) - stayWork;
        if (last) {
          if (kept < ending.value)
            Object.assign(ending, { value: kept, kind: "stay", epoch: k, market: m, phase });
        } else {
          const at = m * P + ((phase + 1) % P);
          if (kept < value[stayLayer + at]) {
            value[stayLayer + at] = kept;
            back[stayBack + at] = STAY;
          }
        }
        const code = m * P + phase;
        for (let g = 0; g < G; g++) {
          const left = v + model.leave(k, m, phase, g) - leftWork[g];
          if (left < best[g]) {
            if (bestMarket[g] !== m) {
              second[g] = best[g];
              secondCode[g] = bestCode[g];
            }
            best[g] = left;
            bestMarket[g] = m;
            bestCode[g] = code;
          } else if (left < second[g] && bestMarket[g] !== m) {
            second[g] = left;
            secondCode[g] = code;
          }
        }
      }
    }
    for (let n = 0; n < M; n++) {
      const g = groupOf[n];
      const own = bestMarket[g] === n;
      const from = own ? second[g] : best[g];
      if (from === Infinity || !model.canEnter(k, n)) continue;
      const code = own ? secondCode[g] : bestCode[g];
      const v = from + model.arrive(k, n) - workPrice * model.arriveWork(k, n);
      const j = hopEpochs[g];
      if (k + j >= K) {
        if (v < ending.value) {
          Object.assign(ending, {
            value: v,
            kind: "hop",
            epoch: k,
            market: (code / P) | 0,
            phase: code % P,
            target: n,
          });
        }
      } else {
        const at = n * P + (j % P);
        const slot = ((k + j) % ring) * width + at;
        if (v < value[slot]) {
          value[slot] = v;
          back[(k + j) * width + at] = code;
        }
      }
    }
    value.fill(Infinity, layer, layer + width);
  }
  return { value: ending.value, placeAt: tracePlan(model, back, ending) };
}

/** Walks the back-pointers from the cheapest ending to the first placement. */
function tracePlan(model: EpochCostModel, back: Int16Array | Int32Array, ending: Ending): Int32Array {
  const { epochs: K, markets: M, phases: P, groupOf, hopEpochs } = model;
  const placeAt = new Int32Array(K).fill(-1);
  if (ending.kind === "none") return placeAt;
  if (ending.kind === "place") {
    placeAt[0] = ending.target;
    return placeAt;
  }
  if (ending.kind === "hop") placeAt[ending.epoch] = ending.target;
  let k = ending.epoch;
  let m = ending.market;
  let phase = ending.phase;
  for (;;) {
    const code = back[k * M * P + m * P + phase];
    if (code === PLACED) {
      placeAt[0] = m;
      return placeAt;
    }
    if (code === STAY) {
      k -= 1;
      phase = (phase + P - 1) % P;
      continue;
    }
    placeAt[k - hopEpochs[groupOf[m]]] = m;
    k -= hopEpochs[groupOf[m]];
    m = (code / P) | 0;
    phase = code % P;
  }
}

/** USD and work-unit-hours of a plan (per epoch: market to place on, or -1), walked forward. */
export function evaluatePlan(model: EpochCostModel, placeAt: Int32Array): { costUsd: number; work: number } {
  const { epochs: K, phases: P, groupOf, hopEpochs, placeEpochs } = model;
  let m = placeAt[0];
  if (m < 0) return { costUsd: Infinity, work: 0 };
  let costUsd = model.place(m);
  let work = model.placeWork(m);
  let k = placeEpochs[groupOf[m]];
  let phase = k % P;
  while (k < K) {
    const n = placeAt[k];
    if (n >= 0 && n !== m) {
      const g = groupOf[n];
      costUsd += model.leave(k, m, phase, g) + model.arrive(k, n);
      work += model.leaveWork(k, m, g) + model.arriveWork(k, n);
      m = n;
      phase = hopEpochs[g] % P;
      k += hopEpochs[g];
    } else {
      costUsd += model.stay(k, m, phase);
      work += model.stayWork(k, m);
      phase = (phase + 1) % P;
      k++;
    }
  }
  return { costUsd, work };
}
