import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countBreaks, longestGapMs } from "../../../src/cloud/local/hosts/probe-client.js";
import { rehearseMigration, type RehearsalOutcome } from "../../../src/cloud/local/hosts/rehearsal.js";
import { criuSkipReason } from "../../support/host-env.js";

const skip = criuSkipReason();

/** The laws of a lossless live migration, checked on what the client and the moved volume saw. */
function expectLossless(outcome: RehearsalOutcome): void {
  const { probe, countLog, migration } = outcome;
  const counts = probe.replies.map((r) => r.count);
  const last = counts[counts.length - 1];
  // One connection from first to last reply: the client never reconnects, and a reset fails stop().
  expect(counts[0]).toBe(1);
  expect(countBreaks(probe.replies)).toBe(0);
  expect(counts.length).toBe(last);
  // The server re-checked its whole 64 MiB pattern after the restore.
  expect(probe.verify).toBe(`ok ${last}`);
  // The log on the moved volume: the "# listening" line, then every count once, in order.
  expect(countLog[0]).toMatch(/^# listening \d+\.\d+\.\d+\.\d+:7070 mem_mib=64$/);
  expect(countLog.slice(1)).toEqual(counts.map(String));
  console.log(
    `migrate-e2e 64 MiB ${outcome.container}: longest client gap ${longestGapMs(probe.replies)} ms; ` +
      `host downtime ${(migration.downtimeSeconds * 1000).toFixed(0)} ms ` +
      `(dump ${(migration.dumpSeconds * 1000).toFixed(0)}, move ${(migration.moveSeconds * 1000).toFixed(0)}, ` +
      `restore ${(migration.restoreSeconds * 1000).toFixed(0)} ms, post-copy ${(migration.postCopySeconds * 1000).toFixed(0)} ms); ` +
      `checkpoint images ${(migration.checkpointBytes / 2 ** 20).toFixed(1)} MiB; ${last} requests`,
  );
}

describe.skipIf(skip !== undefined)(
  `live migration between namespace hosts through the EC2 emulator and the real SDK${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    let stateDir: string;
    beforeAll(async () => {
      process.env.AWS_ACCESS_KEY_ID = "AKIDLOCALCLOUDTEST";
      process.env.AWS_SECRET_ACCESS_KEY = "local-cloud-test-secret";
      delete process.env.AWS_PROFILE;
      delete process.env.AWS_SESSION_TOKEN;
      stateDir = await mkdtemp(join(tmpdir(), "hotspot-e2e-"));
    });
    afterAll(async () => {
      await rm(stateDir, { recursive: true, force: true });
    });

    it("an LXC container keeps its TCP connection, count and memory across dump on A, volume+ENI move, restore on B", async () => {
      const outcome = await rehearseMigration({
        prefix: "hse",
        stateDir,
        memoryMiB: 64,
        mode: "stop-and-copy",
      });
      expect(outcome.container).toBe("lxc");
      expectLossless(outcome);
      // Stop-and-copy moves the 64 MiB of dirty pages, plus the process's own few, to the target (page server).
      expect(outcome.migration.checkpointBytes).toBeGreaterThanOrEqual(64 * 2 ** 20);
      expect(outcome.migration.checkpointBytes).toBeLessThan(80 * 2 ** 20);
    }, 180_000);

    it("a PID-namespace container does the same with post-copy: memory follows over the page server", async () => {
      const outcome = await rehearseMigration({
        prefix: "hsp",
        stateDir,
        memoryMiB: 64,
        mode: "lazy",
        container: "pidns",
      });
      expect(outcome.container).toBe("pidns");
      expectLossless(outcome);
      // Only the small images (registers, files, sockets) are written; the pages went over the network.
      expect(outcome.migration.checkpointBytes).toBeLessThan(2 ** 20);
    }, 180_000);
  },
);
