import type { RunDocument } from "../results/document.js";

/** A point of a run's cumulative cost. */
export interface CostPoint {
  readonly policy: string;
  /** Milliseconds since the epoch (vega's time unit). */
  readonly time: number;
  readonly usd: number;
}

/** A span during which the container ran on one market. */
export interface HostingSpan {
  readonly policy: string;
  readonly market: string;
  readonly start: number;
  readonly end: number;
}

/** A hop, restart, revocation, notice or failed acquisition, on the market it concerns. */
export interface RunEvent {
  readonly policy: string;
  readonly market: string;
  readonly kind: string;
  readonly time: number;
  readonly reason: string;
}

export function marketLabel(entry: { readonly instanceType: string; readonly lifecycle: string }): string {
  return `${entry.instanceType} ${entry.lifecycle}`;
}

/**
 * Cumulative cost of a run at each instance start and end. The document gives each instance's total
 * cost only, so cost accrues linearly within an instance: exact at every breakpoint for constant
 * prices (on-demand) and at instance ends always, interpolated in between for spot.
 */
export function cumulativeCost(run: RunDocument): CostPoint[] {
  const instances = run.instances.map((instance) => ({
    start: Date.parse(instance.start),
    end: Date.parse(instance.end),
    usd: instance.costUsd,
  }));
  const times = [
    ...new Set([Date.parse(run.start), Date.parse(run.end), ...instances.flatMap((i) => [i.start, i.end])]),
  ].sort((a, b) => a - b);
  return times.map((time) => ({
    policy: run.policy,
    time,
    usd: instances.reduce((sum, i) => {
      if (time >= i.end) return sum + i.usd;
      if (time <= i.start) return sum;
      return sum + (i.usd * (time - i.start)) / (i.end - i.start);
    }, 0),
  }));
}

/** Kinds of timeline entries that end the container's stay on its host. */
const stayEnders = new Set(["running", "revoked", "restart"]);

/**
 * Where the container ran: from each `running` entry until the next `running`, `revoked` or
 * `restart` entry, or the run's end.
 */
export function hostingSpans(run: RunDocument): HostingSpan[] {
  const spans: HostingSpan[] = [];
  const end = Date.parse(run.end);
  let open: { market: string; start: number } | null = null;
  for (const entry of run.timeline) {
    const time = Date.parse(entry.time);
    if (open !== null && stayEnders.has(entry.kind)) {
      spans.push({ policy: run.policy, market: open.market, start: open.start, end: time });
      open = null;
    }
    if (entry.kind === "running") open = { market: marketLabel(entry), start: time };
  }
  if (open !== null) spans.push({ policy: run.policy, market: open.market, start: open.start, end });
  return spans;
}

/** Timeline entries other than placements and starts: what the timeline chart marks. */
export function runEvents(run: RunDocument): RunEvent[] {
  return run.timeline
    .filter((entry) => entry.kind !== "running" && entry.kind !== "place")
    .map((entry) => ({
      policy: run.policy,
      market: marketLabel(entry),
      kind: entry.kind,
      time: Date.parse(entry.time),
      reason: entry.reason,
    }));
}

/** A cumulative-cost series' value at `time`, linear between its points (they are its breakpoints). */
function costAt(points: readonly CostPoint[], time: number): number {
  if (time <= points[0].time) return points[0].usd;
  for (let i = 1; i < points.length; i++) {
    if (time <= points[i].time) {
      const a = points[i - 1];
      const b = points[i];
      return a.usd + ((b.usd - a.usd) * (time - a.time)) / (b.time - a.time);
    }
  }
  return points[points.length - 1].usd;
}

/**
 * Each run's cumulative cost minus the reference run's at the same times (exact: both are linear
 * between the union of their breakpoints). Positive: the run has spent more than the reference so far.
 */
export function costAboveReference(run: RunDocument, reference: RunDocument): CostPoint[] {
  const mine = cumulativeCost(run);
  const theirs = cumulativeCost(reference);
  const times = [...new Set([...mine, ...theirs].map((point) => point.time))].sort((a, b) => a - b);
  return times.map((time) => ({ policy: run.policy, time, usd: costAt(mine, time) - costAt(theirs, time) }));
}
