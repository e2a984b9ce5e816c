import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** A bench target: a ratio measured in the same run, bounded above or below. */
export type Target = { readonly atMost: number } | { readonly atLeast: number };

/** One line: the ratio, its target and whether it was met. */
export function ratioLine(label: string, ratio: number, target: Target): string {
  const met = "atMost" in target ? ratio <= target.atMost : ratio >= target.atLeast;
  const bound = "atMost" in target ? `≤ ${target.atMost}×` : `≥ ${target.atLeast}×`;
  return `  ratio ${label}: ${ratio.toFixed(2)}× (target ${bound}): ${met ? "met" : "MISSED"}\n`;
}

/**
 * This process's CPU milliseconds so far: timings of single-threaded work use it instead of the wall
 * clock, so that a shared machine descheduling the bench does not count as the code's time.
 */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** CPU milliseconds of this process's finished children (Linux: cutime + cstime, 10 ms ticks). */
function childrenCpuMs(): number {
  // The command name (field 2) may hold spaces; fields after its closing parenthesis are fixed.
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 16 and 17 of stat(5), counted from 1 with pid and comm as 1 and 2.
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** CPU milliseconds of one `node` process run to its exit (its standard output discarded). */
export function timed(args: readonly string[]): number {
  const before = childrenCpuMs();
  const result = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  if (result.status !== 0) {
    throw new Error(`node ${args.join(" ")} exited ${result.status}: ${result.stderr.toString()}`);
  }
  return childrenCpuMs() - before;
}
