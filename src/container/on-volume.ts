import { HotspotError } from "../errors.js";
import { HostCommandError } from "../host/run.js";
import { pollFor, type Clock } from "../util/clock.js";
import type { Ec2Compute, InstanceView } from "../drivers/live/hop/ec2-compute.js";
import type { HostRunner as Runner } from "../drivers/live/host/machine/volume-device.js";

/** Tag of an instance launched only to hold the volume while a container is created on it. */
export const TAG_ROLE = "hotspot:role";
export const WORKBENCH_ROLE = "workbench";

/** How the machine that runs the command reaches the volume once it is attached to `instanceId`. */
export interface VolumeMachine {
  /** The instance the volume must be attached to; null: launch a workbench instance for it. */
  readonly instanceId: string | null;
  /** Makes the attached volume a mounted ext4 filesystem and returns where (formats a blank one). */
  mount(instanceId: string): Promise<string>;
  /** Flushes and unmounts it before it is detached. */
  unmount(instanceId: string): Promise<void>;
}

export interface WorkbenchSpec {
  readonly imageId: string;
  readonly instanceType: string;
  readonly zone: string;
  readonly subnetId: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly clientToken: string;
}

export interface OnVolumeOptions {
  readonly compute: Ec2Compute;
  readonly volumeId: string;
  readonly device: string;
  readonly machine: VolumeMachine;
  readonly workbench: WorkbenchSpec;
  readonly clock: Clock;
  readonly progress: (line: string) => void;
  readonly timeoutMs?: number;
}

/**
 * Runs `work` on the volume, mounted: where it is attached already (to this machine), or attached for
 * the time of the work to this machine or to a workbench instance launched for it. Whatever it
 * attached or launched is detached and terminated again, also when the work fails.
 */
export async function withVolumeMounted<T>(
  options: OnVolumeOptions,
  work: (mountPoint: string) => Promise<T>,
): Promise<T> {
  const { compute, volumeId, machine, clock, progress } = options;
  const timing = { timeoutMs: options.timeoutMs ?? 300_000, pollMs: 250 };
  const volume = await compute.describeVolume(volumeId);
  const holder = volume.attachment?.instanceId ?? null;
  let workbench: InstanceView | null = null;
  let attached = false;
  let instanceId: string;
  if (holder !== null) {
    const view = await compute.describeInstance(holder);
    const isWorkbench = view?.tags[TAG_ROLE] === WORKBENCH_ROLE;
    if (holder !== machine.instanceId && !isWorkbench) {
      throw new HotspotError(
        "HOTSPOT_VOLUME_IN_USE",
        `volume ${volumeId} is attached to ${holder}${view === null ? "" : ` (${view.instanceType}, ${view.state})`}: expected it free or attached to ${machine.instanceId ?? "this machine"}; if a container was launched on it, \`hotspot down\` first`,
      );
    }
    instanceId = holder;
    if (isWorkbench) {
      workbench = view;
      attached = true;
    }
    progress(
      `volume ${volumeId} is attached to ${holder}${isWorkbench ? " (a workbench left by an earlier run)" : ""}`,
    );
  } else if (machine.instanceId !== null) {
    instanceId = machine.instanceId;
  } else {
    const spec = options.workbench;
    progress(
      `launching a workbench instance (${spec.instanceType} on-demand in ${spec.zone}) to hold volume ${volumeId}`,
    );
    workbench = await compute.runInstance({
      clientToken: spec.clientToken,
      imageId: spec.imageId,
      instanceType: spec.instanceType,
      zone: spec.zone,
      subnetId: spec.subnetId,
      lifecycle: "on-demand",
      tags: { ...spec.tags, [TAG_ROLE]: WORKBENCH_ROLE },
    });
    instanceId = workbench.id;
  }
  try {
    if (workbench !== null && holder === null) {
      await pollFor(clock, `workbench ${instanceId} running`, timing, async () =>
        (await compute.describeInstance(instanceId))?.state === "running" ? true : null,
      );
    }
    if (holder === null) {
      progress(`attaching volume ${volumeId} to ${instanceId} as ${options.device}`);
      await compute.attachVolume(volumeId, instanceId, options.device);
      attached = true;
      await pollFor(clock, `volume ${volumeId} attached to ${instanceId}`, timing, async () =>
        (await compute.describeVolume(volumeId)).attachment?.state === "attached" ? true : null,
      );
    }
    return await work(await machine.mount(instanceId));
  } finally {
    if (attached) {
      await machine.unmount(instanceId);
      if ((await compute.describeVolume(volumeId)).attachment !== null) {
        progress(`detaching volume ${volumeId} from ${instanceId}`);
        await compute.detachVolume(volumeId, instanceId, false);
        await pollFor(clock, `volume ${volumeId} detached`, timing, async () =>
          (await compute.describeVolume(volumeId)).attachment === null ? true : null,
        );
      }
    }
    if (workbench !== null) {
      progress(`terminating workbench ${instanceId}`);
      await compute.terminateInstance(instanceId);
      await pollFor(clock, `workbench ${instanceId} terminated`, timing, async () => {
        const state = (await compute.describeInstance(instanceId))?.state;
        return state === undefined || state === "terminated" ? true : null;
      });
    }
  }
}

/** What `blkid` says is on a block device: a filesystem type, or null for a blank device. */
export async function filesystemOn(run: Runner, device: string): Promise<string | null> {
  try {
    const out = await run("blkid", ["-p", "-o", "value", "-s", "TYPE", device]);
    return out === "" ? null : out;
  } catch (error) {
    // blkid exits 2 when it finds nothing it can identify: a blank device.
    if (error instanceof HostCommandError && error.exitCode === 2) return null;
    throw error;
  }
}

/** Formats a blank device ext4; keeps an ext4 one; refuses anything else, touching nothing. */
export async function ensureExt4(
  run: Runner,
  device: string,
  progress: (line: string) => void,
): Promise<void> {
  const found = await filesystemOn(run, device);
  if (found === "ext4") {
    progress(`${device} holds an ext4 filesystem: kept`);
    return;
  }
  if (found !== null) {
    throw new HotspotError(
      "HOTSPOT_VOLUME_FILESYSTEM",
      `${device}: expected a blank volume or ext4, found a ${found} filesystem; hotspot never formats a volume that holds one`,
    );
  }
  progress(`${device} is blank: making an ext4 filesystem`);
  await run("mkfs.ext4", ["-q", "-L", "hotspot", device]);
}
