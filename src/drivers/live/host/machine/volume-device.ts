import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { HotspotError, UsageError, shown } from "../../../../errors.js";
import { HostCommandError, run } from "../../../../host/run.js";
import { fileExists } from "../../../../util/file-exists.js";
import { wallClock, type Clock } from "../../../../util/clock.js";

/** Runs `file args...` (an argument array) on this machine and returns its trimmed stdout. */
export type HostRunner = (file: string, args: readonly string[]) => Promise<string>;

/** The default runner: the host command runner of the local cloud (throws HostCommandError). */
export const hostRun: HostRunner = run;

/** Polling of something the kernel makes appear after an EC2 attach. */
export interface PollOptions {
  readonly clock?: Pick<Clock, "now" | "sleep">;
  readonly timeoutMs?: number;
  readonly pollMs?: number;
}

/** The attached volume's device did not appear in time. */
export class VolumeDeviceTimeoutError extends HotspotError {
  constructor(
    readonly volumeId: string,
    readonly tried: readonly string[],
    readonly timeoutMs: number,
  ) {
    super(
      "HOTSPOT_VOLUME_DEVICE_TIMEOUT",
      `volume ${volumeId}: no block device after ${timeoutMs / 1000} s; tried ${tried.join(", ")}`,
      { retryable: true },
    );
  }
}

/** The volume's filesystem stayed busy: unmounting it lazily and detaching would lose data. */
export class UnmountBusyError extends HotspotError {
  constructor(
    readonly mountPoint: string,
    readonly attempts: number,
    options: { cause?: unknown } = {},
  ) {
    super(
      "HOTSPOT_UNMOUNT_BUSY",
      `unmount ${mountPoint}: target still busy after ${attempts} attempts (find the holders with \`fuser -vm ${mountPoint}\`); the volume must not be detached while mounted`,
      options,
    );
  }
}

const VOLUME_ID = /^vol-([0-9a-f]{8,17})$/;
const DEVICE_NAME = /^(?:\/dev\/)?(?:sd|xvd)([a-z]{1,2})$/;

/**
 * Paths the volume's block device may have on this machine. Nitro instances expose EBS volumes as
 * NVMe devices whose by-id link carries the volume id without its dash; Xen instances rename the
 * attach device /dev/sdX to /dev/xvdX (some kernels keep /dev/sdX).
 */
export function deviceCandidates(volumeId: string, deviceName: string, devDir = "/dev"): string[] {
  const volume = VOLUME_ID.exec(volumeId);
  if (volume === null)
    throw new UsageError("volume id", "vol- followed by 8 to 17 hex digits", shown(volumeId));
  const device = DEVICE_NAME.exec(deviceName);
  if (device === null) {
    throw new UsageError("volume device name", "/dev/sdX or /dev/xvdX (X: 1-2 letters)", shown(deviceName));
  }
  const letters = device[1];
  return [
    join(devDir, "disk", "by-id", `nvme-Amazon_Elastic_Block_Store_vol${volume[1]}`),
    join(devDir, `xvd${letters}`),
    join(devDir, `sd${letters}`),
  ];
}

export interface DeviceLookup {
  readonly devDir?: string;
  /** Whether a path exists (a dangling link does not); injected by tests. */
  readonly exists?: (path: string) => Promise<boolean>;
}

/** The volume's block device if it is attached here now, else null. */
export async function findVolumeDevice(
  volumeId: string,
  deviceName: string,
  options: DeviceLookup = {},
): Promise<string | null> {
  const { exists = fileExists } = options;
  for (const path of deviceCandidates(volumeId, deviceName, options.devDir))
    if (await exists(path)) return path;
  return null;
}

/** Waits until one of the volume's candidate devices exists and returns it. */
export async function waitForVolumeDevice(
  volumeId: string,
  deviceName: string,
  options: PollOptions & DeviceLookup = {},
): Promise<string> {
  const { clock = wallClock, timeoutMs = 60_000, pollMs = 250 } = options;
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    const device = await findVolumeDevice(volumeId, deviceName, options);
    if (device !== null) return device;
    if (clock.now() >= deadline) {
      throw new VolumeDeviceTimeoutError(
        volumeId,
        deviceCandidates(volumeId, deviceName, options.devDir),
        timeoutMs,
      );
    }
    await clock.sleep(pollMs);
  }
}

/** The source mounted at exactly `mountPoint`, or null (findmnt exits 1 when nothing is). */
export async function mountedSource(runner: HostRunner, mountPoint: string): Promise<string | null> {
  try {
    const out = await runner("findmnt", ["--noheadings", "--output", "SOURCE", "--mountpoint", mountPoint]);
    return out === "" ? null : out;
  } catch (error) {
    if (error instanceof HostCommandError && error.exitCode === 1) return null;
    throw error;
  }
}

/** Mounts the ext4 volume at `mountPoint` unless something is mounted there already. */
export async function mountVolume(
  runner: HostRunner,
  device: string,
  mountPoint: string,
): Promise<"mounted" | "already mounted"> {
  if ((await mountedSource(runner, mountPoint)) !== null) return "already mounted";
  await mkdir(mountPoint, { recursive: true });
  await runner("mount", ["-t", "ext4", device, mountPoint]);
  return "mounted";
}

function isBusy(error: unknown): boolean {
  return error instanceof HostCommandError && /target is busy/i.test(error.stderr);
}

/**
 * Flushes and unmounts the volume; nothing mounted there is fine. A busy filesystem is retried a few
 * times (a just-stopped container's monitor may still hold it), then refused: never unmounted lazily,
 * as the detach that follows would drop what a lazily unmounted filesystem still had to write.
 */
export async function unmountVolume(
  runner: HostRunner,
  mountPoint: string,
  options: {
    readonly clock?: Pick<Clock, "sleep">;
    readonly attempts?: number;
    readonly retryMs?: number;
  } = {},
): Promise<"unmounted" | "not mounted"> {
  const { clock = wallClock, attempts = 5, retryMs = 200 } = options;
  if ((await mountedSource(runner, mountPoint)) === null) return "not mounted";
  await runner("sync", []);
  for (let attempt = 1; ; attempt++) {
    try {
      await runner("umount", [mountPoint]);
      return "unmounted";
    } catch (error) {
      if (!isBusy(error)) throw error;
      if (attempt >= attempts) throw new UnmountBusyError(mountPoint, attempts, { cause: error });
    }
    await clock.sleep(retryMs);
  }
}
