import { HotspotError } from "../../../errors.js";
import { Attachments } from "./attachments.js";
import { LiveCalls } from "./calls.js";
import type { ContainerHost } from "../host/container-host.js";
import type { Ec2Compute, InstanceView, LaunchRequest } from "./ec2-compute.js";
import { isGone } from "./instance-state.js";
import {
  ContainerLostError,
  CpuMismatchError,
  HostSideError,
  InstanceLostError,
  notTheMarket,
} from "../errors.js";
import {
  HOP_STEPS,
  hasEntry,
  type HopOutcome,
  type HopRecord,
  type HopStep,
  type Journal,
  type StepName,
  type TargetMarket,
} from "./journal.js";
import { DEFAULT_TIMEOUTS, type HopTimeouts, type LiveResources } from "./resources.js";
import { DEFAULT_RETRY, isCapacityError, TargetCapacityError, type RetryPolicy } from "../retry.js";
import type { Clock } from "../../../util/clock.js";

/**
 * Called around each step: after its `begin` is journaled, after it acted (its `end` not yet
 * journaled), after its `end` is journaled. Throwing here simulates a controller crash at that point.
 */
export type StepHook = (
  point: "begin" | "acted" | "end",
  step: StepName,
  hop: HopRecord,
) => void | Promise<void>;

export interface HopDeps {
  readonly compute: Ec2Compute;
  readonly host: ContainerHost;
  readonly journal: Journal;
  readonly clock: Clock;
  readonly resources: LiveResources;
  readonly retry?: RetryPolicy;
  readonly timeouts?: Partial<HopTimeouts>;
  readonly hook?: StepHook;
}

/** Tag keys on every instance the controller launches; gc finds ours by `hotspot:stack`. */
export const TAG_STACK = "hotspot:stack";
export const TAG_HOP = "hotspot:hop";

/** A hop's RunInstances request for `target` (preflight tries the same with DryRun). */
export function launchRequest(
  resources: LiveResources,
  stack: string,
  target: TargetMarket,
  clientToken: string,
  hopId: string,
): LaunchRequest {
  return {
    clientToken,
    imageId: resources.imageId,
    instanceType: target.instanceType,
    zone: target.zone,
    lifecycle: target.lifecycle,
    maxPrice: target.maxPrice,
    subnetId: resources.subnetId,
    userData: resources.userData,
    instanceProfile: resources.instanceProfile,
    tags: { [TAG_STACK]: stack, [TAG_HOP]: hopId },
  };
}

