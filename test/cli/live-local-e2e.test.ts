import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countBreaks, type ProbeReply } from "../../src/cloud/local/hosts/probe-client.js";
import { KILL_AFTER_ENV } from "../../src/cli/commands/live-act.js";
import { TAG_STACK } from "../../src/drivers/live/hop/hop.js";
import { HOP_STEPS, Journal, type HopStep } from "../../src/drivers/live/hop/journal.js";
import { LocalContainerHost } from "../../src/cloud/local/local-container-host.js";
import type { ResultsDocument } from "../../src/results/document.js";
import { criuSkipReason } from "../support/host-env.js";
import { spotPrice } from "../support/live-harness.js";
import { startLocalWorld, type LocalWorld } from "../support/local-world.js";
import { liveCli, requireBuiltCli } from "../support/live-cli.js";

const skip = criuSkipReason();
const PREFIX = "hsl";
const STACK = "live-cli-e2e";

interface LogLine {
  readonly kind: string;
  readonly event?: string;
  readonly market?: string;
  readonly step?: string;
  readonly durationSeconds?: number;
  readonly reason?: string;
}

describe.skipIf(skip !== undefined)(
  `hotspot live --cloud local: the CLI hops a real LXC container as greedy decides, and survives SIGKILL after every step${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    let world: LocalWorld;
    let configPath: string;
    let stateDir: string;
    const table: string[] = [];
    const hopLines: string[] = [];

    /** `hotspot live` as a user runs it, against this world, its state in `stateDir`. */
    const live = (args: readonly string[], env: Record<string, string> = {}) =>
      liveCli(world, configPath, ["--state-dir", stateDir, ...args], env);

    const lines = (stdout: string): LogLine[] =>
      stdout
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as LogLine);

    /** Exactly one copy of the container, on the journal's home, which alone of ours runs and holds volume and ENI. */
    async function checkInvariants(): Promise<{ home: string; ours: string[] }> {
      const journal = await Journal.open(join(stateDir, "journal.json"));
      expect(journal.openHops()).toEqual([]);
      const host = await LocalContainerHost.find({
        backend: world.backend,
        stateDir: world.stateDir,
        containerName: world.config.containerName,
        volumeId: world.config.volumeId,
        address: world.config.privateIp,
      });
      expect(await host.state()).toEqual({ runningOn: journal.home, checkpointFrom: null });
      const ours = [...world.emulator.state.instances.values()]
        .filter((i) => (i.state === "pending" || i.state === "running") && i.tags.get(TAG_STACK) === STACK)
        .map((i) => i.id);
      expect(ours).toEqual([journal.home]);
      const untagged = [...world.emulator.state.instances.values()].filter(
        (i) => (i.state === "pending" || i.state === "running") && !i.tags.has(TAG_STACK),
      );
      expect(untagged).toEqual([]);
      expect((await world.compute.describeVolume(world.config.volumeId)).attachment).toEqual({
        instanceId: journal.home,
        state: "attached",
      });
      expect((await world.compute.describeInterface(world.config.eniId)).attachment?.instanceId).toBe(
        journal.home,
      );
      return { home: journal.home, ours };
    }

    beforeAll(async () => {
      requireBuiltCli();
      const t0 = Date.now();
      world = await startLocalWorld({
        prefix: PREFIX,
        stack: STACK,
        homeType: "m4.large",
        memoryMiB: 16,
        instanceTypes: ["m4.large", "c4.large"],
        // A short synthetic trace: the cheapest spot market changes at +14 s, +22 s, +30 s, then every
        // 4 s from +45 s, so greedy always has a hop to make in the fault runs.
        spotPrices: [
          spotPrice("m4.large", t0 - 3_600_000, 0.03),
          spotPrice("c4.large", t0 - 3_600_000, 0.04),
          spotPrice("c4.large", t0 + 14_000, 0.02),
          spotPrice("m4.large", t0 + 22_000, 0.01),
          spotPrice("c4.large", t0 + 30_000, 0.005),
          ...Array.from({ length: 450 }, (_, i) =>
            spotPrice(i % 2 === 0 ? "m4.large" : "c4.large", t0 + 45_000 + 4_000 * i, 0.004 - 0.000004 * i),
          ),
        ],
      });
      stateDir = join(world.stateDir, "controller");
      configPath = join(world.stateDir, "hotspot.json");
      await writeFile(configPath, `${JSON.stringify(world.config, null, 2)}\n`);
    }, 120_000);

    afterAll(async () => {
      await world?.close();
      console.log(
        [
          "hotspot live --cloud local, hop downtimes (checkpoint begin → restore end, from the ledger):",
          ...hopLines,
          "",
          "SIGKILL right after the step | killed | resume | container on | ours running",
          ...table,
        ].join("\n"),
      );
    });

    it("hops at least three times as the cheapest market changes; the ledger shows hops, costs and downtimes", async () => {
      const run = await live(["--duration", "35"]);
      expect(run.stderr).toContain("hotspot live: policy greedy in us-east-1c");
      expect(run.exitCode, run.stderr).toBe(0);
      const log = lines(run.stdout);
      const hops = log.filter((l) => l.kind === "event" && l.event === "hop").map((l) => l.market);
      // The world takes a while to build on a loaded machine, so the run may begin after the +14 s
      // change: greedy then starts on c4.large, and either way follows each change to the other type.
      const [a, b] =
        hops[0] === "m4.large spot" ? ["m4.large spot", "c4.large spot"] : ["c4.large spot", "m4.large spot"];
      expect(hops.slice(0, 3)).toEqual([a, b, a]);
      expect(hops.length).toBeGreaterThanOrEqual(3);
      expect(log.filter((l) => l.kind === "step")).toHaveLength(HOP_STEPS.length * hops.length);
      // Measured from the container's cgroup between hops: the counter holds its 16 MiB and more.
      const usage = log.filter((l) => l.kind === "event" && l.event === "usage");
      expect(usage.length).toBeGreaterThan(0);
      for (const line of usage) {
        const [, cpu, memory] = /^cpu ([\d.]+)% of \d+ vCPU, memory ([\d.]+) MiB$/.exec(line.reason!)!;
        expect(Number(cpu)).toBeLessThanOrEqual(100);
        expect(Number(memory)).toBeGreaterThanOrEqual(16);
      }

      const document = JSON.parse(await readFile(join(stateDir, "results.json"), "utf8")) as ResultsDocument;
      expect(document.schema).toBe("hotspot.sim-results");
      const result = document.runs[0];
      expect(result.policy).toBe("greedy");
      expect(result.migrations).toBe(hops.length);
      expect(result.abortedMigrations).toBe(0);
      expect(result.instances).toHaveLength(hops.length + 1);
      expect(result.costUsd).toBeCloseTo(
        result.instances.reduce((sum, i) => sum + i.costUsd, 0),
        12,
      );
      // The on-demand home, held < 60 s, pays per-second billing's minimum: $0.10/h × 60 s.
      expect(result.instances[0]).toMatchObject({ instanceType: "m4.large", lifecycle: "on-demand" });
      expect(result.instances[0].costUsd).toBeCloseTo(0.1 / 60, 12);
      expect(result.outageDowntimesSeconds).toHaveLength(hops.length);
      result.outageDowntimesSeconds!.forEach((downtime, i) => {
        expect(downtime).toBeGreaterThan(0);
        expect(downtime).toBeLessThan(30);
        hopLines.push(`hop ${i + 1} → ${hops[i]}: ${downtime.toFixed(2)} s down`);
      });
      await checkInvariants();
    }, 120_000);

    it.each(HOP_STEPS.map((step) => [step]))(
      "SIGKILL right after %s: --resume settles the hop; one copy runs, nothing of ours leaks",
      async (step: HopStep) => {
        const killed = await live(["--resume", "--duration", "30"], {
          [KILL_AFTER_ENV]: step,
        });
        expect(killed.signal).toBe("SIGKILL");
        const open = (await Journal.open(join(stateDir, "journal.json"))).openHops();
        expect(open).toHaveLength(1);
        expect(open[0].entries.at(-1)).toMatchObject({ step, event: "end" });

        const before = HOP_STEPS.indexOf(step) < HOP_STEPS.indexOf("checkpoint");
        const resumed = await live(["--resume", "--duration", "2"]);
        expect(resumed.exitCode).toBe(0);
        // The killed run's ledger stops at its last event: kept beside the new one, not carried on.
        const why = before
          ? "its run did not end cleanly (a crash leaves the ledger of its last event)"
          : `${open[0].id} was left in flight by a crash; its last ledger cannot say what the crash cut off`;
        expect(resumed.stderr).toContain(
          `hotspot live: warning: the earlier ledger is not carried on (${why}); it is kept in ${join(stateDir, "results.previous.json")}`,
        );
        expect(await readFile(join(stateDir, "results.previous.json"), "utf8")).toContain(
          '"hotspot.sim-results"',
        );
        const settled = /resumed (hop-\d+): (done|rolled-back|fell-back)/.exec(resumed.stderr);
        expect(settled).not.toBeNull();
        // Until the checkpoint began the container never stopped: roll back; after it, roll forward.
        expect(settled![2]).toBe(before ? "rolled-back" : "done");
        // Let the terminations the resume asked for finish.
        await new Promise((r) => setTimeout(r, 500));
        const { home } = await checkInvariants();
        table.push(
          `${step.padEnd(28)} | ${String(killed.signal).padEnd(6)} | ${settled![1]} ${settled![2].padEnd(11)} | ${home.padEnd(12)} | 1`,
        );
      },
      120_000,
    );

    it("the TCP client stayed connected through every hop and crash: every count once, in order", async () => {
      const probe = await world.client.stop();
      const counts = probe.replies.map((r: ProbeReply) => r.count);
      const last = counts[counts.length - 1];
      expect(countBreaks(probe.replies)).toBe(0);
      expect(counts[0]).toBe(1);
      expect(counts.length).toBe(last);
      expect(probe.verify).toBe(`ok ${last}`);
      const log = (await readFile(world.logFile, "utf8")).trim().split("\n");
      expect(log.slice(1)).toEqual(counts.map(String));
    }, 60_000);
  },
);
