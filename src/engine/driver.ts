import type { Market, PriceHistoryView, PriceWatch } from "./types.js";
import type { PricePath } from "./billing.js";

/**
 * The driver contract: the engine sends commands, the driver carries them out in its world (a replayed
 * trace, or EC2 and real hosts) and reports completions and world events back through an EventSink.
 * Instances and migrations are named by the engine's dense indexes, so events carry no objects.
 */

/** A step the engine asks the driver to carry out. Each completes with the matching event. */
export type Command =
  | { readonly kind: "acquire"; readonly instance: number; readonly marketId: number }
  | { readonly kind: "checkpoint"; readonly migration: number; readonly target: number }
  | { readonly kind: "transfer"; readonly migration: number; readonly target: number }
  | { readonly kind: "move"; readonly migration: number; readonly target: number }
  | { readonly kind: "restore"; readonly migration: number; readonly target: number }
  | { readonly kind: "terminate"; readonly instance: number };

/** What happened: a command finished, or the world did something (interruption notice, revocation). */
export type EngineEvent =
  | { readonly kind: "acquired"; readonly instance: number }
  /** `retry`: the policy is asked again at once (the driver excluded the market for a cool-down). */
  | {
      readonly kind: "acquire-failed";
      readonly instance: number;
      readonly reason: string;
      readonly retry?: boolean;
    }
  /**
   * A hop was undone after its target was acquired: the container runs on the hop's source again
   * (live: rolled back, or fell back after the checkpoint). `targetEndedBy`: who ended the target.
   * `containerStopped`: whether the container was actually stopped (a checkpoint that failed and left
   * it running, or a roll-back before the checkpoint, costs no downtime).
   */
  | {
      readonly kind: "hop-aborted";
      readonly migration: number;
      readonly reason: string;
      readonly targetEndedBy: "user" | "interruption";
      readonly retry: boolean;
      readonly containerStopped: boolean;
    }
  | { readonly kind: "checkpointed"; readonly migration: number }
  | { readonly kind: "transferred"; readonly migration: number }
  | { readonly kind: "moved"; readonly migration: number }
  | { readonly kind: "restored"; readonly migration: number }
  | { readonly kind: "terminated"; readonly instance: number }
  /** The cloud will reclaim `instance` at `reclaimAt` (2 minutes' notice). */
  | {
      readonly kind: "notice";
      readonly instance: number;
      readonly reclaimAt: number;
      readonly reason: string;
    }
  | { readonly kind: "revoked"; readonly instance: number }
  /** The workload finished its work (finite-work runs); `generation` discards stale predictions. */
  | { readonly kind: "work-done"; readonly generation: number }
  /**
   * The driver let the container go to another controller mid-hop (live self-migration: the target's
   * controller finishes the hop): this run ends here, and its result is the ledger as of now.
   */
  | { readonly kind: "handed-off" };

/** Where drivers report events: at an absolute time, never before the engine's current time. */
export interface EventSink {
  schedule(time: number, event: EngineEvent): void;
}

export interface Driver {
  /** The zone's markets; index = market id. */
  readonly markets: readonly Market[];
  /** Current USD/hour per market id, NaN while unknown; updated by `advance`. */
  readonly prices: Float64Array;
  /** Markets that cannot be acquired now (e.g. spot price above the bid). */
  readonly unavailable: ReadonlySet<number>;
  readonly history: PriceHistoryView;
  /**
   * Markets with a rebalance recommendation now (elevated interruption risk), each with the time it
   * came; absent: the driver never raises one.
   */
  readonly rebalance?: ReadonlyMap<number, number>;
  /** GiB a market must have to host the container now (live: measured from its cgroup); absent: the config's. */
  memoryNeededGiB?(): number;
  /**
   * The earliest time after the present at which what policies see of the world (prices, availability,
   * recommendations, the look-back log) may change or a world event may come, absent commands. The
   * engine skips decision epochs before it that a policy's stay covers (`Decision.until`); absent:
   * it never skips (live: the world is not known ahead).
   */
  nextChange?(): number;
  /**
   * As `advance`, through the price changes `watch` lets pass only: stops at the first time at which
   * something else comes (a price change the watch does not let pass, a change of availability or
   * recommendations, a world event), having applied every change at that time, and returns that time;
   * Infinity when nothing else came by `until` (every change up to it applied). The engine skips the
   * epochs a watched stay covers with it; absent: only up to `nextChange`.
   */
  advanceWatching?(until: number, watch: PriceWatch, sink: EventSink): number;
  /** Price path of one market, for billing. */
  pricePath(marketId: number): PricePath;
  /**
   * Moves the world forward to `until` (price changes with time ≤ until take effect). Returns the time
   * reached: `until`, or earlier when a world event was scheduled at that earlier time.
   */
  advance(until: number, sink: EventSink): number | Promise<number>;
  /** Starts a command at `now`; its completion (or failure) arrives later through `sink`. */
  execute(command: Command, now: number, sink: EventSink): void;
}
