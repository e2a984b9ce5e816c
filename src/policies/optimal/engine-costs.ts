import { integrate, type BillingModelName, type PricePath } from "../../engine/billing.js";
import type { MigrationEstimate } from "../../engine/types.js";
import type { WorkloadProfile } from "../../engine/workload.js";
import { HotspotError } from "../../errors.js";
import type { EpochCostModel } from "./dp.js";

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
 *   on the target from the restore on, delivering `workload.workBetween` of the market's capacity;
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
  /** Per DP market. */
  readonly paths: readonly PricePath[];
  /** Per DP market: index into `hops`. */
  readonly groupOf: Int32Array;
  /** Mean hop timeline per group (the targets' lifecycles). */
  readonly hops: readonly MigrationEstimate[];
  /** Per DP market: capacity in work units. */
  readonly capacity: Float64Array;
  readonly workload: Pick<WorkloadProfile, "workBetween">;
  /** Per DP market: the bid (Infinity: none) and the sorted times its price crosses above it. */
  readonly bids?: { readonly bid: Float64Array; readonly crossings: readonly Float64Array[] };
}

/** Largest DP (epochs × markets × phases) the optimum accepts: its back-pointers take 2 bytes each. */
const MAX_STATES = 150_000_000;
/**
 * Most bytes of cost tables and back-pointers one optimum may hold (90 days at --interval 60 with 82
 * markets, 8 of them fitting 16 distinct capacities: about 0.5 GB).
 */
const MAX_TABLE_BYTES = 1.5 * 2 ** 30;
const MINIMUM_SECONDS = 60;

export interface RunCostModel extends EpochCostModel {
  /** The decision times t_k. */
  readonly epochTimes: Float64Array;
}

/** A price path the cost model reads, with the integral `integrate` (src/engine/billing.ts) computes. */
interface CostPath extends PricePath {
  /** The epoch being built: later reads are mostly at or after `t` (never required). */
  moveTo(t: number): void;
  integrate(from: number, to: number): number;
}

/**
 * A step path read near one moving time: the cells are built epoch by epoch, so each market's
 * position only moves forward, and every read of an epoch (its stay, each hop's leave and arrive)
 * starts from that position and walks a few changes forward, where a binary search per read cost
 * log(changes).
 */
class PathCursor implements CostPath {
  /** The last change at or before the position, or -1. */
  private index = -1;

  constructor(
    private readonly times: Float64Array,
    private readonly prices: Float64Array,
  ) {}

  moveTo(t: number): void {
    const times = this.times;
    let i = this.index;
    while (i + 1 < times.length && times[i + 1] <= t) i++;
    this.index = i;
  }

  /** The last change at or before `t`, or -1 (StepPricePath.indexAt), from the position. */
  private indexAt(t: number): number {
    const times = this.times;
    let i = this.index;
    if (i >= 0 && times[i] > t) {
      // Behind the position (the first placement's bill, read after the table): a binary search.
      let lo = 0;
      let hi = i;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (times[mid] <= t) lo = mid + 1;
        else hi = mid;
      }
      return lo - 1;
    }
    while (i + 1 < times.length && times[i + 1] <= t) i++;
    return i;
  }

  priceAt(t: number): number {
    const i = this.indexAt(t);
    return i < 0 ? NaN : this.prices[i];
  }

  nextChange(t: number): number {
    const i = this.indexAt(t) + 1;
    return i < this.times.length ? this.times[i] : Infinity;
  }

  /** `integrate(path, from, to)` step for step (the same sums in the same order), read off the columns. */
  integrate(from: number, to: number): number {
    const { times, prices } = this;
    const n = times.length;
    let total = 0;
    let t = from;
    let i = this.indexAt(t);
    while (t < to) {
      const next = Math.min(i + 1 < n ? times[i + 1] : Infinity, to);
      total += ((i < 0 ? NaN : prices[i]) * (next - t)) / 3600;
      t = next;
      while (i + 1 < n && times[i + 1] <= t) i++;
    }
    return total;
  }
}

