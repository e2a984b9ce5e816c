import type { BillingModelName } from "../../engine/billing.js";
import type { StepPricePath } from "../../engine/price-paths.js";
import type { MigrationEstimate } from "../../engine/types.js";
import { HotspotError } from "../../errors.js";
import type { EpochCosts } from "./dp.js";
import { freshArrays, type ArraySource } from "../../util/scratch.js";

/**
 * The engine's cost of every move the DP considers, from the engine's semantics
 * (src/engine/engine.ts, mean durations, no interruptions):
 * - epochs are the engine's ticks: t_0 = start, t_{k+1} = t_k + Δ, while t_k < end;
 * - first placement on n at t_0: billed from t_0 + A_n (acquire done), running then; the first
 *   decision is the first tick after that (a tick at the same instant is skipped when it was queued
 *   before the acquire completed, i.e. at t_1);
 * - hop m → n decided at t_k: n billed from s = t_k + A_n; the container is restored at
 *   c = s + D_n and the next decision is the first tick after c; m is billed until c + T_n (terminate);
 * - the run ends at `end`: instances still held are billed up to it; one not yet running is not billed;
 * - per second: the integral of the price; the 60 s minimum is charged only for instances started
 *   within 60 s of the end (see `checkMinimumBilling` for why no other instance can be that short);
 * - hourly: the price at the start of each hour begun before the instance ends;
 * - work: the container runs on the source during a hop's acquire, on nothing during its downtime, and
 *   on the target from the restore on, getting min(demand, capacity) work units (`StepWorkload.workBetween`
 *   of a constant workload, the same arithmetic);
 * - bids (interruptions "bid", src/drivers/sim/driver.ts): a market is chosen only while its price is at
 *   most the bid, and an acquire fails when the price is above it once running; an instance is reclaimed
 *   when its price crosses above the bid between running and its terminate command (the next hop's
 *   restore). The DP never holds an instance over a crossing, so its plans are never interrupted.
 */
export interface RunCostInput {
  readonly start: number;
  readonly end: number;
  readonly intervalSeconds: number;
  readonly billing: BillingModelName;
  /** Per DP market: its price steps (NaN before the first). */
  readonly paths: readonly PriceSteps[];
  /** Per DP market: index into `hops`. */
  readonly groupOf: Int32Array;
  /** Mean hop timeline per group (the targets' lifecycles). */
  readonly hops: readonly MigrationEstimate[];
  /** Per DP market: capacity in work units. */
  readonly capacity: Float64Array;
  /** The container's constant demand in work units (its level × its demand). */
  readonly demandWork: number;
  /** Per DP market: the bid (Infinity: none) and the sorted times its price crosses above it. */
  readonly bids?: { readonly bid: Float64Array; readonly crossings: readonly Float64Array[] };
}

/** A step price path's change columns. */
export type PriceSteps = Pick<StepPricePath, "times" | "prices">;

/** Largest DP (epochs × markets × phases) the optimum accepts: its back-pointers take 2 bytes each. */
const MAX_STATES = 150_000_000;
/**
 * Most bytes of cost tables and back-pointers one optimum may hold (90 days at --interval 60 with 82
 * markets, 8 of them fitting 16 distinct capacities: about 0.5 GB).
 */
const MAX_TABLE_BYTES = 1.5 * 2 ** 30;
/** Per-second billing charges every instance at least this long. */
export const MINIMUM_SECONDS = 60;

export interface RunCostModel extends EpochCosts {
  /** The decision times t_k. */
  readonly epochTimes: Float64Array;
}

/** The last change of `times` at or before `t`, walking forward from `i` (a change at or before `t`, or -1). */
function indexFrom(times: Float64Array, i: number, t: number): number {
  while (i + 1 < times.length && times[i + 1] <= t) i++;
  return i;
}

/** The price at `t`, walking forward from change `i` (at or before `t`, or -1). */
function priceFrom(path: PriceSteps, i: number, t: number): number {
  const at = indexFrom(path.times, i, t);
  return at < 0 ? NaN : path.prices[at];
}

/**
 * ∫ price dt over [from, to) in USD, with `i` the change at or before `from` (or -1): `integrate`
 * (src/engine/billing.ts) step for step, the same sums in the same order, read off the columns.
 */
