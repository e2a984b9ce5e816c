import { HotspotError } from "../../src/errors.js";
import type { Emulator } from "../../src/cloud/local/emulator.js";
import type { CgroupMemory } from "../../src/drivers/live/host/cgroup-usage.js";
import type {
  CheckpointImage,
  ContainerHost,
  ContainerState,
  ContainerUsage,
  CpuReference,
  HostPreflight,
  TrialCheckpoint,
} from "../../src/drivers/live/host/container-host.js";
import type { LiveResources } from "../../src/drivers/live/hop/resources.js";
import type { CpuVerdict } from "../../src/host/criu.js";
import type { FakeEc2Compute } from "./fake-ec2-compute.js";

/** An attachment as the fake host checks it before a restore. */
export interface FakeAttachment {
  readonly instanceId: string;
  readonly attached: boolean;
}

/** What the fake host asks of the cloud around it: where the volume and the ENI are, and instance types. */
export interface FakeHostWorld {
  volume(): FakeAttachment | null;
  eni(): FakeAttachment | null;
  /** The type of `instanceId`, undefined when there is no such instance. */
  instanceType(instanceId: string): string | undefined;
}

/** The EC2 emulator's state as the fake host's world. */
export function emulatorWorld(emulator: Emulator, resources: LiveResources): FakeHostWorld {
  const attachment = (a: { instanceId: string; status: string } | null | undefined) =>
    a ? { instanceId: a.instanceId, attached: a.status === "attached" } : null;
  return {
    volume: () => attachment(emulator.state.volumes.get(resources.volumeId)?.attachment),
    eni: () => attachment(emulator.state.interfaces.get(resources.networkInterfaceId)?.attachment),
    instanceType: (id) => emulator.state.instances.get(id)?.instanceType,
  };
}

/** A FakeEc2Compute as the fake host's world (its attachments complete at once). */
export function fakeComputeWorld(compute: FakeEc2Compute): FakeHostWorld {
  return {
    volume: () => compute.volume && { instanceId: compute.volume.instanceId, attached: true },
    eni: () => compute.eni && { instanceId: compute.eni.instanceId, attached: true },
    instanceType: (id) => compute.instances.get(id)?.request.instanceType,
  };
}

/**
 * A container host that is a fake (no CRIU): it holds where the container runs and enforces what the
 * real one needs: checkpoint only where it runs, restore only where the volume and the ENI are attached.
 */
export class FakeContainerHost implements ContainerHost {
  runningOn: string | null;
  checkpointFrom: string | null = null;
  readonly history: string[] = [];
  /** What the fake's trial checkpoint "measures". */
  trial: TrialCheckpoint = { seconds: 0.25, imageBytes: 8 * 2 ** 20 };
  /** A host check that fails (e.g. "criu check"), with its detail; null: all pass. */
  failingCheck: { readonly check: string; readonly detail: string } | null = null;
  /** Instances preflight was asked about, and whether with a trial. */
  readonly preflights: string[] = [];
  /** The size every checkpoint of the fake "writes". */
  imageBytes = 4 * 2 ** 20;
  /** Instance types whose CPU `checkCpu` finds unable to run the container. */
  readonly cpuMismatchTypes = new Set<string>();
  /** Instances `checkCpu` was asked about. */
  readonly cpuChecks: string[] = [];
  /** What the fake's cgroup reports while the container runs; null: no memory accounting. */
  memory: CgroupMemory | null = null;

  constructor(
    private readonly world: FakeHostWorld,
    home: string,
  ) {
    this.runningOn = home;
  }

  async state(): Promise<ContainerState> {
    return { runningOn: this.runningOn, checkpointFrom: this.checkpointFrom };
  }

  /** The real hosts' checks, reduced to what the fake knows: where it runs, and one injectable failure. */
  async preflight(instanceId: string, options: { readonly trial: boolean }): Promise<HostPreflight> {
    this.preflights.push(`${instanceId}${options.trial ? " trial" : ""}`);
    const running = this.runningOn === instanceId;
    const checks = [
      {
        check: "container running",
        ok: running,
        detail: running ? "running" : `expected running on ${instanceId}, found ${this.runningOn ?? "none"}`,
      },
      ...(this.failingCheck === null ? [] : [{ ...this.failingCheck, ok: false }]),
    ];
    const ok = checks.every((c) => c.ok);
    return { checks, trial: options.trial && ok ? this.trial : null };
  }

  async cpuReference(instanceId: string): Promise<CpuReference> {
    if (this.runningOn !== instanceId)
      throw new HotspotError("HOTSPOT_HOST_STATE", `cpu reference on ${instanceId}: not running there`);
    return { architecture: "x86_64", image: "" };
  }

  /** The verdict by the target's type: mismatched for `cpuMismatchTypes`. */
  async checkCpu(target: string): Promise<CpuVerdict> {
    this.cpuChecks.push(target);
    const type = this.world.instanceType(target);
    if (type === undefined)
      throw new HotspotError("HOTSPOT_HOST_STATE", `cpu check on ${target}: no such instance`);
    return this.cpuMismatchTypes.has(type)
      ? {
          compatible: false,
          detail: "Error (criu/arch/x86/cpu.c:223): cpu: CPU instruction capabilities do not match run time",
        }
      : { compatible: true };
  }

  async usage(): Promise<ContainerUsage | null> {
    return this.runningOn === null || this.memory === null
      ? null
      : { cpuSeconds: 0, memory: this.memory, pid: 1 };
  }

  async checkpoint(source: string): Promise<CheckpointImage> {
    if (this.runningOn !== source)
      throw new HotspotError(
        "HOTSPOT_HOST_STATE",
        `checkpoint on ${source}: the container runs on ${this.runningOn}`,
      );
    this.runningOn = null;
    this.checkpointFrom = source;
    this.history.push(`checkpoint ${source}`);
    return { imageBytes: this.imageBytes };
  }

  /** Starts the stopped container (no checkpoint: a fresh launch) where the volume and the ENI are. */
  async start(on: string): Promise<void> {
    if (this.runningOn !== null)
      throw new HotspotError(
        "HOTSPOT_HOST_STATE",
        `start on ${on}: the container already runs on ${this.runningOn}`,
      );
    this.requireAttached(on, "start");
    this.runningOn = on;
    this.history.push(`start ${on}`);
  }

  async restore(on: string): Promise<void> {
    if (this.runningOn !== null)
      throw new HotspotError(
        "HOTSPOT_HOST_STATE",
        `restore on ${on}: the container already runs on ${this.runningOn}`,
      );
    if (this.checkpointFrom === null)
      throw new HotspotError("HOTSPOT_HOST_STATE", `restore on ${on}: no checkpoint`);
    this.requireAttached(on, "restore");
    this.runningOn = on;
    this.history.push(`restore ${on}`);
  }

  private requireAttached(on: string, action: string): void {
    const volume = this.world.volume();
    const eni = this.world.eni();
    if (volume?.instanceId !== on || !volume.attached)
      throw new HotspotError("HOTSPOT_HOST_STATE", `${action} on ${on}: volume not attached`);
    if (eni?.instanceId !== on || !eni.attached)
      throw new HotspotError("HOTSPOT_HOST_STATE", `${action} on ${on}: ENI not attached`);
  }
}
