import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { HotspotError } from "../../../errors.js";
import { validatePrefix } from "./names.js";
import { lxcPath } from "./lxc-container.js";
import { run, runIn } from "../../../host/run.js";
import { isMounted, loopDevices } from "./volumes.js";
import { killProcess } from "./workload.js";

/** What `cleanupAll` removed, so a caller can report leftovers of a crashed run. */
export interface CleanupReport {
  readonly processes: number;
  readonly mounts: number;
  readonly loopDevices: number;
  readonly namespaces: number;
}

/** File in `hosts/<instance>/` naming the process group an instance's user data runs as. */
export const USER_DATA_PID = "user-data.pid";

/**
 * Kills the process groups that instances' user data started, each only if its leader still carries
 * that instance's id in its environment (a pid reused by an unrelated process is left alone).
 */
async function killUserData(stateDir: string): Promise<number> {
  let killed = 0;
  const hosts = join(stateDir, "hosts");
  for (const instanceId of await readdir(hosts).catch(() => [] as string[])) {
    const pid = Number(await readFile(join(hosts, instanceId, USER_DATA_PID), "utf8").catch(() => ""));
    if (!Number.isInteger(pid) || pid <= 1) continue;
    const environ = await readFile(`/proc/${pid}/environ`, "utf8").catch(() => "");
    if (!environ.split("\0").includes(`HOTSPOT_INSTANCE_ID=${instanceId}`)) continue;
    try {
      process.kill(-pid, "SIGKILL");
      killed++;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
    }
  }
  return killed;
}

export function pidsInNetns(netns: string): Promise<number[]> {
  return run("ip", ["netns", "pids", netns])
    .then((out) => (out === "" ? [] : out.split(/\s+/).map(Number)))
    .catch(() => []);
}

/**
 * Removes everything tagged with `prefix`: LXC containers, processes left in its namespaces (restored
 * containers, criu page servers), volume mounts, loop devices and images under `stateDir`, checkpoint
 * images and the tmpfs memory directories holding them (`xfer/`), and the namespaces (which takes their veths, addresses and iptables rules with them). Safe
 * to call when nothing is left. Every step is attempted even when one fails; failures are reported
 * together at the end.
 */
export async function cleanupAll(prefix: string, stateDir: string): Promise<CleanupReport> {
  validatePrefix(prefix);
  const failures: string[] = [];
  const attempt = async (what: string, step: () => Promise<unknown>) => {
    try {
      await step();
    } catch (err) {
      failures.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const out = await run("ip", ["-json", "netns", "list"]);
  const namespaces = (out === "" ? [] : (JSON.parse(out) as { name: string }[]))
    .map((n) => n.name)
    .filter((n) => n.startsWith(`${prefix}-`));
  // LXC first, so its monitor removes the container's cgroups; its monitor socket is per namespace.
  const containers = await readdir(lxcPath(stateDir)).catch(() => [] as string[]);
  for (const ns of namespaces) {
    for (const name of containers) {
      await runIn(ns, "lxc-stop", ["-P", lxcPath(stateDir), "-n", name, "-k"]).catch(() => undefined);
    }
  }
  let processes = await killUserData(stateDir);
  for (const ns of namespaces) {
    for (const pid of await pidsInNetns(ns)) {
      killProcess(pid);
      processes++;
    }
  }
  let mounts = 0;
  for (const mountRoot of [join(stateDir, "mnt"), join(stateDir, "xfer")]) {
    for (const name of await readdir(mountRoot).catch(() => [] as string[])) {
      const target = join(mountRoot, name);
      if (await isMounted(target)) {
        await attempt(`unmount ${target}`, () => run("umount", ["-l", target]));
        mounts++;
      }
    }
  }
  let loops = 0;
  const volumeDir = join(stateDir, "volumes");
  for (const device of await loopDevices()) {
    if (!device.backFile.startsWith(`${volumeDir}/`)) continue;
    loops++;
    // A loop device marked autoclear (detached while busy) may vanish on its own meanwhile.
    await attempt(`free ${device.name}`, () =>
      run("losetup", ["-d", device.name]).catch(async (err) => {
        if ((await loopDevices()).some((d) => d.name === device.name && d.backFile === device.backFile))
          throw err;
      }),
    );
  }
  for (const ns of namespaces) await attempt(`delete namespace ${ns}`, () => run("ip", ["netns", "del", ns]));
  for (const dir of ["hosts", "mnt", "volumes", "xfer", "lxc"]) {
    await attempt(`remove ${join(stateDir, dir)}`, () =>
      rm(join(stateDir, dir), { recursive: true, force: true }),
    );
  }
  if (failures.length > 0) {
    throw new HotspotError(
      "HOTSPOT_HOST_CLEANUP",
      `cleanup of ${prefix}-* left things behind: ${failures.join("; ")}`,
    );
  }
  return { processes, mounts, loopDevices: loops, namespaces: namespaces.length };
}
