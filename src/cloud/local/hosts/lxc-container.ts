import { copyFile, readFile, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { execa } from "execa";
import { HotspotError } from "../../../errors.js";
import type { Container } from "./container.js";
import { logTail, pathWithCriu, type LazyDump } from "./criu.js";
import { run, runIn } from "./run.js";
import { killProcess, waitListening, type ContainerSpec } from "./workload.js";

/**
 * Config lines measured to matter for checkpoint/restore here: no ttys, ptys or console (CRIU cannot
 * carry the host's), no AppArmor profile, and the network type `none` so the container lives in the
 * instance's namespace and its ENI address moves with the instance's veth.
 */
const DROPPED_KEYS = ["lxc.tty.max", "lxc.pty.max", "lxc.console.path", "lxc.apparmor", "lxc.init.cmd"];

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
    const configFile = join(path, name, "config");
    const kept = (await readFile(configFile, "utf8"))
      .split("\n")
      .filter((line) => !DROPPED_KEYS.some((key) => line.trim().startsWith(key)));
    const inContainerLog = `/data/${basename(spec.logFile)}`;
    kept.push(
      "lxc.tty.max = 0",
      "lxc.pty.max = 0",
      "lxc.console.path = none",
      `lxc.mount.entry = ${dirname(spec.logFile)} data none bind,create=dir 0 0`,
      `lxc.init.cmd = /bin/counter ${spec.address} ${spec.port} ${spec.memoryMiB} ${inContainerLog}`,
      "",
    );
    await writeFile(configFile, kept.join("\n"));
    await copyFile(binary, join(path, name, "rootfs", "bin", "counter"));
    const container = new LxcContainer(stateDir, name, spec.netns, 0);
    await runIn(spec.netns, "lxc-start", ["-P", path, "-n", name, "-d"]);
    await waitListening(spec, () => undefined);
    container.pid = await container.initPid(spec.netns);
    return container;
  }

  /**
   * A handle on a container started earlier (by another process): running in `netns`, or, with null,
   * stopped (checkpointed; a restore sets where it runs).
   */
  static async attach(stateDir: string, name: string, netns: string | null): Promise<LxcContainer> {
    const container = new LxcContainer(stateDir, name, netns ?? "", 0);
    if (netns !== null) container.pid = await container.initPid(netns);
    return container;
  }

  private async initPid(netns: string): Promise<number> {
    const out = await runIn(netns, "lxc-info", ["-P", lxcPath(this.stateDir), "-n", this.name, "-p", "-H"]);
    const pid = Number(out);
    if (!Number.isInteger(pid) || pid <= 0) {
      throw new HotspotError(
        "HOTSPOT_HOST_STATE",
        `LXC container ${this.name} has no running init in ${netns} (lxc-info said ${JSON.stringify(out)})`,
      );
    }
    return pid;
  }

  /** criu options LXC does not pass itself go through CRIU_CONFIG_FILE; lxc-checkpoint finds criu on PATH. */
  private async criuEnv(options: readonly string[]): Promise<Record<string, string>> {
    const file = join(this.stateDir, `criu-${options.join("-")}.conf`);
    await writeFile(file, `${options.join("\n")}\n`);
    return { CRIU_CONFIG_FILE: file, PATH: pathWithCriu() };
  }

  private async checkpoint(
    netns: string,
    args: string[],
    imagesDir: string,
    log: string,
    env: Record<string, string>,
  ) {
    // Output redirected: a restored container otherwise keeps the caller's stdout open.
    const result = await execa(
      "nsenter",
      [
        `--net=/run/netns/${netns}`,
        "lxc-checkpoint",
        "-P",
        lxcPath(this.stateDir),
        "-n",
        this.name,
        ...args,
        "-D",
        imagesDir,
        // LXC's own log: it says why when it refuses before running CRIU (e.g. no cgroup of its own).
        "-o",
        join(imagesDir, `lxc-${log}`),
        "-l",
        "INFO",
      ],
      {
        env,
        stdio: "ignore",
        reject: false,
      },
    );
    if (result.exitCode !== 0) {
      throw new HotspotError(
        "HOTSPOT_CRIU",
        `lxc-checkpoint ${args.join(" ")} of ${this.name} in ${netns} failed (exit ${result.exitCode}): ${await logTail(imagesDir, log, `lxc-${log}`)}`,
      );
    }
  }

  async dump(imagesDir: string): Promise<void> {
    // No wait for the old init to be reaped: LXC restores it under a new host PID. (That wait cost
    // 1.2-1.9 s of downtime per hop here, where PID 1 reaps restored containers' inits late.)
    await this.checkpoint(this.netns, ["-s"], imagesDir, "dump.log", await this.criuEnv(["tcp-established"]));
  }

  /** A dump that leaves the container running (lxc-checkpoint without -s passes --leave-running). */
  async trialDump(imagesDir: string): Promise<void> {
    await this.checkpoint(this.netns, [], imagesDir, "dump.log", await this.criuEnv(["tcp-established"]));
  }

  dumpLazy(): Promise<LazyDump> {
    return Promise.reject(noPostCopy());
  }

  async restore(netns: string, imagesDir: string, lazy: boolean): Promise<void> {
    if (lazy) throw noPostCopy();
    // mntns-compat-mode for restore only (measured on these machines: LXC restores need it, dumps must not get it).
    await this.checkpoint(
      netns,
      ["-r"],
      imagesDir,
      "restore.log",
      await this.criuEnv(["tcp-established", "mntns-compat-mode"]),
    );
    this.netns = netns;
    this.pid = await this.initPid(netns);
  }

  async kill(): Promise<void> {
    await runIn(this.netns, "lxc-stop", ["-P", lxcPath(this.stateDir), "-n", this.name, "-k"]).catch(
      () => undefined,
    );
    killProcess(this.pid);
  }
}