/** A step failed (as opposed to the controller stopping); carries the step's error. */
export class StepFailure extends Error {
  constructor(
    readonly step: StepName,
    readonly error: unknown,
  ) {
    super(`${step}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

interface StepResult {
  readonly note?: string;
  readonly target?: string;
  readonly imageBytes?: number;
}

/**
 * One hop as a journaled state machine. Every step reads the current state first and acts only when
 * needed, so running it again after a crash (resume.ts) is safe.
 */
export class HopExecutor {
  private readonly timeouts: HopTimeouts;
  private readonly calls: LiveCalls;
  private readonly attachments: Attachments;

  constructor(readonly deps: HopDeps) {
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...deps.timeouts };
    this.calls = new LiveCalls(deps.compute, deps.clock, deps.retry ?? DEFAULT_RETRY, this.timeouts.poll);
    this.attachments = new Attachments(this.calls, deps.resources, this.timeouts);
  }

  /**
   * Hop the container from the journal's home to a new instance on `target`. Returns the finished hop;
   * on failure cleans up (rolls back before the checkpoint, falls back to the source after it when the
   * target is lost) and rethrows the step's error; a hop it cannot settle stays open for resume.
   */
  async hop(target: TargetMarket): Promise<HopRecord> {
    const hop = await this.begin(target);
    await this.run(hop, HOP_STEPS);
    await this.deps.journal.finish(hop, "done");
    return hop;
  }

  /** Journal a new hop to `target`; refused while another is open. */
  async begin(target: TargetMarket): Promise<HopRecord> {
    const open = this.deps.journal.openHops();
    if (open.length > 0) {
      throw new HotspotError(
        "HOTSPOT_LIVE_HOP_OPEN",
        `${open[0].id} is still open in ${this.deps.journal.path}; resume it before hopping again`,
      );
    }
    return this.deps.journal.beginHop(target);
  }

  /**
   * Run some of the hop's steps, in order (the engine asks for them phase by phase). On failure,
   * settles the hop as `hop` does (see `hop.outcome`) and rethrows the step's error.
   */
  async run(hop: HopRecord, steps: readonly HopStep[]): Promise<void> {
    try {
      for (const step of steps) await this.step(hop, step, () => this.forwardStep(hop, step));
    } catch (error) {
      if (!(error instanceof StepFailure)) throw error;
      await this.settleFailure(hop, error);
      throw error.error;
    }
  }

  /**
   * Self-migrating: the source's last act. Journals the detach's begin (the journal is on the volume,
   * which leaves with it), then lets the volume and the ENI go; the target's controller finishes
   * the hop from the journal (`resume.ts`). Returns the target.
   */
  async handOff(hop: HopRecord): Promise<string> {
    const { journal, clock, hook } = this.deps;
    const target = await this.targetOf(hop);
    await journal.record(hop, {
      step: "detach-source",
      event: "begin",
      at: clock.now(),
      note: `handed off to ${target}`,
    });
    await hook?.("begin", "detach-source", hop);
    await this.releaseFrom(hop.source, target);
    return target;
  }

  /** Whether `id` is running (false when it is gone or going). */
  async isRunning(id: string): Promise<boolean> {
    const i = await this.calls.call(() => this.deps.compute.describeInstance(id));
    return i?.state === "running";
  }

  /** Attach the volume and the ENI to `instanceId` (if they are free), waiting until both are there. */
  async claim(instanceId: string): Promise<string> {
    return this.attachTo(instanceId);
  }

  /** Mark a hop whose steps all ran as done: its target is the container's home now. */
  async complete(hop: HopRecord): Promise<void> {
    await this.deps.journal.finish(hop, "done");
  }

  /** Run the hop's steps from `from` on, then mark it done. */
  async forward(hop: HopRecord, from: HopStep): Promise<void> {
    for (const step of HOP_STEPS.slice(HOP_STEPS.indexOf(from))) {
      await this.step(hop, step, () => this.forwardStep(hop, step));
    }
    await this.deps.journal.finish(hop, "done");
  }

  /**
   * After a failed step: undo what can be undone; errors of the undo itself are thrown unwrapped.
   * While the container runs on the source (or never stopped), end the target. A target that was lost
   * after the checkpoint: fall back. A failure on the container host (HostSideError) after the
   * checkpoint: fall back when an image is there to restore on the source; with neither a running
   * container nor an image, and the volume never sent, the target holds nothing: end it.
   */
  async settleFailure(hop: HopRecord, failure: StepFailure): Promise<void> {
    const reason = failure.message;
    const hostSide = failure.error instanceof HostSideError;
    try {
      const state = await this.deps.host.state();
      if (!hasEntry(hop, "checkpoint", "begin") || state.runningOn === hop.source) {
        await this.rollBack(
          hop,
          "rolled-back",
          reason,
          notTheMarket(failure.error),
          failure.error instanceof CpuMismatchError,
        );
      } else if (failure.error instanceof InstanceLostError && failure.error.instanceId !== hop.source) {
        await this.fallBack(hop, reason);
      } else if (hostSide && state.runningOn === null && state.checkpointFrom !== null) {
        await this.fallBack(hop, reason, true);
      } else if (hostSide && state.runningOn === null && !hasEntry(hop, "detach-source", "begin")) {
        await this.rollBack(hop, "rolled-back", reason, true);
      }
    } catch (error) {
      throw error instanceof StepFailure ? error.error : error;
    }
  }

  /**
   * The container still runs on the source (or has nothing to carry): end the target, if one was
   * launched. `hostSide`: the container host failed, not the market (no cool-down follows);
   * `cpuMismatch`: the target's CPU cannot run the container (its type is left out).
   */
  async rollBack(
    hop: HopRecord,
    outcome: HopOutcome,
    reason: string,
    hostSide = false,
    cpuMismatch = false,
  ): Promise<void> {
    await this.step(hop, "terminate-target", () => this.terminateTarget(hop));
    await this.deps.journal.finish(hop, outcome, reason, hostSide, cpuMismatch);
  }

  /** The container was stopped and the target is lost: bring volume, ENI and container back to the source. */
  async fallBack(hop: HopRecord, reason: string, hostSide = false): Promise<void> {
    await this.step(hop, "reattach-source", async () => {
      await this.calls.requireRunning(hop.source);
      return { note: await this.attachTo(hop.source) };
    });
    await this.step(hop, "restore-source", () => this.restoreOn(hop.source, "restore-source"));
    await this.rollBack(hop, "fell-back", reason, hostSide);
  }

  private async step(
    hop: HopRecord,
    step: StepName,
    action: () => Promise<StepResult | void>,
  ): Promise<void> {
    const { journal, clock, hook } = this.deps;
    await journal.record(hop, { step, event: "begin", at: clock.now() });
    await hook?.("begin", step, hop);
    let result: StepResult | void;
    try {
      result = await action();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await journal.record(hop, { step, event: "error", at: clock.now(), note: message });
      throw new StepFailure(step, error);
    }
    await hook?.("acted", step, hop);
    const end = {
      step,
      event: "end" as const,
      at: clock.now(),
      ...(result?.note ? { note: result.note } : {}),
      ...(result?.imageBytes === undefined ? {} : { imageBytes: result.imageBytes }),
    };
    await journal.record(hop, end, result?.target);
    await hook?.("end", step, hop);
  }

  private async forwardStep(hop: HopRecord, step: HopStep): Promise<StepResult | void> {
    switch (step) {
      case "acquire":
        return this.acquire(hop);
      case "wait-running":
        return this.waitRunning(await this.targetOf(hop));
      case "cpu-check":
        return this.checkCpu(hop, await this.targetOf(hop));
      case "checkpoint":
        return this.checkpoint(hop, await this.targetOf(hop));
      case "detach-source":
        return { note: await this.releaseFrom(hop.source, await this.targetOf(hop)) };
      case "attach-target": {
        const target = await this.targetOf(hop);
        await this.calls.requireRunning(target);
        return { note: await this.attachTo(target) };
      }
      case "restore":
        return this.restoreOn(await this.targetOf(hop));
      case "terminate-source":
        return this.terminate(hop.source);
    }
  }

  /** Volume and ENI leave `source` for `target`; the source's host unmounts first (a detach under a mounted fs loses writes). */
  private async releaseFrom(source: string, target: string): Promise<string> {
    await this.deps.host.releaseVolume?.(source);
    return this.attachments.release(target);
  }

  /** Volume and ENI come to `instanceId`, mounted and addressed there by its host. */
  private async attachTo(instanceId: string): Promise<string> {
    const note = await this.attachments.moveTo(instanceId);
    await this.deps.host.receiveVolume?.(instanceId);
    return note;
  }

  private async acquire(hop: HopRecord): Promise<StepResult> {
    const { compute, journal, resources } = this.deps;
    const t = hop.target;
    try {
      const instance = await this.calls.call(() =>
        compute.runInstance(launchRequest(resources, journal.stack, t, hop.clientToken, hop.id)),
      );
      return { target: instance.id, note: instance.id };
    } catch (error) {
      if (isCapacityError(error)) throw new TargetCapacityError(t.instanceType, t.zone, t.lifecycle, error);
      throw error;
    }
  }

  /** The hop's target; after a crash between launch and journal, found again by its ClientToken. */
  private async targetOf(hop: HopRecord): Promise<string> {
    if (hop.targetInstanceId !== null) return hop.targetInstanceId;
    const found = await this.launchedTargets(hop);
    if (found.length === 0) throw new InstanceLostError(`(target of ${hop.id})`, "not launched", "");
    return found[0].id;
  }

  private async launchedTargets(hop: HopRecord): Promise<InstanceView[]> {
    const { compute } = this.deps;
    const byToken = await this.calls.call(() => compute.findInstances({ clientToken: hop.clientToken }));
    const byTag = await this.calls.call(() => compute.findInstances({ tags: { [TAG_HOP]: hop.id } }));
    const all = new Map([...byToken, ...byTag].map((i) => [i.id, i]));
    if (hop.targetInstanceId !== null && !all.has(hop.targetInstanceId)) {
      const known = await this.calls.call(() => this.deps.compute.describeInstance(hop.targetInstanceId!));
      if (known !== null) all.set(known.id, known);
    }
    return [...all.values()];
  }

  private async waitRunning(id: string): Promise<StepResult> {
    await this.calls.waitFor(`${id} to be running`, this.timeouts.running, async () => {
      const i = await this.calls.call(() => this.deps.compute.describeInstance(id));
      if (i === null || i.state === "pending") return false;
      if (i.state === "running") return true;
      throw new InstanceLostError(id, i.state, i.stateReason);
    });
    return {};
  }

  /**
   * Before the container stops: can the target's CPU run it? A mismatch throws CpuMismatchError (the
   * hop is rolled back, the container never stopped); a check that could not be made, HostSideError.
   */
  private async checkCpu(hop: HopRecord, target: string): Promise<StepResult> {
    const { host } = this.deps;
    // Resumed past the checkpoint (a journal of an older controller): too late to matter.
    if (hasEntry(hop, "checkpoint", "begin")) return { note: "not checked: the checkpoint has begun" };
    if (host.checkCpu === undefined) return { note: "not checked: this container host cannot" };
    const verdict = await onHost("cpu-check", target, () => host.checkCpu!(target));
    if (verdict.compatible) return { note: `${target} can run the container` };
    throw new CpuMismatchError(target, hop.target.instanceType, verdict.detail);
  }

  private async checkpoint(hop: HopRecord, target: string): Promise<StepResult> {
    const { host } = this.deps;
    const state = await host.state();
    if (state.runningOn === hop.source) {
      // Last moment to back out cheaply: never stop the container for a target that is going away.
      await this.calls.requireRunning(target);
      const image = await onHost("checkpoint", hop.source, () => host.checkpoint(hop.source));
      return { note: "checkpointed", ...(image ? { imageBytes: image.imageBytes } : {}) };
    }
    if (state.runningOn === null && state.checkpointFrom !== null) return { note: "already checkpointed" };
    if (state.runningOn === target) return { note: "already restored on the target" };
    if (state.runningOn === null) {
      throw new HostSideError(
        "checkpoint",
        hop.source,
        new ContainerLostError("it runs on no instance and the volume holds no checkpoint image"),
      );
    }
    throw new ContainerLostError(`runningOn ${state.runningOn}, checkpoint from ${state.checkpointFrom}`);
  }

  private async restoreOn(
    instanceId: string,
    action: "restore" | "restore-source" = "restore",
  ): Promise<StepResult> {
    const { host } = this.deps;
    const state = await host.state();
    if (state.runningOn === instanceId) return { note: "already running there" };
    if (state.runningOn !== null || state.checkpointFrom === null) {
      throw new ContainerLostError(`runningOn ${state.runningOn}, checkpoint from ${state.checkpointFrom}`);
    }
    await this.calls.requireRunning(instanceId);
    await onHost(action, instanceId, () => host.restore(instanceId));
    return { note: "restored" };
  }

  private async terminate(id: string): Promise<StepResult> {
    const i = await this.calls.call(() => this.deps.compute.describeInstance(id));
    if (isGone(i)) return { note: `already ${i?.state ?? "gone"}` };
    await this.calls.call(() => this.deps.compute.terminateInstance(id));
    return { note: "terminated" };
  }

  private async terminateTarget(hop: HopRecord): Promise<StepResult> {
    const notes: string[] = [];
    for (const i of await this.launchedTargets(hop))
      notes.push(`${i.id} ${(await this.terminate(i.id)).note}`);
    return { note: notes.length === 0 ? "no target launched" : notes.join("; ") };
  }
}

/** A container host's own failure, marked as such (the market is not at fault). */
async function onHost<T>(
  action: HostSideError["action"],
  instanceId: string,
  act: () => Promise<T>,
): Promise<T> {
  try {
    return await act();
  } catch (error) {
    throw new HostSideError(action, instanceId, error);
  }
}
