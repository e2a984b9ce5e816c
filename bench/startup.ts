import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ratioLine } from "./targets.js";

// Compiled to dist/bench/startup.js: the CLI is dist/src/cli/bin.js.
const bin = resolve(dirname(fileURLToPath(import.meta.url)), "../src/cli/bin.js");
const runs = 15;
/** Target: a command that does nothing heavy starts within 1.5× a bare Node. */
const target = 1.5;

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** CPU milliseconds of this process's finished children (Linux: cutime + cstime, 10 ms ticks). */
function childrenCpuMs(): number {
  // The command name (field 2) may hold spaces; fields after its closing parenthesis are fixed.
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 16 and 17 of stat(5), counted from 1 with pid and comm as 1 and 2.
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** CPU milliseconds of one process run to its exit (start-up is all it does). */
function timed(args: readonly string[]): number {
  const before = childrenCpuMs();
  const result = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  if (result.status !== 0) {
    throw new Error(`node ${args.join(" ")} exited ${result.status}: ${result.stderr.toString()}`);
  }
  return childrenCpuMs() - before;
}

/**
 * `npm run bench startup`: `hotspot --version` and `hotspot sim --help` against `node -e 0`, in CPU
 * time (a busy machine's descheduling does not count), the three interleaved `runs` times; the
 * clock's 10 ms ticks average out over the runs.
 */
export function runStartupBench(): void {
  const cases: Record<string, readonly string[]> = {
    "node -e 0": ["-e", "0"],
    "hotspot --version": [bin, "--version"],
    "hotspot sim --help": [bin, "sim", "--help"],
  };
  const times: Record<string, number[]> = {};
  for (let run = 0; run < runs; run++) {
    for (const [label, args] of Object.entries(cases)) (times[label] ??= []).push(timed(args));
  }
  const bare = mean(times["node -e 0"]);
  for (const [label, values] of Object.entries(times)) {
    process.stdout.write(
      `${label.padEnd(20)} ${mean(values).toFixed(0).padStart(6)} CPU ms (mean of ${runs})\n`,
    );
  }
  for (const label of ["hotspot --version", "hotspot sim --help"]) {
    process.stdout.write(ratioLine(`${label} / node -e 0`, mean(times[label]) / bare, { atMost: target }));
  }
}
