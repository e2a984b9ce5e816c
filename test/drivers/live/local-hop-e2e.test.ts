import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../../../src/cloud/local/emulator.js";
import {
  countBreaks,
  longestGapMs,
  type ProbeClient,
  type ProbeReply,
} from "../../../src/cloud/local/hosts/probe-client.js";
import type { Ec2Compute } from "../../../src/drivers/live/hop/ec2-compute.js";
import { HopExecutor, TAG_STACK, type StepHook } from "../../../src/drivers/live/hop/hop.js";
import {
  Journal,
  type HopRecord,
  type StepName,
  type TargetMarket,
} from "../../../src/drivers/live/hop/journal.js";
import type { LocalContainerHost } from "../../../src/cloud/local/local-container-host.js";
import type { LiveResources } from "../../../src/drivers/live/hop/resources.js";
import { resumeOpenHops } from "../../../src/drivers/live/hop/resume.js";
import { wallClock } from "../../../src/util/clock.js";
import { startLocalWorld, ZONE, type LocalWorld } from "../../support/local-world.js";
import { criuSkipReason } from "../../support/host-env.js";

const skip = criuSkipReason();
const PREFIX = "hsd";
const STACK = "local-hop-e2e";
const MEMORY_MIB = 16;
const HOPS: readonly TargetMarket[] = [
  { instanceType: "c4.xlarge", zone: ZONE, lifecycle: "spot" },
  { instanceType: "m4.large", zone: ZONE, lifecycle: "on-demand" },
  { instanceType: "c4.xlarge", zone: ZONE, lifecycle: "spot" },
];

class Crash extends Error {}

