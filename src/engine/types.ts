import type { BillingModelName } from "./billing.js";
import type { Architecture, CpuVendor, WorkUnit } from "../catalog/types.js";

export type Lifecycle = "spot" | "on-demand";

/** A market is data: (zone, instance type, lifecycle). Ids are dense indexes into the run's market list. */
export interface Market {
  readonly id: number;
  readonly zone: string;
  readonly instanceType: string;
  readonly lifecycle: Lifecycle;
  readonly vcpu: number;
  readonly memoryGiB: number;
  /** Capacity in the run's work unit (ECU by default). */
  readonly work: number;
  /** On-demand USD/hour of this type in this region (the baseline and, for spot, the default bid). */
  readonly onDemandUsd: number;
  /** The type's CPU (catalog), for the CPU-compatibility rule (src/policies/cpu-compat.ts). */
  readonly architecture: Architecture;
  readonly cpuVendor: CpuVendor;
}

export interface Placement {
  readonly marketId: number;
  /** When the instance now hosting the container was started (billing starts here). */
  readonly instanceStart: number;
}

/** Mean durations (seconds) of the steps of one hop, as the engine's migration model predicts them. */
export interface MigrationEstimate {
  /** Acquire target, no downtime. */
  readonly acquireSeconds: number;
  /** Checkpoint + memory transfer + disk/network move + restore: the container is down. */
  readonly downtimeSeconds: number;
  /** Terminate source, billed, no downtime. */
  readonly terminateSeconds: number;
}

/** A read-only look-back over prices up to `now` (never beyond). */
export interface PriceHistoryView {
  /** Length of the look-back window in seconds. */
  readonly windowSeconds: number;
  /** Number of price changes of `marketId` within (now - windowSeconds, now]. */
  changes(marketId: number): number;
  /**
   * Mean seconds between changes of the cheapest market (per unit of work) over the window, or
   * Infinity when it did not change.
   */
  meanTimeToChangeOfCheapest(): number;
  /**
   * When the oldest change that `meanTimeToChangeOfCheapest` counts leaves the window (Infinity: it
   * counts none): before then that mean can only fall. Absent: unknown.
   */
  cheapestChangeLeavesAt?(): number;
  /**
   * USD/hour of `marketId` at `time` as known now: its price then for a time up to now, the present
   * one for a later time (NaN while unknown). Absent: past prices are not kept.
   */
  priceAt?(marketId: number, time: number): number;
  /** The first change of `marketId`'s price after `time` and up to now (Infinity: none); with `priceAt`. */
  nextPriceChange?(marketId: number, time: number): number;
  /**
   * Which markets' prices changed up to now, in order (absent: unknown). A policy keeping its own
   * ranking re-ranks the markets logged since its last decision instead of rescanning all of them.
   */
  readonly changeLog?: PriceChangeLog;
}

/** An append-only list of market ids, one per price change up to the view's present. */
export interface PriceChangeLog {
  /** Entries so far; grows as the view's present moves forward. */
  readonly length: number;
  /** The market whose price changed at entry `index` (< length). */
  marketAt(index: number): number;
}

/**
 * Everything a policy may see at one decision point. The engine fills one object again at every
 * decision (replay makes millions): it holds during `decide` only, so a policy copies what it keeps.
 */
export interface Observation {
  readonly now: number;
  /** Why the policy is asked now. */
  readonly trigger: "start" | "interval" | "notice" | "revoked";
  readonly zone: string;
  readonly workUnit: WorkUnit;
  /** Candidate markets of the zone (spot and on-demand); index = market id. */
  readonly markets: readonly Market[];
  /** Current USD/hour per market id; NaN where the price is not yet known. */
  readonly prices: Float64Array;
  /** Markets the policy must not choose now (cool-down after a failure, revoked bid). */
  readonly excluded: ReadonlySet<number>;
  /** Where the container runs, or null before the first placement or after a revocation. */
  readonly current: Placement | null;
  readonly workload: {
    readonly memoryGiB: number;
    /** Work units the application can use (demand). */
    readonly demandWork: number;
    /** Utilisation of the current server in [0, 1] (u_c). */
    readonly utilisation: number;
  };
  readonly billing: {
    readonly model: BillingModelName;
    readonly intervalSeconds: number;
    /** T_r: seconds left in the interval already paid on the current server (0 when none). */
    readonly paidTimeLeft: number;
  };
  /** A pending interruption notice for the current server: the time it will be reclaimed. */
  readonly interruptionAt: number | null;
  /**
   * Markets with a rebalance recommendation (EC2's early warning of elevated interruption risk), each
   * with the time it came; live, only the home's market can have one. Empty when none.
   */
  readonly rebalance: ReadonlyMap<number, number>;
  readonly history: PriceHistoryView;
  /**
   * The migration model's estimate for a hop from the current market to `to`; it depends on `to`'s
   * lifecycle only (policies bound every hop's cost by the quickest lifecycle's).
   */
  migration(to: number): MigrationEstimate;
}

/** What a policy wants. The engine turns it into driver commands. */
export type Decision =
  | {
      readonly kind: "stay";
      readonly reason: string;
      /**
       * A promise that lets a replay skip epochs: asked at any interval epoch before `until` (seconds;
       * Infinity: no limit) with nothing new but the clock (no engine event, no change of prices,
       * availability, recommendations, look-back log or workload level), the policy would answer this
       * same stay, its state changing only as `Policy.skipped` replays. Absent: no promise.
       */
      readonly until?: number;
      /**
       * With `until`: the price changes the promise also holds across (the rest of the look-back log
       * grows with them; nothing else may be new). Absent: none. Read when the stay is returned; the
       * policy may refill the same object at its next decision.
       */
      readonly watch?: PriceWatch;
    }
  | { readonly kind: "place"; readonly marketId: number; readonly reason: string };

/**
 * Which price changes leave a stay's answer as it was (`Decision.until`), in a market's price per
 * divisor, `price / divisors[id]` (policies rank markets by such a quotient, USD per unit of work). A
 * change matters when it is of `market` or `other`, when it puts `lowest` at `ceiling` or above, or
 * when it puts any other market at `line` or below (never one whose divisor is NaN). So "no other
 * market became as cheap as the stay's" is checked per price change as it comes, without asking the
 * policy.
 */
export interface PriceWatch {
  /** A market whose every price change matters, or -1. */
  readonly market: number;
  /** Another one, or -1. */
  readonly other: number;
  /** The market whose price matters only when it rises to `ceiling`, or -1. */
  readonly lowest: number;
  readonly ceiling: number;
  /** Per market id; NaN: its price changes matter only as `market` or `other`. */
  readonly divisors: Float64Array;
  readonly line: number;
}
