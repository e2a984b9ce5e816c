import { ContainerLostError, HostSideError, InstanceLostError } from "../errors.js";
import { StepFailure, type HopExecutor } from "./hop.js";
import { HOP_STEPS, UNDO_STEPS, hasEntry, type HopOutcome, type HopRecord, type HopStep } from "./journal.js";

/** The reason of a hop a crash interrupted before the container stopped: nothing wrong with its market. */
export const STILL_ON_SOURCE = "resumed: the container still ran on the source";

export interface ResumeReport {
  readonly hop: string;
  /** `handed-off`: a self-migrating source let the volume go again; the target finishes the hop. */
  readonly outcome: HopOutcome | "handed-off";
  /** The step resumed from, for a hop rolled forward. */
  readonly from?: HopStep;
}

/**
 * Settle every hop a crash left open. Rule: while the container still runs on the source (the checkpoint
 * never began, or began and did not stop it), roll back: terminate the target, found by its ClientToken
 * if its id was never journaled. Once the container was stopped, roll forward from the first step without
 * an `end`, each step checking the current state first; if the target is lost, or the container host
 * fails there (not self-migrating), fall back: volume and ENI back to the source, restore there,
 * terminate the target. With neither a running container nor an image, and the volume never sent, the
 * target holds nothing: it is terminated and the hop rolled back (the container is gone; preflight
 * says so before anything is launched again).
 */
export async function resumeOpenHops(executor: HopExecutor, self?: string): Promise<ResumeReport[]> {
  const reports: ResumeReport[] = [];
  for (const hop of executor.deps.journal.openHops()) {
    try {
      reports.push(await resumeHop(executor, hop, self));
    } catch (error) {
      throw error instanceof StepFailure ? error.error : error;
    }
  }
  return reports;
}

async function resumeHop(executor: HopExecutor, hop: HopRecord, self?: string): Promise<ResumeReport> {
  const state = await executor.deps.host.state();
  const fellBack = hasEntry(hop, "reattach-source", "begin");
  if (!hasEntry(hop, "checkpoint", "begin") || state.runningOn === hop.source) {
    const outcome = fellBack ? "fell-back" : "rolled-back";
    await executor.rollBack(hop, outcome, STILL_ON_SOURCE);
    return { hop: hop.id, outcome };
  }
  if (state.runningOn === null && state.checkpointFrom === null) {
    const lost = new ContainerLostError(`${hop.id} was open with the checkpoint begun`);
    // The volume never left the source: the target holds nothing of the container, end it.
    if (hasEntry(hop, "detach-source", "begin")) throw lost;
    await executor.rollBack(hop, "rolled-back", `resumed: ${lost.message}`, true);
    return { hop: hop.id, outcome: "rolled-back" };
  }
  if (hop.entries.some((e) => (UNDO_STEPS as readonly string[]).includes(e.step))) {
    await executor.fallBack(hop, "resumed: finishing the fall-back to the source");
    return { hop: hop.id, outcome: "fell-back" };
  }
  // A self-migrating source after the checkpoint: it hands off again while its target lives; else
  // it falls back at once (forwarding would detach the volume, and this journal on it, from here).
  const target = hop.targetInstanceId;
  if (self !== undefined && self === hop.source && target !== null) {
    if (await executor.isRunning(target)) {
      await executor.handOff(hop);
      return { hop: hop.id, outcome: "handed-off" };
    }
    await executor.fallBack(hop, `resumed: the target ${target} is lost`);
    return { hop: hop.id, outcome: "fell-back" };
  }
  const from = HOP_STEPS.find((step) => !hasEntry(hop, step, "end")) ?? "terminate-source";
  try {
    await executor.forward(hop, from);
  } catch (error) {
    if (!(error instanceof StepFailure)) throw error;
    const lost = error.error instanceof InstanceLostError && error.error.instanceId !== hop.source;
    // A self-migrating target's host acts on its own machine only: it cannot restore on the source.
    const hostSide = error.error instanceof HostSideError && self === undefined;
    if (!lost && !hostSide) throw error;
    await executor.fallBack(hop, `resumed: ${error.message}`, hostSide);
    return { hop: hop.id, outcome: "fell-back" };
  }
  return { hop: hop.id, outcome: "done", from };
}
