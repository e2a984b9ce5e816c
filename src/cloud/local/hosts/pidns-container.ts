import { readFile } from "node:fs/promises";
import { execa } from "execa";
import { HotspotError } from "../../../errors.js";
import type { Container } from "./container.js";
import { dump, dumpLazy, restore, type LazyDump } from "./criu.js";
import type { PageServerEndpoint } from "./page-server.js";
import { killProcess, waitGone, waitListening, type ContainerSpec } from "./workload.js";

/**
 * The fallback container: the workload as PID 1 of a new PID namespace, in its own session, inside
 * the instance's network namespace. Mounts are shared with the host, so CRIU carries no mount
 * namespace; standard streams are /dev/null, so it holds no descriptor of the caller. Raw CRIU drives
 * it, which is also what post-copy (lazy pages) needs.
 */
export class PidnsContainer implements Container {
  readonly kind = "pidns" as const;

  private constructor(
    public netns: string,
    public pid: number,
  ) {}

  static async start(binary: string, spec: ContainerSpec): Promise<PidnsContainer> {
    const launcher = execa(
      "nsenter",
      [
        `--net=/run/netns/${spec.netns}`,
        "unshare",
        "--pid",
        "--fork",
        "setsid",
        binary,
        spec.address,
        String(spec.port),
        String(spec.memoryMiB),
        spec.logFile,
      ],
      { stdio: "ignore", detached: true, reject: false },
    );
    launcher.nodeChildProcess.unref();
    const launcherPid = launcher.pid;
    if (launcherPid === undefined) throw new HotspotError("HOTSPOT_HOST_SETUP", "could not start unshare");
    await waitListening(spec, () =>
      launcher.nodeChildProcess.exitCode === null
        ? undefined
        : `launcher exited with ${launcher.nodeChildProcess.exitCode}`,
    );
    // unshare --fork: the container's init is the launcher's only child.
    const children = await readFile(`/proc/${launcherPid}/task/${launcherPid}/children`, "utf8");
    return new PidnsContainer(spec.netns, Number(children.trim().split(/\s+/)[0]));
  }

  async dump(imagesDir: string, pageServer?: PageServerEndpoint): Promise<void> {
    await dump(this.netns, this.pid, imagesDir, pageServer);
    await waitGone(this.pid);
  }

  dumpLazy(imagesDir: string, port: number): Promise<LazyDump> {
    return dumpLazy(this.netns, this.pid, imagesDir, port);
  }

  async restore(netns: string, imagesDir: string, lazy: boolean): Promise<void> {
    this.pid = await restore(netns, imagesDir, { lazy });
    this.netns = netns;
  }

  async kill(): Promise<void> {
    killProcess(this.pid);
  }
}
