import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ratioLine, timed } from "./targets.js";

// Compiled to dist/bench/startup.js: the CLI is dist/src/cli/bin.js.
const bin = resolve(dirname(fileURLToPath(import.meta.url)), "../src/cli/bin.js");
const runs = 15;
/** Target: a command that does nothing heavy starts within 1.5× a bare Node. */
const target = 1.5;

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
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
