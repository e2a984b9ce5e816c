import { afterEach, describe, expect, it } from "vitest";
import { HotspotError } from "../../../src/errors.js";
import { HostSideError } from "../../../src/drivers/live/errors.js";
import { collectOrphans } from "../../../src/drivers/live/hop/gc.js";
import { TAG_HOP, TAG_STACK } from "../../../src/drivers/live/hop/hop.js";
import { Journal } from "../../../src/drivers/live/hop/journal.js";
import { resumeOpenHops } from "../../../src/drivers/live/hop/resume.js";
import { runLive, type LiveLogRecord } from "../../../src/drivers/live/run.js";
import { PreflightError } from "../../../src/drivers/live/preflight.js";
import { fileExists } from "../../../src/util/file-exists.js";
import type { ResultsDocument } from "../../../src/results/document.js";
import {
  AMI,
  liveHarness,
  liveRunOptions,
  runJournalPath,
  settleAndSummarize,
  SPOT_TARGET,
  spotPrice,
  STACK,
  ZONE,
  type LiveHarness,
} from "../../support/live-harness.js";

let h: LiveHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** What lxc-checkpoint reports when the container runs outside LXC's cgroups (its own log's tail). */
const LXC_REFUSED =
  "lxc-checkpoint -s of app in hsx-i-1 failed (exit 1): lxc-dump.log: lxc-checkpoint app 20261202060000.001 ERROR    criu - criu.c:do_dump:1087 - no cgroup of the container's own; no dump.log written in /v/checkpoint";

/** The harness's fake host whose checkpoint fails as LXC does, leaving the container running. */
function checkpointRefused(harness: LiveHarness): void {
  harness.host.checkpoint = async () => {
    throw new HotspotError("HOTSPOT_CRIU", LXC_REFUSED);
  };
}

describe("a hop that fails on the container host (real SDK against the emulator, fake container host)", () => {
  it("a failed checkpoint: the target is terminated, the hop rolled back as host-side, the container untouched", async () => {
    h = await liveHarness();
    checkpointRefused(h);
    const error = await h
      .executor()
      .hop(SPOT_TARGET)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostSideError);
    expect((error as Error).message).toBe(
      `checkpoint on ${h.source} failed on the container host: ${LXC_REFUSED}`,
    );
    const hop = h.journal.hops[0];
    expect([hop.outcome, hop.hostSide]).toEqual(["rolled-back", true]);
    expect(hop.reason).toContain("no cgroup of the container's own");
    expect(h.host.runningOn).toBe(h.source);
    expect(await settleAndSummarize(h)).toEqual({
      oursRunning: [h.source],
      untagged: [],
      volumeOn: [h.source],
      eniOn: h.source,
    });
  });

  it("no container on the volume: the target is terminated and nothing leaks", async () => {
    h = await liveHarness();
    h.host.runningOn = null;
    await expect(h.executor().hop(SPOT_TARGET)).rejects.toThrow(
      `checkpoint on ${h.source} failed on the container host: the container is neither running nor checkpointed: it runs on no instance and the volume holds no checkpoint image`,
    );
    expect(h.journal.openHops()).toEqual([]);
    expect(h.journal.hops[0]).toMatchObject({ outcome: "rolled-back", hostSide: true });
    expect((await settleAndSummarize(h)).oursRunning).toEqual([h.source]);
  });

  it("a failed restore on the target: fall back (volume, ENI and container back on the source), target terminated", async () => {
    h = await liveHarness();
    const restore = h.host.restore.bind(h.host);
    h.host.restore = async (on) => {
      if (on !== h!.source)
        throw new HotspotError("HOTSPOT_CRIU", "restore.log: Error (criu/cr-restore.c:1)");
      await restore(on);
    };
    await expect(h.executor().hop(SPOT_TARGET)).rejects.toBeInstanceOf(HostSideError);
    expect(h.journal.hops[0]).toMatchObject({ outcome: "fell-back", hostSide: true });
    expect(h.host.history).toEqual([`checkpoint ${h.source}`, `restore ${h.source}`]);
    expect(await settleAndSummarize(h)).toEqual({
      oursRunning: [h.source],
      untagged: [],
      volumeOn: [h.source],
      eniOn: h.source,
    });
  });

  it("a hop an older controller left open after a failed checkpoint (no container): gc ends its target, resume settles it", async () => {
    h = await liveHarness();
    h.host.runningOn = null;
    const hop = await h.journal.beginHop(SPOT_TARGET);
    const target = await h.compute.runInstance({
      clientToken: hop.clientToken,
      imageId: AMI,
      instanceType: SPOT_TARGET.instanceType,
      zone: ZONE,
      lifecycle: "spot",
      tags: { [TAG_STACK]: STACK, [TAG_HOP]: hop.id },
    });
    const at = h.clock.now();
    for (const step of ["acquire", "wait-running"] as const) {
      await h.journal.record(hop, { step, event: "begin", at });
      await h.journal.record(hop, { step, event: "end", at }, step === "acquire" ? target.id : undefined);
    }
    await h.journal.record(hop, { step: "checkpoint", event: "begin", at });
    await h.journal.record(hop, { step: "checkpoint", event: "error", at, note: "container lost" });
    await h.scheduler.advance(2_000);

    // The stuck hop's target holds nothing of the container: gc ends it; the home is kept.
    expect(await collectOrphans(h.compute, h.journal, h.clock, { dryRun: true })).toEqual({
      orphans: [target.id],
      kept: [h.source],
    });
    expect(await resumeOpenHops(h.executor())).toEqual([{ hop: hop.id, outcome: "rolled-back" }]);
    expect(h.journal.hops[0]).toMatchObject({ outcome: "rolled-back", hostSide: true });
    expect((await settleAndSummarize(h)).oursRunning).toEqual([h.source]);
  });
});

