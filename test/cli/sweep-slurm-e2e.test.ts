import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { writeSmallTrace } from "../sweep/fixture.js";

const BIN = fileURLToPath(new URL("../../dist/src/cli/bin.js", import.meta.url));

/** Why the test cannot run here, or undefined: it needs a Slurm cluster that takes jobs, and the built CLI. */
function slurmSkipReason(): string | undefined {
  try {
    const states = execFileSync("sinfo", ["--noheader", "--format", "%t"], {
      encoding: "utf8",
      timeout: 10_000,
    });
    if (!/^(idle|mix|alloc)/m.test(states))
      return `no Slurm node takes jobs (sinfo: ${states.trim() || "none"})`;
  } catch {
    return "no Slurm cluster answers (run scripts/start-slurm.sh as root)";
  }
  if (!existsSync(BIN)) return `${BIN} is missing (npm run build)`;
  return undefined;
}

const skip = slurmSkipReason();

describe.skipIf(skip !== undefined)(
  `hotspot sweep as a Slurm job array: the merged shards are byte-identical to the unsharded sweep${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    let dir: string;
    let tracePath: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "hotspot-slurm-"));
      tracePath = await writeSmallTrace(dir);
    });

    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    const args = () => [
      "sweep",
      "--trace",
      tracePath,
      "--no-cache",
      "--policy",
      "on-demand,greedy,hotspot",
      "--demand",
      "6.5",
      "--vary",
      "memory-gib=1,16",
      "--windows",
      "1d",
      "--starts",
      "4",
      "--seed",
      "5",
      "--jobs",
      "1",
    ];

    it("runs 3 array tasks numbered from 1, each its shard from SLURM_ARRAY_TASK_ID, then merges", async () => {
      // The sbatch script of docs/sharding.md, with this test's paths; tasks 1..3 are shards 0..2.
      const script = [
        "#!/bin/bash",
        "#SBATCH --job-name=hotspot-sweep-test",
        "#SBATCH --array=1-3",
        "#SBATCH --cpus-per-task=1",
        "#SBATCH --time=10",
        `#SBATCH --output=${dir}/slurm-%a.log`,
        "set -euo pipefail",
        `exec ${[process.execPath, BIN, ...args()].map((word) => `'${word}'`).join(" ")} \\`,
        `  --shard-count "$SLURM_ARRAY_TASK_COUNT" --resume --out "${dir}/shard-$SLURM_ARRAY_TASK_ID.json"`,
      ].join("\n");
      await writeFile(join(dir, "sweep.sbatch"), `${script}\n`);
      // --wait: sbatch returns when every task ended, non-zero if any failed.
      const submitted = await execa("sbatch", ["--wait", join(dir, "sweep.sbatch")], {
        cwd: dir,
        reject: false,
        timeout: 600_000,
      });
      const logs = await Promise.all(
        [1, 2, 3].map((task) => readFile(join(dir, `slurm-${task}.log`), "utf8").catch(() => "(no log)")),
      );
      expect(submitted.exitCode, `${submitted.stderr}\n${logs.join("\n")}`).toBe(0);
      for (const [task, log] of logs.entries()) {
        expect(log).toMatch(new RegExp(`sweep complete \\(shard ${task}/3\\): \\d+/\\d+ items`));
      }

      const shards = [1, 2, 3].map((task) => join(dir, `shard-${task}.json`));
      const merged = await runCli(["merge", ...shards, "-o", join(dir, "merged.json")]);
      expect(merged.code, merged.stderr).toBe(0);
      expect(merged.stderr).toContain("hotspot: merged 3 shard(s), 8 items -> ");
      const whole = await runCli([...args(), "--out", join(dir, "whole.json")]);
      expect(whole.code, whole.stderr).toBe(0);
      expect(await readFile(join(dir, "merged.json"), "utf8")).toBe(
        await readFile(join(dir, "whole.json"), "utf8"),
      );
    }, 900_000);
  },
);
