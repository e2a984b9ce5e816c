import { readFile } from "node:fs/promises";
import { run } from "../../src/host/run.js";

/**
 * What a local cloud with namespace `prefix` and state under `stateDir` left on this machine: its
 * namespaces, loop devices, mounts, and its service's and controllers' processes (only its own:
 * other tests may run a local cloud of their own meanwhile). All empty after `hotspot local down`.
 */
export async function localCloudLeftovers(prefix: string, stateDir: string) {
  const lines = (text: string) => text.split("\n").filter((l) => l !== "");
  return {
    namespaces: lines(await run("ip", ["netns", "list"])).filter((l) => l.startsWith(`${prefix}-`)),
    loopDevices: lines(await run("losetup", ["-a"])).filter((l) => l.includes(stateDir)),
    mounts: lines(await readFile("/proc/mounts", "utf8")).filter((l) => l.includes(stateDir)),
    processes: lines(
      await run("pgrep", [
        "-af",
        `local-prefix ${prefix}( |$)|local serve --state-dir ${stateDir}( |$)`,
      ]).catch(() => ""),
    ),
  };
}

export const NOTHING_LEFT = { namespaces: [], loopDevices: [], mounts: [], processes: [] };
