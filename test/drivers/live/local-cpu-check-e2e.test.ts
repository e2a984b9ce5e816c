import { execFileSync } from "node:child_process";
import { copyFile, readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCatalog } from "../../../src/catalog/catalog.js";
import { createEc2Api } from "../../../src/cloud/ec2-client.js";
import { wallClock } from "../../../src/util/clock.js";
import { CPU_DIR } from "../../../src/drivers/live/host/cpu-check.js";
import { Journal } from "../../../src/drivers/live/hop/journal.js";
import { runLive, type LiveLogRecord } from "../../../src/drivers/live/run.js";
import { defaultMigrationModel } from "../../../src/engine/migration-model.js";
import { CPUINFO_IMAGE } from "../../../src/host/criu.js";
import type { ResultsDocument } from "../../../src/results/document.js";
import { criuSkipReason } from "../../support/host-env.js";
import { startLocalWorld, ZONE, type LocalWorld } from "../../support/local-world.js";

const skip =
  criuSkipReason() ?? (existsSync("/usr/bin/crit") ? undefined : "no crit to doctor a cpuinfo image");
const PREFIX = "hsq";
const STACK = "local-cpu-check-e2e";

/** CPUID 7.0 EBX (capability word 9) bits criu's `ins` check compares: AVX512PF, AVX512ER (Xeon Phi only), HLE, RTM, MPX. */
const RARE_BITS = [26, 27, 4, 11, 14];

/**
 * Rewrites the cpuinfo image in `dir` (crit decode, encode) to claim an instruction feature this CPU
 * lacks, as a home of a newer CPU would have; returns the bit set, or null when this CPU has them all.
 */
function doctor(dir: string): number | null {
  const image = join(dir, CPUINFO_IMAGE);
  const decoded = JSON.parse(execFileSync("crit", ["decode", "-i", image], { encoding: "utf8" })) as {
    entries: { x86_entry: { capability: number[] }[] }[];
  };
  const words = decoded.entries[0].x86_entry[0].capability;
  const bit = RARE_BITS.find((b) => ((words[9] >>> b) & 1) === 0);
  if (bit === undefined) return null;
  words[9] = (words[9] | (1 << bit)) >>> 0;
  execFileSync("crit", ["encode", "-o", image], { input: JSON.stringify(decoded) });
  return bit;
}