function integrateFrom(path: PriceSteps, i: number, from: number, to: number): number {
  const { times, prices } = path;
  const n = times.length;
  let total = 0;
  let t = from;
  i = indexFrom(times, i, from);
  while (t < to) {
    const next = Math.min(i + 1 < n ? times[i + 1] : Infinity, to);
    total += ((i < 0 ? NaN : prices[i]) * (next - t)) / 3600;
    t = next;
    i = indexFrom(times, i, t);
  }
  return total;
}

/** The first of the sorted `times` at or after `t`, walking forward from `i` (none before it is at or after `t`). */
function firstFrom(times: Float64Array, i: number, t: number): number {
  while (i < times.length && times[i] < t) i++;
  return i;
}

/** Work-unit-hours at `rate` work units over [from, until): `StepWorkload.workBetween` of a constant workload, the same sum. */
function workOver(rate: number, from: number, until: number): number {
  let total = 0;
  if (from < until) total += (rate * (until - from)) / 3600;
  return total;
}

/** `workOver` at each of `rates` (per capacity class), into `table` from `offset` every `stride`. */
function fillWork(
  table: Float64Array,
  offset: number,
  stride: number,
  rates: Float64Array,
  from: number,
  until: number,
): void {
  for (let c = 0; c < rates.length; c++) table[offset + c * stride] = workOver(rates[c], from, until);
}

/**
 * Markets grouped by capacity: work delivered depends on the market only through it, so work is
 * tabulated per class (a zone has a few dozen markets but far fewer distinct capacities).
 */
function capacityClasses(capacity: Float64Array): { classOf: Int32Array; capacities: number[] } {
  const index = new Map<number, number>();
  const capacities: number[] = [];
  const classOf = Int32Array.from(capacity, (work) => {
    let c = index.get(work);
    if (c === undefined) {
      c = capacities.push(work) - 1;
      index.set(work, c);
    }
    return c;
  });
  return { classOf, capacities };
}

/** A finite bill, or Infinity for an unknown price (NaN). */
function finite(usd: number): number {
  return Number.isNaN(usd) ? Infinity : usd;
}

/**
 * What the bill helpers read of one model. They are functions of the module, not closures of
 * `buildRunCostModel`: optimised code that calls a closure is bound to that closure and would be
 * thrown away (and recompiled) for every model.
 */
interface Bills {
  readonly end: number;
  readonly hourly: boolean;
  readonly paths: readonly PriceSteps[];
  /** t_k, and the run's end from K on. */
  readonly timeAt: Float64Array;
  readonly crossings: readonly Float64Array[] | undefined;
}

/**
 * Whether market m's price crosses above its bid within [from, to) (or [from, to] when `closed`),
 * `first` being the index of its first crossing at or after `from`.
 */
function crossesAt(bills: Bills, m: number, first: number, to: number, closed: boolean): boolean {
  const { crossings, end } = bills;
  if (crossings === undefined || first >= crossings[m].length) return false;
  const at = crossings[m][first];
  return at < end && (at < to || (closed && at === to));
}

/**
 * The target n's bill from s (acquire done, `i` a change of its path at or before s) to its next
 * decision epoch or the end; `first` is its first bid crossing at or after s.
 */
function targetBill(bills: Bills, n: number, i: number, first: number, s: number, nextEpoch: number): number {
  const { end, timeAt } = bills;
  if (s >= end) return 0;
  const until = Math.min(timeAt[nextEpoch], end);
  if (crossesAt(bills, n, first, until, false)) return Infinity;
  const path = bills.paths[n];
  if (bills.hourly) {
    let total = 0;
    for (let hour = s; hour < until; hour += 3600) {
      i = indexFrom(path.times, i, hour);
      total += i < 0 ? NaN : path.prices[i];
    }
    return finite(total);
  }
  let usd = integrateFrom(path, i, s, until);
  if (end < s + MINIMUM_SECONDS) usd += integrateFrom(path, i, end, s + MINIMUM_SECONDS);
  return finite(usd);
}

