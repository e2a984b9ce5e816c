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

import { freshArrays, type ArraySource } from "../../util/scratch.js";

/**
 * The costs of one run's moves, in USD, under its billing and migration model, as flat tables the DP
 * reads directly (K epochs, M markets, G hop groups, C capacity classes; row-major, epoch first).
 */
export interface EpochCosts {
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
  /** K × M: 1 when market n may be chosen at epoch k (its price is known there). */
  readonly enter: Uint8Array;
  /** M: first placement on n at epoch 0, its bill until its first decision epoch (or the run's end). */
  readonly placeUsd: Float64Array;
  /** K × M: holding m through epoch k (to the run's end when k = K − 1), before phase charges; Infinity when not allowed. */
  readonly stayUsd: Float64Array;
  /** K × M × G: leaving m at epoch k for a market of group g, the source's bill until it is terminated, before phase charges. */
  readonly leaveUsd: Float64Array;
  /** K × M: hopping to n at epoch k, the target's bill until the next decision epoch (or the run's end). */
  readonly arriveUsd: Float64Array;
  /**
   * Per market: the phase whose epochs carry its charges (hourly billing: the epochs in which an
   * instance's hours start), -1 for none. Holding m through such an epoch adds `chargeUsd` there.
   */
  readonly chargePhase: Int32Array;
  /** K × M (empty when no market has charges): the charge of m in epoch k. */
  readonly chargeUsd: Float64Array;
  /**
   * K × G × G: leaving at epoch k for group g, the charges of a market of group h in epochs k .. k + span − 1
   * (span ≤ K − k) fall before the source is terminated, and are added to a finite `leaveUsd`.
   */
  readonly chargeSpan: Int32Array;
  /** C and per market its capacity class: work depends on the market only through it. */
  readonly classes: number;
  readonly classOf: Int32Array;
  /** Work-unit-hours delivered over the same spans as the costs: M, K × C, K × C × G, K × C × G. */
  readonly placeWork: Float64Array;
  readonly stayWork: Float64Array;
  readonly leaveWork: Float64Array;
  /** Indexed by the target's class and its own group. */
  readonly arriveWork: Float64Array;
}

/** Holding m through epoch k in `phase`. */
export function stayCost(costs: EpochCosts, k: number, m: number, phase: number): number {
  const at = k * costs.markets + m;
  return phase === costs.chargePhase[m] ? costs.stayUsd[at] + costs.chargeUsd[at] : costs.stayUsd[at];
}