describe("runLive with a container host that fails (real SDK, emulator in real time, fake container host)", () => {
  /** c4.large spot is the cheapest from the start: greedy hops at its first decision. */
  const cheaperTarget = (t0: number) => [
    spotPrice("m4.large", t0 - 60_000, 0.03),
    spotPrice("c4.large", t0 - 60_000, 0.02),
  ];

  it("a checkpoint LXC refuses in a hop (after preflight passed): two attempts, no cool-down, then the run stops; zero instances leaked, no downtime", async () => {
    h = await liveHarness({ realTime: true, spotPrices: cheaperTarget(Date.now()) });
    checkpointRefused(h);
    const log: LiveLogRecord[] = [];
    const ledgers: ResultsDocument[] = [];
    const error = await runLive({
      ...(await liveRunOptions(h, log)),
      durationSeconds: 20,
      onLedger: async (document) => void ledgers.push(document),
    }).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: "HOTSPOT_LIVE_HOST_FAILED" });
    expect((error as Error).message).toMatch(/^two hops in a row failed on the container host/);
    expect((error as Error).message).toContain("no cgroup of the container's own");
    const journal = await Journal.open(runJournalPath(h));
    expect(journal.openHops()).toEqual([]);
    expect(journal.hops.map((hop) => [hop.outcome, hop.hostSide])).toEqual([
      ["rolled-back", true],
      ["rolled-back", true],
    ]);
    expect(journal.home).toBe(h.source);
    // The market was not at fault: asked again at once, the policy chose it again.
    expect(log.filter((r) => r.kind === "event" && r.event === "excluded")).toEqual([]);
    const run = ledgers[ledgers.length - 1].runs[0];
    expect(run.downtimeSeconds).toBe(0);
    expect(run.outageDowntimesSeconds).toEqual([]);
    const aborted = run.timeline.filter((e) => e.kind === "hop-aborted");
    expect(aborted).toHaveLength(2);
    for (const entry of aborted) expect(entry.reason).toContain("no cgroup of the container's own");
    const world = await settleAndSummarize(h);
    expect(world.oursRunning).toEqual([h.source]);
    expect(world.volumeOn).toEqual([h.source]);
  }, 60_000);

  it("no container on the volume: preflight fails at the start, nothing is launched, no journal is left", async () => {
    h = await liveHarness({ realTime: true, spotPrices: cheaperTarget(Date.now()) });
    h.host.runningOn = null;
    const log: LiveLogRecord[] = [];
    const error = await runLive({ ...(await liveRunOptions(h, log)), durationSeconds: 20 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PreflightError);
    expect((error as Error).message).toBe(
      `preflight failed, nothing launched: container running: expected running on ${h.source}, found none`,
    );
    expect(await fileExists(runJournalPath(h))).toBe(false);
    expect(log.filter((r) => r.kind === "decision")).toEqual([]);
    expect(await settleAndSummarize(h)).toMatchObject({ oursRunning: [h.source], untagged: [] });
  }, 60_000);

  it("the container gone after the start: the next hop's preflight fails before its acquire, nothing is launched", async () => {
    h = await liveHarness({ realTime: true, spotPrices: cheaperTarget(Date.now()) });
    const log: LiveLogRecord[] = [];
    const options = await liveRunOptions(h, log);
    // The first decision (at the start, after preflight) comes through the policy: the container is gone by then.
    const host = h.host;
    let preflights = 0;
    const error = await runLive({
      ...options,
      host: {
        ...host,
        state: () => host.state(),
        checkpoint: (source) => host.checkpoint(source),
        restore: (on) => host.restore(on),
        preflight: async (id, o) => {
          if (preflights++ === 1) host.runningOn = null;
          return host.preflight(id, o);
        },
      },
      durationSeconds: 20,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreflightError);
    expect(host.preflights).toEqual([`${h.source} trial`, h.source]);
    const journal = await Journal.open(runJournalPath(h));
    expect(journal.hops).toEqual([]);
    expect((await settleAndSummarize(h)).oursRunning).toEqual([h.source]);
  }, 60_000);
});
