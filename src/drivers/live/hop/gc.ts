import type { Ec2Compute, InstanceView } from "./ec2-compute.js";
import { TAG_HOP, TAG_STACK } from "./hop.js";
import { hasEntry, type HopRecord, type Journal } from "./journal.js";
import { withRetry, type RetryPolicy } from "../retry.js";
import type { Clock } from "../../../util/clock.js";

export interface GcReport {
  /** Instances of ours the journal does not account for, terminated (or listed, with dryRun). */
  readonly orphans: readonly string[];
  /** Instances of ours kept: the container's home and the instances of open hops. */
  readonly kept: readonly string[];
}

/**
 * `hotspot live gc`: terminate instances tagged with our stack that the journal does not account for.
 * Kept: the home (it holds the container) and both ends of every open hop (resume settles those),
 * except the target of a hop that is stuck: its last entry is a failed step and the volume was never
 * sent (e.g. a checkpoint that failed on the container host), so it holds nothing of the container
 * and no controller is settling it. Untagged instances and other stacks' instances are never looked at.
 */
export async function collectOrphans(
  compute: Ec2Compute,
  journal: Journal,
  clock: Clock,
  options: { readonly dryRun?: boolean; readonly retry?: RetryPolicy } = {},
): Promise<GcReport> {
  const call = <T>(f: () => Promise<T>) => withRetry(f, clock, options.retry);
  const keep = new Set<string>([journal.home]);
  const waiting = journal.openHops().filter((hop) => !stuck(hop));
  for (const hop of journal.openHops()) keep.add(hop.source);
  for (const hop of waiting) if (hop.targetInstanceId !== null) keep.add(hop.targetInstanceId);
  const ours: InstanceView[] = await call(() =>
    compute.findInstances({ tags: { [TAG_STACK]: journal.stack } }),
  );
  const live = ours.filter((i) => i.state !== "shutting-down" && i.state !== "terminated");
  // An open hop's target whose id was never journaled is known by its hop tag, so it is kept too.
  const openHopIds = new Set(waiting.map((h) => h.id));
  const orphans = live.filter((i) => !keep.has(i.id) && !openHopIds.has(i.tags[TAG_HOP] ?? ""));
  if (!options.dryRun) for (const i of orphans) await call(() => compute.terminateInstance(i.id));
  return {
    orphans: orphans.map((i) => i.id).sort(),
    kept: live
      .filter((i) => !orphans.includes(i))
      .map((i) => i.id)
      .sort(),
  };
}

/** An open hop whose last act failed before the volume left the source: its target holds nothing. */
function stuck(hop: HopRecord): boolean {
  const last = hop.entries[hop.entries.length - 1];
  return last?.event === "error" && !hasEntry(hop, "detach-source", "begin");
}