/** A path without readable change columns (hand-made ones), integrated by `integrate`. */
class OpaquePath implements CostPath {
  constructor(private readonly path: PricePath) {}

  moveTo(): void {}

  priceAt(t: number): number {
    return this.path.priceAt(t);
  }

  nextChange(t: number): number {
    return this.path.nextChange(t);
  }

  integrate(from: number, to: number): number {
    return integrate(this.path, from, to);
  }
}

/** A cursor over `path` when it is a step path (its change columns readable), else the path itself. */
function cursorOver(path: PricePath): CostPath {
  const columns = path as Partial<{ times: unknown; prices: unknown }>;
  return columns.times instanceof Float64Array && columns.prices instanceof Float64Array
    ? new PathCursor(columns.times, columns.prices)
    : new OpaquePath(path);
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

export function buildRunCostModel(input: RunCostInput): RunCostModel {
  const { start, end, intervalSeconds: step, billing, groupOf, hops, capacity, workload } = input;
  const paths = input.paths.map(cursorOver);
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

  const timeOf = (k: number): number => (k < K ? epochTimes[k] : end);
  const bid = input.bids?.bid;
  const crossings = input.bids?.crossings;
  const canEnter = (k: number, n: number): boolean => {
    const price = paths[n].priceAt(epochTimes[k]);
    if (Number.isNaN(price)) return false;
    if (bid === undefined) return true;
    const running = epochTimes[k] + hops[groupOf[n]].acquireSeconds;
    return price <= bid[n] && !(running < end && paths[n].priceAt(running) > bid[n]);
  };
  /** Whether market m's price crosses above its bid within [from, to) (or [from, to] when `closed`). */
  const crosses = (m: number, from: number, to: number, closed: boolean): boolean => {
    if (crossings === undefined) return false;
    const times = crossings[m];
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid] < from) lo = mid + 1;
      else hi = mid;
    }
    if (lo >= times.length) return false;
    const at = times[lo];
    return at < end && (at < to || (closed && at === to));
  };
  const finite = (usd: number): number => (Number.isNaN(usd) ? Infinity : usd);

  /** Hourly: the prices at the hour starts s, s + 3600, ... before `until`. */
  const hoursFrom = (n: number, s: number, until: number): number => {
    let total = 0;
    for (let hour = s; hour < until; hour += 3600) total += paths[n].priceAt(hour);
    return total;
  };
  // Hourly: an instance of m chosen at epoch j starts its hours at t_j + A + 3600 n, i.e. in the epochs
  // of phase floor(A / Δ) mod P, at offset A mod Δ into them.
  const hourPhase = Int32Array.from(groupOf, (g) => Math.floor(hops[g].acquireSeconds / step) % P);
  const hourOffset = Float64Array.from(groupOf, (g) => hops[g].acquireSeconds % step);
  /** Hourly: the price of m's hour starting in epoch k (epochs of phase hourPhase[m] only). */
  const hourPrice = (k: number, m: number): number => paths[m].priceAt(epochTimes[k] + hourOffset[m]);
  /** The target's bill from s (acquire done) to its next decision epoch, or to the end. */
  const targetBill = (n: number, s: number, nextEpoch: number): number => {
    if (s >= end) return 0;
    const until = Math.min(timeOf(nextEpoch), end);
    if (crosses(n, s, until, false)) return Infinity;
    if (hourly) return finite(hoursFrom(n, s, until));
    let usd = paths[n].integrate(s, until);
    if (end < s + MINIMUM_SECONDS) usd += paths[n].integrate(end, s + MINIMUM_SECONDS);
    return finite(usd);
  };

  /** Work-unit-hours on a server of capacity `work` over [from, min(to, end)). */
  const workOn = (work: number, from: number, to: number): number => {
    const until = Math.min(to, end);
    return from < until ? workload.workBetween(from, until, work) : 0;
  };
  const stayUsd = new Float64Array(K * M);
  const leaveUsd = new Float64Array(K * M * G);
  const arriveUsd = new Float64Array(K * M);
  const hourUsd = hourly ? new Float64Array(K * M) : stayUsd;
  const enter = new Uint8Array(K * M);
  // Per epoch × capacity class (× hop group): the work over the same spans as the costs.
  const stayWork = new Float64Array(K * C);
  const leaveWork = new Float64Array(K * C * G);
  const arriveWork = new Float64Array(K * C * G);
  for (let k = 0; k < K; k++) {
    const t = epochTimes[k];
    const next = Math.min(timeOf(k + 1), end);
    for (let c = 0; c < C; c++) {
      const work = capacities[c];
      stayWork[k * C + c] = workOn(work, t, next);
      for (let g = 0; g < G; g++) {
        const s = t + hops[g].acquireSeconds;
        leaveWork[(k * C + c) * G + g] = workOn(work, t, s);
        arriveWork[(k * C + c) * G + g] = workOn(work, s + hops[g].downtimeSeconds, timeOf(k + hopEpochs[g]));
      }
    }
    for (let m = 0; m < M; m++) {
      const at = k * M + m;
      paths[m].moveTo(t);
      enter[at] = canEnter(k, m) ? 1 : 0;
      const blocked = crosses(m, t, next, false);
      if (hourly) {
        hourUsd[at] = t + hourOffset[m] < end ? finite(hourPrice(k, m)) : 0;
        stayUsd[at] = blocked ? Infinity : 0;
      } else stayUsd[at] = blocked ? Infinity : finite(paths[m].integrate(t, next));
      for (let g = 0; g < G; g++) {
        const hop = hops[g];
        const restored = t + hop.acquireSeconds + hop.downtimeSeconds;
        const until = Math.min(restored + hop.terminateSeconds, end);
        const gone = crosses(m, t, restored, true);
        leaveUsd[at * G + g] = gone ? Infinity : hourly ? 0 : finite(paths[m].integrate(t, until));
      }
      const g = groupOf[m];
      const s = t + hops[g].acquireSeconds;
      // A hop whose target would run only after the end costs and delivers exactly what staying does.
      arriveUsd[at] = s >= end ? Infinity : targetBill(m, s, k + hopEpochs[g]);
    }
  }
  const placeUsd = Float64Array.from(groupOf, (g, n) =>
    targetBill(n, start + hops[g].acquireSeconds, placeEpochs[g]),
  );
  const placeWork = Float64Array.from(groupOf, (g, n) =>
    workOn(capacity[n], start + hops[g].acquireSeconds, timeOf(placeEpochs[g])),
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
    canEnter: (k, n) => enter[k * M + n] === 1,
    place: (n) => placeUsd[n],
    stay(k, m, phase) {
      const at = k * M + m;
      return hourly && phase === hourPhase[m] ? stayUsd[at] + hourUsd[at] : stayUsd[at];
    },
    leave(k, m, phase, g) {
      const base = leaveUsd[(k * M + m) * G + g];
      if (!hourly || base === Infinity) return base;
      // The source's hours that start before it is terminated (a hop lasting past epochs included).
      const hop = hops[g];
      const t = epochTimes[k];
      const until = Math.min(t + hop.acquireSeconds + hop.downtimeSeconds + hop.terminateSeconds, end);
      let total = 0;
      for (let i = 0; k + i < K && epochTimes[k + i] < until; i++) {
        if ((phase + i) % P === hourPhase[m] && epochTimes[k + i] + hourOffset[m] < until) {
          total += hourUsd[(k + i) * M + m];
        }
      }
      return total;
    },
    arrive: (k, n) => arriveUsd[k * M + n],
    placeWork: (n) => placeWork[n],
    stayWork: (k, m) => stayWork[k * C + classOf[m]],
    leaveWork: (k, m, g) => leaveWork[(k * C + classOf[m]) * G + g],
    arriveWork: (k, n) => arriveWork[(k * C + classOf[n]) * G + groupOf[n]],
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
