import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { HotspotError } from "../../errors.js";
import { LxcContainer } from "./hosts/lxc-container.js";
import type { NamespaceHostBackend } from "./hosts/namespace-backend.js";
import { holdTraffic, netnsExists, releaseTraffic } from "./hosts/network.js";
import { criuPath } from "../../host/criu.js";
import { run, runIn } from "../../host/run.js";
import { isMounted } from "./hosts/volumes.js";
import { readCgroupUsage } from "../../drivers/live/host/cgroup-usage.js";
import {
  CHECKPOINT_DIR,
  consumeMarker,
  MARKER_PATH,
  markComplete,
  markerSource,
  TRIAL_DIR,
} from "../../drivers/live/host/checkpoint-marker.js";
import { checkReference, CPU_DIR, dumpReference } from "../../drivers/live/host/cpu-check.js";
import type { CpuVerdict } from "../../host/criu.js";
import type {
  ContainerHost,
  CheckpointImage,
  ContainerState,
  CpuReference,
  ContainerUsage,
  HostPreflight,
  PreflightCheck,
} from "../../drivers/live/host/container-host.js";
import {
  criuCheck,
  directoryBytes,
  failed,
  lxcCgroupCheck,
  passed,
  trialCheckpoint,
  writableCheck,
} from "../../drivers/live/host/host-checks.js";

export interface LocalContainerHostOptions {
  readonly backend: NamespaceHostBackend;
  /** The LXC container (started with `LxcContainer.start` under `stateDir`). */
  readonly container: LxcContainer;
  readonly stateDir: string;
  /** The container's volume: checkpoint images go on it, as the paper ships memory "via EBS". */
  readonly volumeId: string;
  /** The container's address (its ENI's private IP). */
  readonly address: string;
  /** LXC's container directory (`-P`); default under `stateDir` (on the volume for `hotspot container create`'s). */
  readonly lxcPath?: string;
}

/**
 * The container side of a hop on the local cloud: a real LXC container checkpointed by CRIU onto its
 * volume on the source namespace host and restored from there on the target. `state()` reads only
 * real state (which instance's namespace runs the container; the completion marker on the volume), so
 * a controller that resumes after a crash sees what happened, not what it remembers.
 *
 * The interface names only the source at checkpoint time, so every other instance of ours (the
 * target, already running, among them) drops packets to the container's address from the checkpoint
 * until the restore finished: the peer's retransmissions meet silence, not a reset.
 */
export class LocalContainerHost implements ContainerHost {
  constructor(readonly options: LocalContainerHostOptions) {}

  /** The host of an LXC container started earlier, found in whichever instance of ours runs it. */
  static async find(
    options: Omit<LocalContainerHostOptions, "container"> & { readonly containerName: string },
  ): Promise<LocalContainerHost> {
    const { containerName, ...rest } = options;
    const placeholder = await LxcContainer.attach(options.stateDir, containerName, null, options.lxcPath);
    const probe = new LocalContainerHost({ ...rest, container: placeholder });
    const { runningOn } = await probe.state();
    const netns = runningOn === null ? null : options.backend.instanceNetns(runningOn);
    const container = await LxcContainer.attach(options.stateDir, containerName, netns, options.lxcPath);
    return new LocalContainerHost({ ...rest, container });
  }

  private get imagesDir(): string {
    return join(this.options.backend.volumes.mountPoint(this.options.volumeId), CHECKPOINT_DIR);
  }

  async state(): Promise<ContainerState> {
    const running: string[] = [];
    for (const instanceId of await this.instances()) {
      if (await this.runsIn(instanceId)) running.push(instanceId);
    }
    if (running.length > 1) {
      throw new HotspotError(
        "HOTSPOT_HOST_STATE",
        `container ${this.options.container.name} runs on ${running.join(" and ")} at once`,
      );
    }
    return { runningOn: running[0] ?? null, checkpointFrom: await this.checkpointFrom() };
  }

  /** The reference is dumped in `instanceId`'s namespace onto the volume (every namespace sees this machine's CPU). */
  async cpuReference(instanceId: string): Promise<CpuReference> {
    const { backend, volumeId } = this.options;
    const dir = join(backend.volumes.mountPoint(volumeId), CPU_DIR);
    return dumpReference(dir, { netns: backend.instanceNetns(instanceId) });
  }

  /** Checked in the target's namespace, on the reference the volume holds (mounted here for every instance). */
  async checkCpu(target: string): Promise<CpuVerdict> {
    const { backend, volumeId } = this.options;
    const dir = join(backend.volumes.mountPoint(volumeId), CPU_DIR);
    return checkReference(dir, { netns: backend.instanceNetns(target) });
  }

