import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { HotspotError } from "../../../../errors.js";
import { criuPath, logTail, pathWithCriu } from "../../../../host/criu.js";
import { HostCommandError } from "../../../../host/run.js";
import { wallClock, type Clock } from "../../../../util/clock.js";
import { readCgroupUsage } from "../cgroup-usage.js";
import {
  CHECKPOINT_DIR,
  COMPLETE_MARKER,
  consumeMarker,
  MARKER_PATH,
  markComplete,
  markerSource,
  TRIAL_DIR,
} from "../checkpoint-marker.js";
import { checkReference, CPU_DIR, dumpReference } from "../cpu-check.js";
import type { CpuVerdict } from "../../../../host/criu.js";
import type {
  ContainerHost,
  CheckpointImage,
  ContainerState,
  CpuReference,
  ContainerUsage,
  HostPreflight,
  PreflightCheck,
} from "../container-host.js";
import {
  criuCheck,
  directoryBytes,
  failed,
  lxcCgroupCheck,
  passed,
  trialCheckpoint,
  writableCheck,
} from "../host-checks.js";
import { configureInterface, validateInterfaceAddress, type InterfaceAddress } from "./interface-address.js";
import {
  deviceCandidates,
  findVolumeDevice,
  hostRun,
  mountedSource,
  mountVolume,
  unmountVolume,
  waitForVolumeDevice,
  type HostRunner,
} from "./volume-device.js";

/** Runs a command whose output must not be held: a restored container inherits lxc-checkpoint's streams. */
export type QuietRunner = (file: string, args: readonly string[]) => Promise<void>;

/** The default quiet runner: streams ignored, a non-zero exit thrown as HostCommandError. */
export const hostRunQuiet: QuietRunner = async (file, args) => {
  const result = await execa(file, args, { stdio: "ignore", reject: false });
  if (result.exitCode !== 0 || result.failed) {
    throw new HostCommandError([file, ...args], result.exitCode, "", {
      cause: result,
    });
  }
};

export interface MachineVolume {
  readonly volumeId: string;
  /** The device name the volume is attached with (EC2 AttachVolume's Device, e.g. /dev/sdf). */
  readonly deviceName: string;
  /** Where this machine mounts it: the same path on every instance, so open files reopen after a hop. */
  readonly mountPoint: string;
}

export interface MachineContainerHostOptions {
  /** The instance this host runs on: the only one it can see or act on. */
  readonly self: string;
  readonly containerName: string;
  /** LXC's container directory (`-P`); on the volume (e.g. <mountPoint>/lxc) so the root filesystem travels. */
  readonly lxcPath: string;
  readonly volume: MachineVolume;
  /** The container's ENI, configured on arrival; absent where something else brings it up. */
  readonly network?: InterfaceAddress;
  /** Where device nodes are (/dev); tests point it at a directory of links. */
  readonly devDir?: string;
  /** Whether a device path exists; injected by tests. */
  readonly exists?: (path: string) => Promise<boolean>;
  readonly run?: HostRunner;
  readonly runQuiet?: QuietRunner;
  /**
   * The verdict of another instance's CPU check (it runs there, at its controller's boot): on EC2,
   * read from its CPU_CHECK_TAG (`awaitVerdict`). Absent: `checkCpu` of another instance throws.
   */
  readonly cpuVerdict?: (target: string) => Promise<CpuVerdict>;
  /** criu binary lxc-checkpoint is to find (default: criuPath()). */
  readonly criu?: string;
  readonly clock?: Pick<Clock, "now" | "sleep">;
  readonly timeouts?: {
    /** Wait for the volume's device and the ENI's interface after attach. */
    readonly appearMs?: number;
    readonly pollMs?: number;
    readonly unmountAttempts?: number;
    readonly unmountRetryMs?: number;
  };
}

function hostState(message: string): HotspotError {
  return new HotspotError("HOTSPOT_HOST_STATE", message);
}

/**
 * The container side of a hop on a real EC2 instance whose controller runs on that instance
 * (self-migrating): LXC checkpoints the container with CRIU onto its EBS volume here, the volume is
 * unmounted before the detach, and on the instance it arrives at it is mounted, the ENI's address
 * brought up and the container restored.
 *
 * This host sees only its own machine. `state()` reports a container running here, and a
 * checkpoint marker only while the volume is attached here (read from the mounted filesystem, or
 * with debugfs from the device between attach and mount, e.g. after a reboot): while the volume is
 * between instances or on another one the checkpoint is invisible to it (the journal says where the
 * hop stands). Calls naming another instance are refused (checkpoint, restore) or no-ops
 * (releaseVolume, receiveVolume).
 */
export class MachineContainerHost implements ContainerHost {
  private readonly run: HostRunner;
  private readonly runQuiet: QuietRunner;
  private readonly clock: Pick<Clock, "now" | "sleep">;

