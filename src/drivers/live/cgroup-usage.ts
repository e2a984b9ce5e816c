import { readFile } from "node:fs/promises";
import { join } from "node:path";

const ROOT = "/sys/fs/cgroup";

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** Controller (v2: "") → cgroup path of `pid`, from /proc/<pid>/cgroup; null when the process is gone. */
export async function cgroupPaths(pid: number): Promise<Map<string, string> | null> {
  const text = await readOrNull(`/proc/${pid}/cgroup`);
  if (text === null) return null;
  const paths = new Map<string, string>();
  for (const line of text.split("\n")) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (path === undefined) continue;
    for (const controller of controllers.split(",")) paths.set(controller, path);
  }
  return paths;
}

/**
 * CPU seconds and memory bytes of the cgroup holding `pid`: cgroup v2 (cpu.stat, memory.current) when
 * its unified hierarchy has them, else v1 (cpuacct.usage, memory.usage_in_bytes). Null when the
 * process is gone or no hierarchy accounts for it.
 */
export async function readCgroupUsage(
  pid: number,
): Promise<{ readonly cpuSeconds: number; readonly memoryBytes: number } | null> {
  const paths = await cgroupPaths(pid);
  if (paths === null) return null;
  const unified = paths.get("");
  if (unified !== undefined) {
    const stat = await readOrNull(join(ROOT, unified, "cpu.stat"));
    const memory = await readOrNull(join(ROOT, unified, "memory.current"));
    const usec = stat === null ? NaN : Number(/^usage_usec (\d+)$/m.exec(stat)?.[1]);
    if (memory !== null && Number.isFinite(usec))
      return { cpuSeconds: usec / 1e6, memoryBytes: Number(memory) };
  }
  const cpuPath = paths.get("cpuacct");
  const memoryPath = paths.get("memory");
  if (cpuPath === undefined || memoryPath === undefined) return null;
  const nanos = await readOrNull(join(ROOT, "cpuacct", cpuPath, "cpuacct.usage"));
  const bytes = await readOrNull(join(ROOT, "memory", memoryPath, "memory.usage_in_bytes"));
  if (nanos === null || bytes === null) return null;
  return { cpuSeconds: Number(nanos) / 1e9, memoryBytes: Number(bytes) };
}
