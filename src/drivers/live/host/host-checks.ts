import { mkdir, open, readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { secondsSince } from "../../../host/criu.js";
import { HostCommandError } from "../../../host/run.js";
import { cgroupPaths } from "./cgroup-usage.js";
import type { PreflightCheck, TrialCheckpoint } from "./container-host.js";

/** The checks both container hosts run in `ContainerHost.preflight`, each a PreflightCheck, never thrown. */

/** A passed check. */
export function passed(check: string, detail: string): PreflightCheck {
  return { check, ok: true, detail };
}

/** A failed check: what was expected, what was found. */
export function failed(check: string, expected: string, found: string): PreflightCheck {
  return { check, ok: false, detail: `expected ${expected}, found ${found}` };
}

/**
 * Whether the container's init (`pid`) lives in LXC's own cgroup for `name` (lxc.payload.NAME, with
 * the -N LXC appends while a cgroup of that name lingers, or lxc/NAME of older LXC): lxc-checkpoint finds the container's processes there, and a container
 * started some other way (e.g. under `ip netns exec` without LXC's monitor) cannot be checkpointed.
 */
export async function lxcCgroupCheck(pid: number, name: string): Promise<PreflightCheck> {
  const check = "container in LXC's cgroups";
  const paths = pid > 0 ? await cgroupPaths(pid) : null;
  if (paths === null) return failed(check, `the init process of ${name} alive`, `no process ${pid}`);
  const ours = new RegExp(`(^|/)(lxc\\.payload\\.${escape(name)}(-\\d+)?|lxc/${escape(name)}(-\\d+)?)(/|$)`);
  const found = [...paths.values()].find((path) => ours.test(path));
  if (found !== undefined) return passed(check, `init ${pid} in ${found}`);
  const seen = [...new Set(paths.values())].join(", ");
  return failed(
    check,
    `init ${pid} of ${name} in cgroup lxc.payload.${name} (started by lxc-start)`,
    seen === "" ? "no cgroup" : seen,
  );
}

/** Whether `mountPoint` takes a file: written, flushed to the device and removed. */
export async function writableCheck(mountPoint: string, mounted: boolean): Promise<PreflightCheck> {
  const check = "volume mounted and writable";
  if (!mounted) return failed(check, `the volume mounted at ${mountPoint}`, "nothing mounted there");
  const probe = join(mountPoint, ".hotspot-preflight");
  try {
    const file = await open(probe, "w");
    try {
      await file.writeFile("preflight\n");
      await file.sync();
    } finally {
      await file.close();
    }
    await rm(probe, { force: true });
  } catch (error) {
    return failed(check, `a file written at ${probe}`, (error as Error).message);
  }
  return passed(check, `${mountPoint} mounted, a file written and synced`);
}

/** Bytes of every file under `dir`. */
export async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await directoryBytes(path);
    else if (entry.isFile()) total += (await stat(path)).size;
  }
  return total;
}

/** `criu check` as a check: its own complaint (stderr's tail) when it fails. */
export async function criuCheck(check: () => Promise<unknown>): Promise<PreflightCheck> {
  try {
    await check();
  } catch (error) {
    if (!(error instanceof HostCommandError)) throw error;
    return failed("criu check", "criu check to pass on this kernel", error.message);
  }
  return passed("criu check", "passed");
}

/**
 * A checkpoint into `dir` that leaves the container running: its duration and image size, then the
 * image removed. A failure is a failed check carrying the dump's error (with CRIU's and LXC's log tail).
 */
export async function trialCheckpoint(
  dir: string,
  dump: () => Promise<void>,
): Promise<{ readonly check: PreflightCheck; readonly trial: TrialCheckpoint | null }> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const start = process.hrtime.bigint();
  try {
    await dump();
    const trial = { seconds: secondsSince(start), imageBytes: await directoryBytes(dir) };
    const detail = `${trial.seconds.toFixed(2)} s, image ${(trial.imageBytes / 2 ** 20).toFixed(1)} MiB, container left running`;
    return { check: passed("trial checkpoint", detail), trial };
  } catch (error) {
    const check = failed(
      "trial checkpoint",
      "a checkpoint that leaves the container running",
      message(error),
    );
    return { check, trial: null };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