  constructor(readonly options: MachineContainerHostOptions) {
    const { volume, network } = options;
    // Validated here, where the settings enter, so a bad id fails before any hop begins.
    deviceCandidates(volume.volumeId, volume.deviceName, options.devDir);
    if (network !== undefined) validateInterfaceAddress(network);
    this.run = options.run ?? hostRun;
    this.runQuiet = options.runQuiet ?? hostRunQuiet;
    this.clock = options.clock ?? wallClock;
  }

  private get imagesDir(): string {
    return join(this.options.volume.mountPoint, CHECKPOINT_DIR);
  }

  private get lxcArgs(): string[] {
    return ["-P", this.options.lxcPath, "-n", this.options.containerName];
  }

  async state(): Promise<ContainerState> {
    return {
      runningOn: (await this.runsHere()) ? this.options.self : null,
      checkpointFrom: await this.checkpointFrom(),
    };
  }

  async cpuReference(instanceId: string): Promise<CpuReference> {
    this.requireSelf("cpu reference", instanceId);
    return dumpReference(join(this.options.volume.mountPoint, CPU_DIR), { criu: this.options.criu });
  }

  /** This machine's CPU is checked here; another's by its own controller, whose verdict `cpuVerdict` reads. */
  async checkCpu(target: string): Promise<CpuVerdict> {
    const { self, cpuVerdict, volume, criu } = this.options;
    if (target === self) return checkReference(join(volume.mountPoint, CPU_DIR), { criu });
    if (cpuVerdict === undefined) {
      throw hostState(
        `cpu check on ${target}: this host runs on ${self} and has no way to hear ${target}'s verdict`,
      );
    }
    return cpuVerdict(target);
  }

  async checkpoint(source: string): Promise<CheckpointImage> {
    const { containerName, volume } = this.options;
    this.requireSelf("checkpoint", source);
    if (!(await this.volumeMounted())) {
      throw hostState(
        `checkpoint on ${source}: volume ${volume.volumeId} is not mounted at ${volume.mountPoint}`,
      );
    }
    if (!(await this.runsHere())) {
      throw hostState(`checkpoint on ${source}: container ${containerName} is not running here`);
    }
    // Images of an older checkpoint must never mix with this one's.
    await rm(this.imagesDir, { recursive: true, force: true });
    await mkdir(this.imagesDir, { recursive: true });
    await this.lxcCheckpoint(["-s"], ["tcp-established"], "dump");
    const imageBytes = await directoryBytes(this.imagesDir);
    await markComplete(this.imagesDir, source);
    return { imageBytes };
  }

  async restore(on: string): Promise<void> {
    const { volume } = this.options;
    this.requireSelf("restore", on);
    if ((await this.checkpointFrom()) === null) {
      throw hostState(
        `restore on ${on}: expected a complete checkpoint at ${join(this.imagesDir, COMPLETE_MARKER)}, found none (volume ${volume.volumeId} ${(await this.volumeMounted()) ? "mounted" : "not mounted"} here)`,
      );
    }
    // mntns-compat-mode for restore only (measured: LXC restores need it, dumps must not get it).
    await this.lxcCheckpoint(["-r"], ["tcp-established", "mntns-compat-mode"], "restore");
    await consumeMarker(this.imagesDir);
  }

  async start(on: string): Promise<void> {
    this.requireSelf("start", on);
    if (!(await this.volumeMounted())) {
      throw hostState(
        `start on ${on}: volume ${this.options.volume.volumeId} is not mounted at ${this.options.volume.mountPoint}`,
      );
    }
    await this.runQuiet("lxc-start", [...this.lxcArgs, "-d"]);
  }

  async stop(on: string): Promise<void> {
    this.requireSelf("stop", on);
    // A clean stop (the container's halt signal), forced after 10 s.
    if (await this.runsHere()) await this.runQuiet("lxc-stop", [...this.lxcArgs, "-t", "10"]);
  }

  async preflight(instanceId: string, options: { readonly trial: boolean }): Promise<HostPreflight> {
    const { containerName, volume } = this.options;
    this.requireSelf("preflight", instanceId);
    const checks: PreflightCheck[] = [];
    const running = await this.runsHere();
    checks.push(
      running
        ? passed("container running", `${containerName} is RUNNING on ${instanceId}`)
        : failed(
            "container running",
            `container ${containerName} RUNNING on ${instanceId} (lxc-info -P ${this.options.lxcPath})`,
            "it does not run here",
          ),
    );
    if (running) checks.push(await lxcCgroupCheck(await this.initPid(), containerName));
    checks.push(await criuCheck(() => this.run(this.options.criu ?? criuPath(), ["check"])));
    checks.push(await writableCheck(volume.mountPoint, await this.volumeMounted()));
    if (!options.trial || checks.some((c) => !c.ok)) return { checks, trial: null };
    const dir = join(volume.mountPoint, TRIAL_DIR);
    const trial = await trialCheckpoint(dir, () => this.lxcCheckpoint([], ["tcp-established"], "dump", dir));
    return { checks: [...checks, trial.check], trial: trial.trial };
  }

