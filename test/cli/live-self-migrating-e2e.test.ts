import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countBreaks } from "../../src/cloud/local/hosts/probe-client.js";
import { run } from "../../src/host/run.js";
import { KILL_AFTER_ENV } from "../../src/cli/commands/live-act.js";
import { TAG_STACK } from "../../src/drivers/live/hop/hop.js";
import { Journal } from "../../src/drivers/live/hop/journal.js";
import type { ResultsDocument } from "../../src/results/document.js";
import { criuSkipReason } from "../support/host-env.js";
import { spotPrice } from "../support/live-harness.js";
import { startLocalWorld, type LocalWorld } from "../support/local-world.js";
import { liveCli, requireBuiltCli } from "../support/live-cli.js";

const skip = criuSkipReason();
const PREFIX = "hsm";
const STACK = "live-self-e2e";

/** Controllers that user data started and that still run. */
async function takeoverControllers(): Promise<string[]> {
  const out = await run("pgrep", ["-f", `local-prefix ${PREFIX} .*--takeover`]).catch(() => "");
  return out.split("\n").filter(Boolean);
}

describe.skipIf(skip !== undefined)(
  `hotspot live --instance-id: the controller migrates with the container, each target's user data takes over${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    let world: LocalWorld;
    let configPath: string;
    const lines: string[] = [];

    beforeAll(async () => {
      requireBuiltCli();
      const t0 = Date.now();
      world = await startLocalWorld({
        prefix: PREFIX,
        stack: STACK,
        homeType: "m4.large",
        memoryMiB: 16,
        instanceTypes: ["m4.large", "c4.large"],
        // The cheapest spot market changes every 8 s from +12 s.
        spotPrices: [
          spotPrice("m4.large", t0 - 3_600_000, 0.03),
          spotPrice("c4.large", t0 - 3_600_000, 0.04),
          ...Array.from({ length: 20 }, (_, i) =>
            spotPrice(i % 2 === 0 ? "c4.large" : "m4.large", t0 + 12_000 + 8_000 * i, 0.02 - 0.0005 * i),
          ),
        ],
      });
      configPath = join(world.stateDir, "hotspot.json");
      await writeFile(configPath, `${JSON.stringify(world.config, null, 2)}\n`);
    }, 120_000);

    afterAll(async () => {
      await world?.close();
      console.log(["hotspot live --instance-id (self-migrating):", ...lines].join("\n"));
    });

    /** A controller on `instanceId`, as the instance's init system would start (or restart) it. */
    const controller = (instanceId: string, until: string, args: readonly string[] = [], env = {}) =>
      liveCli(world, configPath, ["--instance-id", instanceId, "--until", until, ...args], env);

    /** Waits until no controller that user data started runs any more, keeping their logs. */
    async function allStopped(until: string): Promise<void> {
      const deadline = Date.parse(until) + 60_000;
      try {
        while ((await takeoverControllers()).length > 0) {
          if (Date.now() > deadline)
            throw new Error("user-data controllers still run a minute after --until");
          await new Promise((r) => setTimeout(r, 500));
        }
      } finally {
        const logs = join(world.stateDir, "user-data");
        for (const file of (await readdir(logs)).sort()) {
          lines.push(`--- ${file}`, (await readFile(join(logs, file), "utf8")).trim());
        }
      }
    }

    const stateDir = () => join(world.backend.volumes.mountPoint(world.config.volumeId), "hotspot");
    const journal = () => Journal.open(join(stateDir(), "journal.json"));

    /** One copy of the container, on the journal's home, the only instance of ours, holding the volume. */
    async function checkInvariants(): Promise<Journal> {
      const j = await journal();
      expect(j.openHops()).toEqual([]);
      const ours = [...world.emulator.state.instances.values()]
        .filter((i) => (i.state === "pending" || i.state === "running") && i.tags.get(TAG_STACK) === STACK)
        .map((i) => i.id);
      expect(ours).toEqual([j.home]);
      expect(await world.host.state()).toEqual({ runningOn: j.home, checkpointFrom: null });
      expect((await world.compute.describeVolume(world.config.volumeId)).attachment?.instanceId).toBe(j.home);
      return j;
    }

    const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

    it("hops at least three times, each hop finished by the target's own controller; one copy, nothing leaked", async () => {
      const until = inSeconds(45);
      const first = await controller(world.home, until);
      expect(first.stderr).toContain(`hotspot live: policy greedy in us-east-1c on ${world.home}`);
      expect(first.stderr).toMatch(/handed the container off to i-[0-9a-f]+/);
      expect(first.exitCode).toBe(0);

      // Every later controller was started by a target's user data; the last stops at --until.
      await allStopped(until);
      const j = await checkInvariants();
      const done = j.hops.filter((h) => h.outcome === "done");
      expect(done.length).toBeGreaterThanOrEqual(3);
      // Each hop's restore was journaled by the target's own controller after the source handed off.
      for (const hop of done) {
        const handOff = hop.entries.find((e) => e.step === "detach-source" && e.event === "begin");
        expect(handOff?.note).toBe(`handed off to ${hop.targetInstanceId}`);
      }

      // The last controller's ledger carries every predecessor's on: the container's whole life.
      const last = JSON.parse(
        await readFile(join(stateDir(), `results-${j.home}.json`), "utf8"),
      ) as ResultsDocument;
      const run = last.runs[0];
      expect(run.policy).toBe("greedy");
      expect(run.migrations).toBe(done.length);
      expect(run.abortedMigrations).toBe(0);
      const at = (hop: (typeof done)[number], step: string, event: string) =>
        hop.entries.find((e) => e.step === step && e.event === event)!.at / 1000;
      const outages = done.map((hop) => at(hop, "restore", "end") - at(hop, "checkpoint", "begin"));
      expect(run.outageDowntimesSeconds).toHaveLength(done.length);
      run.outageDowntimesSeconds!.forEach((d, i) => expect(d).toBeCloseTo(outages[i], 9));
      // The first home and every target, each billed once, in the order they held the container.
      expect(run.instances).toHaveLength(done.length + 1);
      expect(run.instances.reduce((sum, i) => sum + i.costUsd, 0)).toBeCloseTo(run.costUsd, 12);
      expect(run.timeline.filter((e) => e.kind === "hop")).toHaveLength(done.length);
      expect(
        run.timeline.filter((e) => / done: restored on the target by its controller$/.test(e.reason)),
      ).toHaveLength(done.length);
      expect(Date.parse(run.start)).toBeLessThanOrEqual(at(done[0], "acquire", "begin") * 1000);
      lines.push(
        `hops done: ${done.length}; the container ends on ${j.home}; one ledger: downtime per hop ${run.outageDowntimesSeconds!.map((d) => d.toFixed(2)).join(", ")} s, cost $${run.costUsd.toFixed(6)}`,
      );
    }, 180_000);

    it("SIGKILL of the source's controller right after the checkpoint: restarted, it hands off again", async () => {
      const home = (await journal()).home;
      const until = inSeconds(25);
      const killed = await controller(home, until, ["--resume"], { [KILL_AFTER_ENV]: "checkpoint" });
      expect(killed.signal).toBe("SIGKILL");
      const open = (await journal()).openHops();
      expect(open).toHaveLength(1);
      expect(open[0].entries.at(-1)).toMatchObject({ step: "checkpoint", event: "end" });
      // The target's controller waits: the volume is still on the source.
      expect(await takeoverControllers()).toHaveLength(1);

      const restarted = await controller(home, until, ["--resume"]);
      expect(restarted.exitCode).toBe(0);
      expect(restarted.stderr).toContain(`resumed ${open[0].id}: handed-off`);
      await allStopped(until);
      const j = await checkInvariants();
      expect(j.hops.find((h) => h.id === open[0].id)?.outcome).toBe("done");
      lines.push(`killed after checkpoint on ${home}: handed off again, ${open[0].id} done`);
    }, 180_000);

    it("SIGKILL of the target's controller right after the restore: restarted there, it ends the source and runs on", async () => {
      const home = (await journal()).home;
      const until = inSeconds(25);
      // Targets' user data inherit this: the first target's controller dies after its restore.
      process.env[KILL_AFTER_ENV] = "restore";
      const source = controller(home, until, ["--resume"]);
      let target: string | null = null;
      try {
        for (let i = 0; i < 400 && target === null; i++) {
          await new Promise((r) => setTimeout(r, 100));
          const open = (await journal().catch(() => null))?.openHops()[0];
          const restored = open?.entries.some((e) => e.step === "restore" && e.event === "end");
          if (restored && (await takeoverControllers()).length === 0) target = open!.targetInstanceId;
        }
      } finally {
        delete process.env[KILL_AFTER_ENV];
      }
      expect(target).not.toBeNull();
      expect(await world.host.state()).toEqual({ runningOn: target, checkpointFrom: null });

      const restarted = await controller(target!, until, ["--resume"]);
      expect(restarted.exitCode).toBe(0);
      expect(restarted.stderr).toMatch(/resumed hop-\d+: done \(from terminate-source\)/);
      expect((await source).exitCode).toBe(0);
      await allStopped(until);
      await checkInvariants();
      lines.push(`killed after restore on ${target}: restarted there, source ended`);

      const probe = await world.client.stop();
      expect(countBreaks(probe.replies)).toBe(0);
      expect(probe.verify).toBe(`ok ${probe.replies.length}`);
    }, 180_000);
  },
);