/** What `fillEpoch` reads and writes: one model's inputs, tables and per-epoch cursors. */
interface EpochRows {
  readonly bills: Bills;
  readonly K: number;
  readonly M: number;
  readonly G: number;
  readonly C: number;
  readonly epochTimes: Float64Array;
  readonly hops: readonly MigrationEstimate[];
  readonly hopEpochs: Int32Array;
  readonly groupOf: Int32Array;
  readonly hourOffset: Float64Array;
  readonly rates: Float64Array;
  readonly bid: Float64Array | undefined;
  readonly stayUsd: Float64Array;
  readonly leaveUsd: Float64Array;
  readonly arriveUsd: Float64Array;
  readonly chargeUsd: Float64Array;
  readonly chargeSpan: Int32Array;
  readonly enter: Uint8Array;
  readonly stayWork: Float64Array;
  readonly leaveWork: Float64Array;
  readonly arriveWork: Float64Array;
  /** Per market: its change at or before the epoch being filled, and its first bid crossing at or after it. */
  readonly changeAt: Int32Array;
  readonly crossingAt: Int32Array;
  /**
   * Per hop group, at the epoch being filled: when a source leaving for it is restored from and
   * terminated, and when a target of the group runs (acquire done) and until when it is billed.
   */
  readonly restoredAt: Float64Array;
  readonly leftUntil: Float64Array;
  readonly runningAt: Float64Array;
  readonly billedUntil: Float64Array;
}

/**
 * Epoch k's row of every table (a call per epoch: the JIT optimises it as a whole function; a
 * function of the module, like the bill helpers, so one optimised copy serves every model). Most
 * spans end before the market's next price change: one step of `integrate` (0 + price × seconds /
 * 3600, its first sum), computed inline (a call returning a double would box it); the others walk
 * the changes.
 */
function fillEpoch(rows: EpochRows, k: number): void {
  const { bills, K, M, G, C, epochTimes, hops, hopEpochs, groupOf, hourOffset, rates, bid } = rows;
  const { stayUsd, leaveUsd, arriveUsd, chargeUsd, chargeSpan, enter, stayWork, leaveWork, arriveWork } =
    rows;
  const { changeAt, crossingAt, restoredAt, leftUntil, runningAt, billedUntil } = rows;
  const { end, hourly, paths, timeAt, crossings } = bills;
  const t = epochTimes[k];
  const next = Math.min(timeAt[k + 1], end);
  fillWork(stayWork, k * C, 1, rates, t, next);
  for (let g = 0; g < G; g++) {
    const hop = hops[g];
    const s = t + hop.acquireSeconds;
    const restored = s + hop.downtimeSeconds;
    restoredAt[g] = restored;
    leftUntil[g] = Math.min(restored + hop.terminateSeconds, end);
    runningAt[g] = s;
    billedUntil[g] = Math.min(timeAt[k + hopEpochs[g]], end);
    fillWork(leaveWork, k * C * G + g, G, rates, t, Math.min(s, end));
    fillWork(arriveWork, k * C * G + g, G, rates, restored, billedUntil[g]);
  }
  if (hourly) {
    // The source's hours that start before it is terminated (a hop lasting past epochs included).
    for (let g = 0; g < G; g++) {
      for (let h = 0; h < G; h++) {
        let span = 0;
        while (k + span < K && epochTimes[k + span] + hourOffset[h] < leftUntil[g]) span++;
        chargeSpan[(k * G + g) * G + h] = span;
      }
    }
  }
  for (let m = 0; m < M; m++) {
    const path = paths[m];
    const changes = path.times;
    const g = groupOf[m];
    const at = k * M + m;
    let i = changeAt[m];
    while (i + 1 < changes.length && changes[i + 1] <= t) i++;
    changeAt[m] = i;
    const price = i < 0 ? NaN : path.prices[i];
    const change = i + 1 < changes.length ? changes[i + 1] : Infinity;
    const first = crossings === undefined ? 0 : firstFrom(crossings[m], crossingAt[m], t);
    crossingAt[m] = first;
    const s = runningAt[g];
    if (Number.isNaN(price)) enter[at] = 0;
    else if (bid === undefined) enter[at] = 1;
    else enter[at] = price <= bid[m] && !(s < end && priceFrom(path, i, s) > bid[m]) ? 1 : 0;
    const blocked = crossesAt(bills, m, first, next, false);
    if (hourly) {
      const hourStart = t + hourOffset[g];
      chargeUsd[at] = hourStart < end ? finite(priceFrom(path, i, hourStart)) : 0;
      stayUsd[at] = blocked ? Infinity : 0;
    } else if (blocked) stayUsd[at] = Infinity;
    else if (next <= change) {
      const usd = 0 + (price * (next - t)) / 3600;
      stayUsd[at] = usd !== usd ? Infinity : usd;
    } else stayUsd[at] = finite(integrateFrom(path, i, t, next));
    for (let h = 0; h < G; h++) {
      const until = leftUntil[h];
      if (crossesAt(bills, m, first, restoredAt[h], true)) leaveUsd[at * G + h] = Infinity;
      else if (hourly) leaveUsd[at * G + h] = 0;
      else if (t < until && until <= change) {
        const usd = 0 + (price * (until - t)) / 3600;
        leaveUsd[at * G + h] = usd !== usd ? Infinity : usd;
      } else leaveUsd[at * G + h] = finite(integrateFrom(path, i, t, until));
    }
    const until = billedUntil[g];
    // A hop whose target would run only after the end costs and delivers exactly what staying does.
    if (s >= end) arriveUsd[at] = Infinity;
    else if (
      hourly ||
      crossings !== undefined ||
      end < s + MINIMUM_SECONDS ||
      !(s < until && until <= change)
    ) {
      const crossing = crossings === undefined ? 0 : firstFrom(crossings[m], first, s);
      arriveUsd[at] = targetBill(bills, m, i, crossing, s, k + hopEpochs[g]);
    } else {
      const usd = 0 + (price * (until - s)) / 3600;
      arriveUsd[at] = usd !== usd ? Infinity : usd;
    }
  }
}