  async checkpoint(source: string): Promise<CheckpointImage> {
    const { backend, container, volumeId, address } = this.options;
    const sourceNetns = backend.instanceNetns(source);
    if (container.netns !== sourceNetns || !(await this.runsIn(source))) {
      throw new HotspotError(
        "HOTSPOT_HOST_STATE",
        `checkpoint on ${source}: container ${container.name} does not run there`,
      );
    }
    if (!(await isMounted(backend.volumes.mountPoint(volumeId)))) {
      throw new HotspotError("HOTSPOT_HOST_STATE", `checkpoint on ${source}: volume ${volumeId} not mounted`);
    }
    // Images of an older checkpoint must never mix with this one's.
    await rm(this.imagesDir, { recursive: true, force: true });
    await mkdir(this.imagesDir, { recursive: true });
    const others = (await this.instances()).filter((id) => id !== source);
    try {
      for (const id of others)
        await this.unlessGone(id, () => holdTraffic(backend.instanceNetns(id), address));
      await container.dump(this.imagesDir);
    } catch (error) {
      await this.releaseAll().catch(() => undefined);
      throw error;
    }
    const imageBytes = await directoryBytes(this.imagesDir);
    await markComplete(this.imagesDir, source);
    return { imageBytes };
  }

  async restore(on: string): Promise<void> {
    const { backend, container } = this.options;
    if ((await this.checkpointFrom()) === null) {
      throw new HotspotError("HOTSPOT_HOST_STATE", `restore on ${on}: no complete checkpoint on the volume`);
    }
    await container.restore(backend.instanceNetns(on), this.imagesDir, false);
    await consumeMarker(this.imagesDir);
    await this.releaseAll();
  }

  async start(on: string): Promise<void> {
    await this.options.container.boot(this.options.backend.instanceNetns(on));
  }

  async stop(on: string): Promise<void> {
    const { backend, container } = this.options;
    if (!(await this.runsIn(on))) return;
    // A clean stop (the container's halt signal), forced after 10 s.
    await runIn(backend.instanceNetns(on), "lxc-stop", [
      "-P",
      container.lxcPath,
      "-n",
      container.name,
      "-t",
      "10",
    ]);
  }

  async preflight(instanceId: string, options: { readonly trial: boolean }): Promise<HostPreflight> {
    const { backend, container, volumeId } = this.options;
    const netns = backend.instanceNetns(instanceId);
    const checks: PreflightCheck[] = [];
    const running = await this.runsIn(instanceId);
    checks.push(
      running
        ? passed("container running", `${container.name} is RUNNING on ${instanceId}`)
        : failed(
            "container running",
            `container ${container.name} RUNNING on ${instanceId} (lxc-info)`,
            "it does not run there",
          ),
    );
    if (running) checks.push(await lxcCgroupCheck(container.pid, container.name));
    checks.push(await criuCheck(() => runIn(netns, criuPath(), ["check"])));
    const mountPoint = backend.volumes.mountPoint(volumeId);
    checks.push(await writableCheck(mountPoint, await isMounted(mountPoint)));
    if (!options.trial || checks.some((c) => !c.ok)) return { checks, trial: null };
    const dir = join(mountPoint, TRIAL_DIR);
    const trial = await trialCheckpoint(dir, () => container.trialDump(dir));
    return { checks: [...checks, trial.check], trial: trial.trial };
  }

  /** CPU and memory of the container's cgroup, found from its init process. */
  async usage(): Promise<ContainerUsage | null> {
    const { pid } = this.options.container;
    if (pid <= 0) return null;
    const usage = await readCgroupUsage(pid);
    return usage === null ? null : { ...usage, pid };
  }

  /** Our instances whose namespace exists now. */
  private async instances(): Promise<string[]> {
    const { backend } = this.options;
    const out = await run("ip", ["-json", "netns", "list"]);
    const names = out === "" ? [] : (JSON.parse(out) as { name: string }[]).map((n) => n.name);
    const stem = backend.instanceNetns("");
    return names
      .filter((n) => n.startsWith(stem) && n !== backend.fabricNetns())
      .map((n) => n.slice(stem.length))
      .sort();
  }

  /** LXC's monitor socket is per network namespace, so lxc-info run there sees only a container running there. */
  private async runsIn(instanceId: string): Promise<boolean> {
    const { backend, container } = this.options;
    const args = ["-P", container.lxcPath, "-n", container.name, "-s", "-H"];
    const out = await this.unlessGone(instanceId, () =>
      runIn(backend.instanceNetns(instanceId), "lxc-info", args),
    );
    return out === "RUNNING";
  }

  /** An instance terminating meanwhile (its namespace deleted) is no error: nothing runs there. */
  private async unlessGone<T>(instanceId: string, action: () => Promise<T>): Promise<T | undefined> {
    try {
      return await action();
    } catch (error) {
      if (await netnsExists(this.options.backend.instanceNetns(instanceId))) throw error;
      return undefined;
    }
  }

  /** Reads the marker from the mounted volume, or straight from its image while it is between instances. */
  private async checkpointFrom(): Promise<string | null> {
    const { backend, volumeId } = this.options;
    const mountPoint = backend.volumes.mountPoint(volumeId);
    const text = (await isMounted(mountPoint))
      ? await readFile(join(mountPoint, MARKER_PATH), "utf8").catch(() => "")
      : await run("debugfs", ["-R", `cat /${MARKER_PATH}`, backend.volumes.imagePath(volumeId)]);
    return markerSource(text, `on volume ${volumeId}`);
  }

  /** Removes every hold on the address, in every instance of ours (a crash may have left one twice). */
  private async releaseAll(): Promise<void> {
    const { backend, address } = this.options;
    for (const id of await this.instances()) {
      const netns = backend.instanceNetns(id);
      while (
        await releaseTraffic(netns, address).then(
          () => true,
          () => false,
        )
      );
    }
  }
}