describe.skipIf(skip !== undefined)(
  `the CPU check of a live run with a real LXC container and real CRIU on the local cloud${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    let world: LocalWorld;

    beforeAll(async () => {
      const t0 = Date.now();
      world = await startLocalWorld({
        prefix: PREFIX,
        stack: STACK,
        homeType: "m4.large",
        memoryMiB: 16,
        instanceTypes: ["m4.large", "c4.large"],
        spotPrices: [
          {
            availabilityZone: ZONE,
            instanceType: "c4.large",
            productDescription: "Linux/UNIX",
            price: 0.02,
            timeMs: t0 - 60_000,
          },
          {
            availabilityZone: ZONE,
            instanceType: "m4.large",
            productDescription: "Linux/UNIX",
            price: 0.03,
            timeMs: t0 - 60_000,
          },
        ],
      });
    }, 120_000);

    afterAll(async () => {
      await world?.close();
    });

    it("a target whose CPU lacks a feature of the home's reference: its hop is undone with the container never stopped, its type left out; the next (same CPU) passes and hops", async () => {
      const volume = world.backend.volumes.mountPoint(world.resources.volumeId);
      const referenceDir = join(volume, CPU_DIR);
      const genuine = join(world.stateDir, "cpuinfo.genuine");
      const log: LiveLogRecord[] = [];
      const ledgers: ResultsDocument[] = [];
      const journalPath = join(world.stateDir, "journal.json");
      let checks = 0;
      let doctoredBit: number | null = null;
      const replies = { before: 0, afterRefused: 0 };
      await runLive({
        config: world.config,
        ec2: createEc2Api({ region: "us-east-1", endpoint: world.emulator.endpoint, maxAttempts: 1 }),
        compute: world.compute,
        host: world.host,
        resources: world.resources,
        catalog: await createCatalog(),
        workUnit: "ecu",
        skipUnknownTypes: false,
        policy: { name: "greedy", params: { minSaving: 0 }, inputs: {} },
        intervalSeconds: 2,
        billing: "per-second",
        memoryGiB: 0.5,
        demandWork: 4,
        utilisation: 1,
        historyWindowSeconds: 3600,
        migrationModel: defaultMigrationModel,
        pricePollSeconds: 60,
        cooldownSeconds: 600,
        journalPath,
        resume: false,
        durationSeconds: 25,
        clock: wallClock,
        retry: { attempts: 5, capacityAttempts: 2, baseDelayMs: 100, maxDelayMs: 1_000 },
        timeouts: { running: 30_000, attach: 20_000, detach: 10_000, forcedDetach: 10_000, poll: 50 },
        // The first target meets a reference doctored to claim what this CPU lacks; the second, the genuine one.
        hook: async (point, step) => {
          if (point !== "begin" || step !== "cpu-check") return;
          if (checks++ === 0) {
            replies.before = world.client.replies().length;
            await copyFile(join(referenceDir, CPUINFO_IMAGE), genuine);
            doctoredBit = doctor(referenceDir);
          } else {
            replies.afterRefused = world.client.replies().length;
            await copyFile(genuine, join(referenceDir, CPUINFO_IMAGE));
          }
        },
        log: (record) => log.push(record),
        onLedger: async (document) => void ledgers.push(document),
      });

      expect(doctoredBit).not.toBeNull();
      const journal = await Journal.open(journalPath);
      expect(journal.hops.map((h) => [h.target.instanceType, h.target.lifecycle, h.outcome])).toEqual([
        ["c4.large", "spot", "rolled-back"],
        ["m4.large", "spot", "done"],
      ]);
      const [refused, taken] = journal.hops;
      expect(refused.cpuMismatch).toBe(true);
      expect(refused.entries.filter((e) => e.step === "checkpoint")).toEqual([]);
      const error = refused.entries.find((e) => e.step === "cpu-check" && e.event === "error")!;
      expect(error.note).toContain("cpu: CPU instruction capabilities do not match run time");
      expect(taken.entries.find((e) => e.step === "cpu-check" && e.event === "end")?.note).toBe(
        `${taken.targetInstanceId} can run the container`,
      );
      // The refused target is gone; the container runs on the second target, the only instance of ours.
      expect(world.emulator.state.instances.get(refused.targetInstanceId!)!.state).toMatch(
        /shutting-down|terminated/,
      );
      expect(await world.host.state()).toEqual({ runningOn: taken.targetInstanceId, checkpointFrom: null });
      const ours = [...world.emulator.state.instances.values()].filter((i) => i.state === "running");
      expect(ours.map((i) => i.id)).toEqual([taken.targetInstanceId]);
      // The container answered throughout the refused hop: it never stopped.
      expect(replies.afterRefused).toBeGreaterThan(replies.before);
      const events = log.filter((r) => r.kind === "event");
      expect(events.filter((r) => r.event === "cpu-excluded").map((r) => r.market)).toEqual([
        "c4.large spot",
        "c4.large on-demand",
      ]);
      expect(events.filter((r) => r.event === "excluded")).toEqual([]);
      const run = ledgers[ledgers.length - 1].runs[0];
      // One outage, the real hop's; the refused hop counts none.
      expect(run.outageDowntimesSeconds).toHaveLength(1);
      expect(run.timeline.filter((e) => e.kind === "acquire-failed").map((e) => e.reason)).toEqual([
        expect.stringContaining("c4.large is left out for the rest of the run"),
      ]);
      const reference = await readFile(join(referenceDir, CPUINFO_IMAGE));
      expect(reference.equals(await readFile(genuine))).toBe(true);
    }, 180_000);
  },
);