/** The model's tables come from `arrays` (fresh by default; a `Scratch` when the model dies with the caller's run). */
export function buildRunCostModel(input: RunCostInput, arrays: ArraySource = freshArrays): RunCostModel {
  const { start, end, intervalSeconds: step, billing, paths, groupOf, hops, capacity, demandWork } = input;
  const times: number[] = [];
  for (let t = start; t < end; t += step) times.push(t);
  const epochTimes = Float64Array.from(times);
  const K = epochTimes.length;
  const M = paths.length;
  const G = hops.length;
  const hourly = billing === "hourly";
  if (hourly && !(Number.isInteger(step) && 3600 % step === 0)) {
    throw new HotspotError(
      "HOTSPOT_OPTIMAL_INTERVAL",
      `the offline optimum under hourly billing needs a decision interval that divides 3600 s, found ${step} s`,
    );
  }
  const P = hourly ? 3600 / step : 1;
  const { classOf, capacities } = capacityClasses(capacity);
  const C = capacities.length;
  // Per epoch: USD of staying, leaving (per group), arriving, the hour's price (hourly) and whether
  // each market may be entered; work per capacity class; the DP's back-pointer per state.
  const tableBytes =
    K * M * (8 * (2 + G) + 1 + (hourly ? 8 : 0)) +
    K * C * 8 * (1 + 2 * G) +
    K * M * P * (M * P < 32767 ? 2 : 4);
  if (K * M * P > MAX_STATES || tableBytes > MAX_TABLE_BYTES) {
    throw new HotspotError(
      "HOTSPOT_OPTIMAL_TOO_LARGE",
      `the offline optimum would need ${K} epochs × ${M} markets × ${P} billing phases, ${(tableBytes / 2 ** 20).toFixed(0)} MiB of tables (at most ${MAX_STATES} states and ${MAX_TABLE_BYTES / 2 ** 20} MiB); use a longer --interval or a shorter window`,
    );
  }

  /** Index of the first epoch at or after `t` (K when none). */
  const epochAtOrAfter = (t: number): number => {
    let lo = 0;
    let hi = K;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (epochTimes[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const hopEpochs = new Int32Array(G);
  const placeEpochs = new Int32Array(G);
  for (let g = 0; g < G; g++) {
    const acquired = start + hops[g].acquireSeconds;
    let first = epochAtOrAfter(acquired);
    if (first < K && epochTimes[first] === acquired && first < 2) first++;
    placeEpochs[g] = Math.max(1, first);
    const restored = start + hops[g].acquireSeconds + hops[g].downtimeSeconds;
    const afterHop = epochAtOrAfter(restored);
    hopEpochs[g] = Math.max(1, afterHop < K && epochTimes[afterHop] === restored ? afterHop + 1 : afterHop);
  }
  if (!hourly) checkMinimumBilling(step, hops, hopEpochs, placeEpochs);

  // t_k, and the run's end for the epochs from K on (where moves decided near the end would land).
  let reach = 1;
  for (let g = 0; g < G; g++) reach = Math.max(reach, hopEpochs[g], placeEpochs[g]);
  const timeAt = new Float64Array(K + reach + 1).fill(end);
  timeAt.set(epochTimes);
  const bid = input.bids?.bid;
  const crossings = input.bids?.crossings;
  // Hourly: an instance of m chosen at epoch j starts its hours at t_j + A + 3600 n, i.e. in the epochs
  // of phase floor(A / Δ) mod P, at offset A mod Δ into them.
  const hourOffset = Float64Array.from(hops, (hop) => hop.acquireSeconds % step);
  const chargePhase = Int32Array.from(groupOf, (g) =>
    hourly ? Math.floor(hops[g].acquireSeconds / step) % P : -1,
  );
  const bills: Bills = { end, hourly, paths, timeAt, crossings };

  // Work-unit-hours per capacity class: a constant workload's `workBetween`.
  const rates = Float64Array.from(capacities, (work) => Math.min(demandWork, work));
  const stayUsd = arrays.float64("stayUsd", K * M);
  const leaveUsd = arrays.float64("leaveUsd", K * M * G);
  const arriveUsd = arrays.float64("arriveUsd", K * M);
  const chargeUsd = arrays.float64("chargeUsd", hourly ? K * M : 0);
  const chargeSpan = arrays.int32("chargeSpan", hourly ? K * G * G : 0);
  const enter = arrays.uint8("enter", K * M);
  // Per epoch × capacity class (× hop group): the work over the same spans as the costs.
  const stayWork = arrays.float64("stayWork", K * C);
  const leaveWork = arrays.float64("leaveWork", K * C * G);
  const arriveWork = arrays.float64("arriveWork", K * C * G);
  const rows: EpochRows = {
    bills,
    K,
    M,
    G,
    C,
    epochTimes,
    hops,
    hopEpochs,
    groupOf,
    hourOffset,
    rates,
    bid,
    stayUsd,
    leaveUsd,
    arriveUsd,
    chargeUsd,
    chargeSpan,
    enter,
    stayWork,
    leaveWork,
    arriveWork,
    changeAt: new Int32Array(M).fill(-1),
    crossingAt: new Int32Array(M),
    restoredAt: new Float64Array(G),
    leftUntil: new Float64Array(G),
    runningAt: new Float64Array(G),
    billedUntil: new Float64Array(G),
  };
  for (let k = 0; k < K; k++) fillEpoch(rows, k);
  const placeUsd = Float64Array.from(groupOf, (g, n) => {
    const s = start + hops[g].acquireSeconds;
    const cross = crossings?.[n];
    return targetBill(bills, n, -1, cross === undefined ? 0 : firstFrom(cross, 0, s), s, placeEpochs[g]);
  });
  const placeWork = Float64Array.from(groupOf, (g, n) =>
    workOver(rates[classOf[n]], start + hops[g].acquireSeconds, Math.min(timeAt[placeEpochs[g]], end)),
  );

  return {
    epochs: K,
    markets: M,
    phases: P,
    groups: G,
    groupOf,
    hopEpochs,
    placeEpochs,
    epochTimes,
    enter,
    placeUsd,
    stayUsd,
    leaveUsd,
    arriveUsd,
    chargePhase,
    chargeUsd,
    chargeSpan,
    classes: C,
    classOf,
    placeWork,
    stayWork,
    leaveWork,
    arriveWork,
  };
}

/**
 * Per-second billing charges at least 60 s per instance. The DP charges the minimum only to instances
 * started within 60 s of the run's end; that is exact when every other instance lives ≥ 60 s, i.e. when
 * even leaving at its first decision epoch (j Δ − A after it started running) by the quickest hop
 * (acquire + downtime + terminate) takes ≥ 60 s. True for the paper's durations and any Δ ≥ 60 s.
 */
function checkMinimumBilling(
  step: number,
  hops: readonly MigrationEstimate[],
  hopEpochs: Int32Array,
  placeEpochs: Int32Array,
): void {
  let quickestExit = Infinity;
  for (const hop of hops) {
    quickestExit = Math.min(quickestExit, hop.acquireSeconds + hop.downtimeSeconds + hop.terminateSeconds);
  }
  hops.forEach((hop, g) => {
    const shortest = Math.min(hopEpochs[g], placeEpochs[g]) * step - hop.acquireSeconds + quickestExit;
    if (shortest < MINIMUM_SECONDS) {
      throw new HotspotError(
        "HOTSPOT_OPTIMAL_INTERVAL",
        `the offline optimum under per-second billing needs every instance to live ≥ 60 s, but with a ${step} s interval one could live ${shortest} s; use an interval ≥ 60 s`,
      );
    }
  });
}