describe.skipIf(skip !== undefined)(
  `hops of a real LXC container by HopExecutor through the EC2 emulator (real time) and namespace hosts${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    let world: LocalWorld;
    let emulator: Emulator;
    let compute: Ec2Compute;
    let resources: LiveResources;
    let host: LocalContainerHost;
    let client: ProbeClient;
    let journalPath: string;
    let journal: Journal;
    let logFile: string;
    const downtimes: string[] = [];

    const executor = (hook?: StepHook) =>
      new HopExecutor({
        compute,
        host,
        journal,
        clock: wallClock,
        resources,
        retry: { attempts: 5, capacityAttempts: 2, baseDelayMs: 100, maxDelayMs: 1_000 },
        timeouts: { running: 30_000, attach: 20_000, detach: 10_000, forcedDetach: 10_000, poll: 50 },
        hook,
      });

    /**
     * Waits for fresh replies after a hop; records the longest gap the client saw across it and the
     * journal's span from the checkpoint's begin to the restore's end.
     */
    async function recordDowntime(label: string, before: number, hop: HopRecord): Promise<void> {
      await client.waitReplies(client.replies().length + 5);
      const gap = longestGapMs(client.replies().slice(Math.max(0, before - 1)));
      const at = (step: StepName, event: "begin" | "end") =>
        hop.entries.find((e) => e.step === step && e.event === event)!.at;
      const journaled = at("restore", "end") - at("checkpoint", "begin");
      const steps = (["checkpoint", "detach-source", "attach-target", "restore"] as const)
        .map((step) => `${step} ${at(step, "end") - at(step, "begin")}`)
        .join(", ");
      downtimes.push(
        `${label}: longest client gap ${gap} ms; checkpoint begin → restore end ${journaled} ms (${steps} ms)`,
      );
    }

    beforeAll(async () => {
      world = await startLocalWorld({
        prefix: PREFIX,
        stack: STACK,
        homeType: "m4.large",
        memoryMiB: MEMORY_MIB,
      });
      ({ emulator, compute, resources, host, client, logFile } = world);
      journalPath = join(world.stateDir, "journal.json");
      journal = await Journal.create(journalPath, STACK, world.home);
      // As runLive does at its start: the home's CPU, which every target's cpu-check step checks.
      await host.cpuReference(world.home);
    }, 120_000);

    afterAll(async () => {
      await world?.close();
      console.log(
        `local-hop-e2e (${MEMORY_MIB} MiB LXC, stop-and-copy via the volume)\n${downtimes.join("\n")}`,
      );
    });

    it("hops A → B → C → D (spot, on-demand, spot): the container follows, state() reads where it runs", async () => {
      const visited = [journal.home];
      expect(await host.state()).toEqual({ runningOn: journal.home, checkpointFrom: null });
      for (const [i, target] of HOPS.entries()) {
        const before = client.replies().length;
        const hop = await executor().hop(target);
        expect(hop.outcome).toBe("done");
        expect(hop.source).toBe(visited[visited.length - 1]);
        visited.push(hop.targetInstanceId!);
        expect(journal.home).toBe(hop.targetInstanceId);
        expect(await host.state()).toEqual({ runningOn: hop.targetInstanceId, checkpointFrom: null });
        expect(emulator.state.instances.get(hop.targetInstanceId!)!.lifecycle).toBe(target.lifecycle);
        expect(hop.entries.find((e) => e.step === "cpu-check" && e.event === "end")?.note).toBe(
          `${hop.targetInstanceId} can run the container`,
        );
        await recordDowntime(
          `hop ${i + 1} ${target.lifecycle} ${hop.source} → ${hop.targetInstanceId}`,
          before,
          hop,
        );
      }
      expect(new Set(visited).size).toBe(4);
    }, 120_000);

    it("a controller stopped right after the checkpoint: resume finishes the hop from real state", async () => {
      const before = client.replies().length;
      const source = journal.home;
      const hook: StepHook = (point, step) => {
        if (point === "acted" && step === "checkpoint") throw new Crash("controller stops after checkpoint");
      };
      await expect(executor(hook).hop(HOPS[1])).rejects.toBeInstanceOf(Crash);
      expect(await host.state()).toEqual({ runningOn: null, checkpointFrom: source });
      journal = await Journal.open(journalPath);
      // Between the instances the volume is unmounted: state() reads the marker from its image.
      const between: unknown[] = [];
      const watch: StepHook = async (point, step) => {
        if (point === "end" && step === "detach-source") between.push(await host.state());
      };
      const reports = await resumeOpenHops(executor(watch));
      expect(between).toEqual([{ runningOn: null, checkpointFrom: source }]);
      expect(reports).toEqual([{ hop: "hop-000004", outcome: "done", from: "checkpoint" }]);
      const hop = journal.hops[3];
      expect(journal.home).toBe(hop.targetInstanceId);
      expect(await host.state()).toEqual({ runningOn: hop.targetInstanceId, checkpointFrom: null });
      await recordDowntime(
        `hop 4 (crash after checkpoint, resumed) ${source} → ${hop.targetInstanceId}`,
        before,
        hop,
      );
    }, 120_000);

    it("one TCP connection, every count once in order; one instance of ours left, holding volume and ENI", async () => {
      const probe = await client.stop();
      const counts = probe.replies.map((r: ProbeReply) => r.count);
      const last = counts[counts.length - 1];
      expect(counts[0]).toBe(1);
      expect(countBreaks(probe.replies)).toBe(0);
      expect(counts.length).toBe(last);
      expect(probe.verify).toBe(`ok ${last}`);
      const log = (await readFile(logFile, "utf8")).trim().split("\n");
      expect(log.slice(1)).toEqual(counts.map(String));

      const home = journal.home;
      const ours = [...emulator.state.instances.values()].filter(
        (i) => (i.state === "pending" || i.state === "running") && i.tags.get(TAG_STACK) === STACK,
      );
      expect(ours.map((i) => i.id)).toEqual([home]);
      expect((await compute.describeVolume(resources.volumeId)).attachment).toEqual({
        instanceId: home,
        state: "attached",
      });
      expect((await compute.describeInterface(resources.networkInterfaceId)).attachment?.instanceId).toBe(
        home,
      );
      expect(journal.openHops()).toEqual([]);
      expect(journal.hops.map((h) => h.outcome)).toEqual(["done", "done", "done", "done"]);
    }, 60_000);
  },
);
