import { copyFile, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { HotspotError } from "../../../errors.js";
import { lxcCheckpoint, makeCheckpointable } from "../../../host/lxc.js";
import type { Container } from "./container.js";
import type { LazyDump } from "./criu.js";
import { dumpToPageServerConfig, type PageServerEndpoint } from "./page-server.js";
import { run, runIn } from "../../../host/run.js";
import { killProcess, waitListening, type ContainerSpec } from "./workload.js";

function noPostCopy(): HotspotError {
  return new HotspotError(
    "HOTSPOT_UNSUPPORTED",
    "lxc-checkpoint has no post-copy (lazy pages) mode; use the pidns container for lazy migration",
  );
}

/** Container directory (`-P`) of the LXC containers under a state directory. */
export function lxcPath(stateDir: string): string {
  return join(stateDir, "lxc");
}

/**
 * A real LXC container (busybox template, nothing downloaded) running the workload as its init, with
 * the volume's mount point bind-mounted at /data. Every lxc-* command runs inside the instance's
 * network namespace: LXC's monitor socket is an abstract unix socket, which is per network namespace.
 */
export class LxcContainer implements Container {
  readonly kind = "lxc" as const;

  private constructor(
    private readonly stateDir: string,
    readonly name: string,
    public netns: string,
    public pid: number,
    /** LXC's container directory (`-P`): under the state directory, or on the volume. */
    readonly lxcPath: string,
  ) {}

  static async start(
    stateDir: string,
    name: string,
    binary: string,
    spec: ContainerSpec,
  ): Promise<LxcContainer> {
    const path = lxcPath(stateDir);
    const createConf = join(stateDir, "lxc-create.conf");
    await writeFile(createConf, "lxc.net.0.type = none\n");
    await run("lxc-create", ["-P", path, "-n", name, "-f", createConf, "-t", "busybox"]);
    const inContainerLog = `/data/${basename(spec.logFile)}`;
    await makeCheckpointable(path, name, {
      init: `/bin/counter ${spec.address} ${spec.port} ${spec.memoryMiB} ${inContainerLog}`,
      binds: [{ host: dirname(spec.logFile), container: "/data", kind: "dir" }],
    });
    await copyFile(binary, join(path, name, "rootfs", "bin", "counter"));
    const container = new LxcContainer(stateDir, name, spec.netns, 0, path);
    await runIn(spec.netns, "lxc-start", ["-P", path, "-n", name, "-d"]);
    await waitListening(spec, () => undefined);
    container.pid = await container.initPid(spec.netns);
    return container;
  }

  /**
   * A handle on a container started earlier (by another process): running in `netns`, or, with null,
   * stopped (checkpointed; a restore sets where it runs).
   */
  static async attach(
    stateDir: string,
    name: string,
    netns: string | null,
    path: string = lxcPath(stateDir),
  ): Promise<LxcContainer> {
    const container = new LxcContainer(stateDir, name, netns ?? "", 0, path);
    if (netns !== null) container.pid = await container.initPid(netns);
    return container;
  }

  private async initPid(netns: string): Promise<number> {
    const out = await runIn(netns, "lxc-info", ["-P", this.lxcPath, "-n", this.name, "-p", "-H"]);
    const pid = Number(out);
    if (!Number.isInteger(pid) || pid <= 0) {
      throw new HotspotError(
        "HOTSPOT_HOST_STATE",
        `LXC container ${this.name} has no running init in ${netns} (lxc-info said ${JSON.stringify(out)})`,
      );
    }
    return pid;
  }

  /**
   * Starts the container (created earlier, e.g. by `hotspot container create`) in `netns`: LXC runs its
   * init in its own cgroups, which every checkpoint needs (`ip netns exec` would leave it outside them).
   */
  async boot(netns: string): Promise<void> {
    await runIn(netns, "lxc-start", ["-P", this.lxcPath, "-n", this.name, "-d"]);
    this.netns = netns;
    this.pid = await this.initPid(netns);
  }

  async dump(imagesDir: string, pageServer?: PageServerEndpoint): Promise<void> {
    // No wait for the old init to be reaped: LXC restores it under a new host PID. (That wait cost
    // 1.2-1.9 s of downtime per hop here, where PID 1 reaps restored containers' inits late.)
    await lxcCheckpoint("dump", {
      ...this.checkpointOptions(this.netns, imagesDir),
      ...(pageServer === undefined ? {} : { criuOptions: dumpToPageServerConfig(pageServer) }),
    });
  }

  private checkpointOptions(netns: string, imagesDir: string) {
    return { lxcPath: this.lxcPath, name: this.name, imagesDir, configDir: this.stateDir, netns };
  }

  /** A dump that leaves the container running (lxc-checkpoint without -s passes --leave-running). */
  /** A checkpoint that leaves the container running (preflight's trial). */
  async trialDump(imagesDir: string): Promise<void> {
    await lxcCheckpoint("trial", this.checkpointOptions(this.netns, imagesDir));
  }

  dumpLazy(): Promise<LazyDump> {
    return Promise.reject(noPostCopy());
  }

  async restore(netns: string, imagesDir: string, lazy: boolean, logDir?: string): Promise<void> {
    if (lazy) throw noPostCopy();
    await lxcCheckpoint("restore", {
      ...this.checkpointOptions(netns, imagesDir),
      ...(logDir === undefined ? {} : { lxcLogDir: logDir }),
    });
    this.netns = netns;
    this.pid = await this.initPid(netns);
  }

  async kill(): Promise<void> {
    await runIn(this.netns, "lxc-stop", ["-P", this.lxcPath, "-n", this.name, "-k"]).catch(() => undefined);
    killProcess(this.pid);
  }
}
