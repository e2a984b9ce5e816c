import type { EndedBy } from "./billing.js";
import type { Market } from "./types.js";

export type TimelineKind =
  "place" | "running" | "hop" | "restart" | "notice" | "revoked" | "acquire-failed" | "hop-aborted";

/** One entry of a run's timeline: a placement or an event, with the market's price at that time. */
export interface TimelineEntry {
  readonly time: number;
  readonly kind: TimelineKind;
  readonly marketId: number;
  /** USD/hour of the market at `time` (NaN when unknown). */
  readonly price: number;
  readonly reason: string;
}

/** One instance the run held, and what it cost. */
export interface InstanceRecord {
  readonly marketId: number;
  /** Running from (billing starts) ... */
  readonly start: number;
  /** ... until (billing ends). */
  readonly end: number;
  readonly endedBy: EndedBy;
  readonly costUsd: number;
}

/** What one engine run produced. Work is in work-unit-hours of the run's unit. */
export interface EngineResult {
  readonly start: number;
  /** Window end, or when the finite work was done. */
  readonly end: number;
  readonly costUsd: number;
  /** The on-demand baseline over the same span (null when the zone has no on-demand market that fits). */
  readonly onDemand: { readonly marketId: number; readonly costUsd: number; readonly work: number } | null;
  /** Work delivered, net of lost work. */
  readonly work: number;
  readonly lostWork: number;
  readonly hops: number;
  readonly abortedHops: number;
  readonly restarts: number;
  readonly revocations: number;
  readonly notices: number;
  readonly acquireFailures: number;
  readonly decisions: number;
  /** Seconds of each outage (hop or restart), in order. */
  readonly downtimes: readonly number[];
  readonly finished: boolean;
  readonly instances: readonly InstanceRecord[];
  readonly timeline: readonly TimelineEntry[];
}

/** One policy's run on one zone: what it ran on and what the engine produced; the results document's input. */
export interface PolicyRun {
  readonly policy: string;
  readonly params: Readonly<Record<string, number>>;
  readonly zone: string;
  readonly markets: readonly Market[];
  readonly result: EngineResult;
  readonly eventsReplayed: number;
  /** Spot types absent from the advisor file (never interrupted in this run). */
  readonly advisorMissingTypes: readonly string[];
}
