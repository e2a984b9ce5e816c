import { readFile } from "node:fs/promises";
import { join } from "node:path";

const ROOT = "/sys/fs/cgroup";
const PROC = "/proc";

/** Where the hierarchies and the processes are (tests point these at a fake tree). */
export interface CgroupRoots {
  readonly cgroup: string;
  readonly proc: string;
}

const SYSTEM_ROOTS: CgroupRoots = { cgroup: ROOT, proc: PROC };

/**
 * A limit at or above this is no limit: cgroup v1 writes PAGE_COUNTER_MAX pages (2^63 − 4096 bytes
 * with 4 KiB pages) for "unlimited", v2 writes "max".
 */
const UNLIMITED_BYTES = 2 ** 60;

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** Controller (v2: "") → cgroup path of `pid`, from /proc/<pid>/cgroup; null when the process is gone. */
export async function cgroupPaths(pid: number, proc = PROC): Promise<Map<string, string> | null> {
  const text = await readOrNull(`${proc}/${pid}/cgroup`);
  if (text === null) return null;
  const paths = new Map<string, string>();
  for (const line of text.split("\n")) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (path === undefined) continue;
    for (const controller of controllers.split(",")) paths.set(controller, path);
  }
  return paths;
}

/** A cgroup's memory: in use now, the most it ever used (null: not kept), its limit (null: none). */
export interface CgroupMemory {
  readonly currentBytes: number;
  readonly peakBytes: number | null;
  readonly limitBytes: number | null;
}

/** What `readCgroupUsage` reads. */
export interface CgroupUsage {
  readonly cpuSeconds: number;
  readonly memory: CgroupMemory;
}

/** A byte count as the kernel writes it; null for "max", a huge value, or a missing file. */
function bytesOrNull(text: string | null): number | null {
  if (text === null || text.trim() === "max") return null;
  const value = Number(text.trim());
  return Number.isFinite(value) && value < UNLIMITED_BYTES ? value : null;
}

/**
 * The lowest limit set on the cgroup at `dir` (under `hierarchy`) or any ancestor below the root: the
 * kernel enforces all of them, so the lowest is the container's effective limit.
 */
async function effectiveLimit(hierarchy: string, dir: string, file: string): Promise<number | null> {
  let lowest: number | null = null;
  const parts = dir.split("/").filter((part) => part !== "");
  for (let depth = parts.length; depth > 0; depth--) {
    const limit = bytesOrNull(await readOrNull(join(hierarchy, ...parts.slice(0, depth), file)));
    if (limit !== null && (lowest === null || limit < lowest)) lowest = limit;
  }
  return lowest;
}

/**
 * Memory of the cgroup at `dir`: v2 (`hierarchy` the unified root) memory.current, memory.peak (kernel
 * 5.19+), memory.max; v1 (`hierarchy` the memory controller's root) memory.usage_in_bytes,
 * memory.max_usage_in_bytes, memory.limit_in_bytes. Null when the cgroup has no current use to read.
 */
export async function readCgroupMemory(
  hierarchy: string,
  dir: string,
  version: "v1" | "v2",
): Promise<CgroupMemory | null> {
  const [current, peak, limit] =
    version === "v2"
      ? ["memory.current", "memory.peak", "memory.max"]
      : ["memory.usage_in_bytes", "memory.max_usage_in_bytes", "memory.limit_in_bytes"];
  const currentBytes = bytesOrNull(await readOrNull(join(hierarchy, dir, current)));
  if (currentBytes === null) return null;
  return {
    currentBytes,
    peakBytes: bytesOrNull(await readOrNull(join(hierarchy, dir, peak))),
    limitBytes: await effectiveLimit(hierarchy, dir, limit),
  };
}

/**
 * CPU seconds and memory of the cgroup holding `pid`: cgroup v2 (cpu.stat, memory.*) when its unified
 * hierarchy has them, else v1 (cpuacct.usage, the memory controller). Null when the process is gone or
 * no hierarchy accounts for it.
 */
export async function readCgroupUsage(
  pid: number,
  roots: CgroupRoots = SYSTEM_ROOTS,
): Promise<CgroupUsage | null> {
  const paths = await cgroupPaths(pid, roots.proc);
  if (paths === null) return null;
  const unified = paths.get("");
  if (unified !== undefined) {
    const stat = await readOrNull(join(roots.cgroup, unified, "cpu.stat"));
    const memory = await readCgroupMemory(roots.cgroup, unified, "v2");
    const usec = stat === null ? NaN : Number(/^usage_usec (\d+)$/m.exec(stat)?.[1]);
    if (memory !== null && Number.isFinite(usec)) return { cpuSeconds: usec / 1e6, memory };
  }
  const cpuPath = paths.get("cpuacct");
  const memoryPath = paths.get("memory");
  if (cpuPath === undefined || memoryPath === undefined) return null;
  const nanos = await readOrNull(join(roots.cgroup, "cpuacct", cpuPath, "cpuacct.usage"));
  const memory = await readCgroupMemory(join(roots.cgroup, "memory"), memoryPath, "v1");
  if (nanos === null || memory === null) return null;
  return { cpuSeconds: Number(nanos) / 1e9, memory };
}