  /** CPU and memory of the container's cgroup, found from its init process. */
  async usage(): Promise<ContainerUsage | null> {
    if (!(await this.runsHere())) return null;
    const pid = await this.initPid();
    if (pid <= 0) return null;
    const usage = await readCgroupUsage(pid);
    return usage === null ? null : { ...usage, pid };
  }

  async releaseVolume(instanceId: string): Promise<void> {
    const { self, containerName, volume, timeouts } = this.options;
    if (instanceId !== self) return;
    if (await this.runsHere()) {
      throw hostState(
        `release volume ${volume.volumeId} on ${self}: container ${containerName} still runs on it; checkpoint it first`,
      );
    }
    await unmountVolume(this.run, volume.mountPoint, {
      clock: this.clock,
      attempts: timeouts?.unmountAttempts,
      retryMs: timeouts?.unmountRetryMs,
    });
  }

  async receiveVolume(instanceId: string): Promise<void> {
    const { self, volume, network, devDir, exists, timeouts } = this.options;
    if (instanceId !== self) return;
    const poll = { clock: this.clock, timeoutMs: timeouts?.appearMs, pollMs: timeouts?.pollMs };
    const device = await waitForVolumeDevice(volume.volumeId, volume.deviceName, { ...poll, devDir, exists });
    await mountVolume(this.run, device, volume.mountPoint);
    if (network !== undefined) await configureInterface(this.run, network, poll);
  }

  /** The container's init process as LXC reports it; 0 when it reports none. */
  private async initPid(): Promise<number> {
    const pid = Number(await this.run("lxc-info", [...this.lxcArgs, "-p", "-H"]));
    return Number.isInteger(pid) && pid > 0 ? pid : 0;
  }

  private requireSelf(action: string, instanceId: string): void {
    if (instanceId !== this.options.self) {
      throw hostState(
        `${action} on ${instanceId}: this host runs on ${this.options.self} and acts only on its own machine`,
      );
    }
  }

  private async volumeMounted(): Promise<boolean> {
    return (await mountedSource(this.run, this.options.volume.mountPoint)) !== null;
  }

  /** A container LXC does not know (its directory is on a volume not mounted here) is not running here. */
  private async runsHere(): Promise<boolean> {
    try {
      return (await this.run("lxc-info", [...this.lxcArgs, "-s", "-H"])) === "RUNNING";
    } catch (error) {
      if (error instanceof HostCommandError && /doesn't exist/.test(error.stderr)) return false;
      throw error;
    }
  }

  /** Reads the marker from the mounted volume, or from its device while it is attached but not mounted. */
  private async checkpointFrom(): Promise<string | null> {
    const marker = await this.readMarker();
    return marker === null ? null : markerSource(marker.text, marker.where);
  }

  private async readMarker(): Promise<{ readonly where: string; readonly text: string } | null> {
    const { volume, devDir, exists } = this.options;
    if (await this.volumeMounted()) {
      const path = join(this.imagesDir, COMPLETE_MARKER);
      const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return "";
        throw error;
      });
      return { where: path, text };
    }
    const device = await findVolumeDevice(volume.volumeId, volume.deviceName, { devDir, exists });
    if (device === null) return null;
    const inside = `/${MARKER_PATH}`;
    // debugfs prints nothing on stdout for a missing file (and exits 0).
    const text = await this.run("debugfs", ["-R", `cat ${inside}`, device]);
    return { where: `${device}:${inside}`, text };
  }

  /**
   * lxc-checkpoint with criu options LXC does not pass itself (through CRIU_CONFIG_FILE, written next
   * to the images) and the chosen criu first on PATH.
   */
  private async lxcCheckpoint(
    args: readonly string[],
    criuOptions: readonly string[],
    kind: string,
    imagesDir = this.imagesDir,
  ) {
    const config = join(imagesDir, `criu-${kind}.conf`);
    await writeFile(config, `${criuOptions.join("\n")}\n`);
    try {
      await this.runQuiet("env", [
        `CRIU_CONFIG_FILE=${config}`,
        `PATH=${pathWithCriu(this.options.criu)}`,
        "lxc-checkpoint",
        ...this.lxcArgs,
        ...args,
        "-D",
        imagesDir,
        // LXC's own log: it says why when it refuses before running CRIU (e.g. no cgroup of its own).
        "-o",
        join(imagesDir, `lxc-${kind}.log`),
        "-l",
        "INFO",
      ]);
    } catch (error) {
      const log =
        error instanceof HostCommandError ? await logTail(imagesDir, `${kind}.log`, `lxc-${kind}.log`) : "";
      throw new HotspotError(
        "HOTSPOT_CRIU",
        `lxc-checkpoint ${args.join(" ")} of ${this.options.containerName} on ${this.options.self} failed: ${log || (error instanceof Error ? error.message : String(error))}`,
        { cause: error },
      );
    }
  }
}