/** Leaving m (in `phase` at epoch k) for a market of group g. */
export function leaveCost(costs: EpochCosts, k: number, m: number, phase: number, g: number): number {
  const { markets: M, phases: P, groups: G } = costs;
  const base = costs.leaveUsd[(k * M + m) * G + g];
  const charged = costs.chargePhase[m];
  if (charged < 0 || base === Infinity) return base;
  const span = costs.chargeSpan[(k * G + g) * G + costs.groupOf[m]];
  let total = 0;
  // The first epoch from k whose phase is the charged one.
  for (let i = charged >= phase ? charged - phase : charged - phase + P; i < span; i += P) {
    total += costs.chargeUsd[(k + i) * M + m];
  }
  return base + total;
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

/**
 * One solve's state. The DP relaxes one epoch per call of `relax` (a small function the JIT optimises
 * after a few calls, where one long loop would run in on-stack-replacement code that deoptimises).
 */
class Relaxation {
  readonly ending: Ending = { value: Infinity, kind: "none", epoch: 0, market: -1, phase: 0, target: -1 };
  /** Per state (k, m, φ): the best value reaching it, in a ring of epochs k .. k + reach. */
  private readonly value: Float64Array;
  private readonly ring: number;
  private readonly width: number;
  readonly back: Int16Array | Int32Array;
  /** Per group: the best state to leave from at this epoch, and the best on another market. */
  private readonly best: Float64Array;
  private readonly bestMarket: Int32Array;
  private readonly bestCode: Int32Array;
  private readonly second: Float64Array;
  private readonly secondCode: Int32Array;
  /** At the epoch being relaxed, workPrice × the work of each span, per capacity class (× group). */
  private readonly stayPriced: Float64Array;
  private readonly leavePriced: Float64Array;
  private readonly arrivePriced: Float64Array;
  /** Per group: where a hop decided at the epoch being relaxed lands in the ring, and its phase shift. */
  private readonly hopLayer: Int32Array;
  private readonly hopPhase: Int32Array;

  constructor(
    private readonly costs: EpochCosts,
    private readonly workPrice: number,
    arrays: ArraySource,
  ) {
    const { epochs: K, markets: M, phases: P, groups: G, hopEpochs, placeEpochs } = costs;
    let reach = 1;
    for (let g = 0; g < G; g++) reach = Math.max(reach, hopEpochs[g], placeEpochs[g]);
    this.ring = reach + 1;
    this.width = M * P;
    this.value = arrays.float64("value", this.ring * this.width).fill(Infinity);
    // Unset entries are never read: a state's back-pointer is written whenever its value is.
    this.back =
      this.width < 32767 ? arrays.int16("back", K * this.width) : arrays.int32("back", K * this.width);
    this.best = new Float64Array(G);
    this.bestMarket = new Int32Array(G);
    this.bestCode = new Int32Array(G);
    this.second = new Float64Array(G);
    this.secondCode = new Int32Array(G);
    this.stayPriced = new Float64Array(costs.classes);
    this.leavePriced = new Float64Array(costs.classes * G);
    this.arrivePriced = new Float64Array(costs.classes * G);
    this.hopLayer = new Int32Array(G);
    this.hopPhase = Int32Array.from(hopEpochs, (j) => j % P);
  }

  private end(
    value: number,
    kind: Ending["kind"],
    epoch: number,
    market: number,
    phase: number,
    target: number,
  ) {
    const ending = this.ending;
    ending.value = value;
    ending.kind = kind;
    ending.epoch = epoch;
    ending.market = market;
    ending.phase = phase;
    ending.target = target;
  }

  /** First placements at epoch 0. */
  place(): void {
    const { epochs: K, markets: M, phases: P, groupOf, placeEpochs, enter, placeUsd, placeWork } = this.costs;
    for (let n = 0; n < M; n++) {
      if (enter[n] !== 1) continue;
      const v = placeUsd[n] - this.workPrice * placeWork[n];
      const j = placeEpochs[groupOf[n]];
      if (j >= K) {
        if (v < this.ending.value) this.end(v, "place", 0, -1, 0, n);
      } else {
        const at = n * P + (j % P);
        const slot = (j % this.ring) * this.width + at;
        if (v < this.value[slot]) {
          this.value[slot] = v;
          this.back[j * this.width + at] = PLACED;
        }
      }
    }
  }

  /** Every move decided at epoch k: stays into k + 1, hops into k + hopEpochs. */
  relax(k: number): void {
    const { epochs: K, markets: M, phases: P, groups: G, groupOf, hopEpochs, enter } = this.costs;
    const { stayUsd, leaveUsd, arriveUsd, chargePhase, chargeUsd, classes: C, classOf } = this.costs;
    const { stayWork, leaveWork, arriveWork } = this.costs;
    const { value, back, width, ring, best, bestMarket, bestCode, second, secondCode, workPrice } = this;
    const { stayPriced, leavePriced, arrivePriced, hopLayer, hopPhase } = this;
    // Integer divisions are dear in a loop over every state: ring slots and phases are set up per epoch.
    const layer = (k % ring) * width;
    const last = k + 1 === K;
    // Staying lands in epoch k + 1: its ring layer and back-pointer row.
    const stayLayer = ((k + 1) % ring) * width;
    const stayBack = (k + 1) * width;
    const row = k * M;
    for (let c = 0; c < C; c++) {
      const cell = k * C + c;
      stayPriced[c] = workPrice * stayWork[cell];
      for (let g = 0; g < G; g++) {
        leavePriced[c * G + g] = workPrice * leaveWork[cell * G + g];
        arrivePriced[c * G + g] = workPrice * arriveWork[cell * G + g];
      }
    }
    for (let g = 0; g < G; g++) {
      hopLayer[g] = ((k + hopEpochs[g]) % ring) * width;
      best[g] = Infinity;
      second[g] = Infinity;
      bestMarket[g] = -1;
    }
    for (let m = 0; m < M; m++) {
      const base = layer + m * P;
      const at = row + m;
      const charged = chargePhase[m];
      const priced = classOf[m];
      for (let phase = 0; phase < P; phase++) {
        const v = value[base + phase];
        if (v === Infinity) continue;
        const stay = phase === charged ? stayUsd[at] + chargeUsd[at] : stayUsd[at];
        const kept = v + stay - stayPriced[priced];
        if (last) {
          if (kept < this.ending.value) this.end(kept, "stay", k, m, phase, -1);
        } else {
          const to = m * P + (phase + 1 === P ? 0 : phase + 1);
          if (kept < value[stayLayer + to]) {
            value[stayLayer + to] = kept;
            back[stayBack + to] = STAY;
          }
        }
        const code = m * P + phase;
        for (let g = 0; g < G; g++) {
          const leave = charged < 0 ? leaveUsd[at * G + g] : leaveCost(this.costs, k, m, phase, g);
          const left = v + leave - leavePriced[priced * G + g];
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
      if (from === Infinity || enter[row + n] !== 1) continue;
      const code = own ? secondCode[g] : bestCode[g];
      const v = from + arriveUsd[row + n] - arrivePriced[classOf[n] * G + g];
      const j = hopEpochs[g];
      if (k + j >= K) {
        if (v < this.ending.value) this.end(v, "hop", k, (code / P) | 0, code % P, n);
      } else {
        const to = n * P + hopPhase[g];
        const slot = hopLayer[g] + to;
        if (v < value[slot]) {
          value[slot] = v;
          back[(k + j) * width + to] = code;
        }
      }
    }
    // A loop, not fill(): a builtin call per epoch costs more than the few states it clears.
    for (let i = layer; i < layer + width; i++) value[i] = Infinity;
  }
}

/** `arrays`: where the solve's working tables come from (none outlives the call). */
export function solveOptimalPlan(
  costs: EpochCosts,
  workPrice = 0,
  arrays: ArraySource = freshArrays,
): OptimalPlan {
  const relaxation = new Relaxation(costs, workPrice, arrays);
  relaxation.place();
  for (let k = 0; k < costs.epochs; k++) relaxation.relax(k);
  const { ending, back } = relaxation;
  return { value: ending.value, placeAt: tracePlan(costs, back, ending) };
}

/** Walks the back-pointers from the cheapest ending to the first placement. */
function tracePlan(costs: EpochCosts, back: Int16Array | Int32Array, ending: Ending): Int32Array {
  const { epochs: K, markets: M, phases: P, groupOf, hopEpochs } = costs;
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
export function evaluatePlan(costs: EpochCosts, placeAt: Int32Array): { costUsd: number; work: number } {
  const {
    epochs: K,
    markets: M,
    phases: P,
    groups: G,
    classes: C,
    classOf,
    groupOf,
    hopEpochs,
    placeEpochs,
  } = costs;
  let m = placeAt[0];
  if (m < 0) return { costUsd: Infinity, work: 0 };
  let costUsd = costs.placeUsd[m];
  let work = costs.placeWork[m];
  let k = placeEpochs[groupOf[m]];
  let phase = k % P;
  while (k < K) {
    const n = placeAt[k];
    if (n >= 0 && n !== m) {
      const g = groupOf[n];
      costUsd += leaveCost(costs, k, m, phase, g) + costs.arriveUsd[k * M + n];
      work += costs.leaveWork[(k * C + classOf[m]) * G + g] + costs.arriveWork[(k * C + classOf[n]) * G + g];
      m = n;
      phase = hopEpochs[g] % P;
      k += hopEpochs[g];
    } else {
      costUsd += stayCost(costs, k, m, phase);
      work += costs.stayWork[k * C + classOf[m]];
      phase = (phase + 1) % P;
      k++;
    }
  }
  return { costUsd, work };
}
