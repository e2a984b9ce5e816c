import { afterEach, describe, expect, it } from "vitest";
import { Journal, type HopRecord } from "../../../src/drivers/live/hop/journal.js";
import {
  runLive,
  type HandOffSummary,
  type LiveLogRecord,
  type LiveRunOptions,
  type LiveRunSummary,
} from "../../../src/drivers/live/run.js";
import type { ResultsDocument } from "../../../src/results/document.js";
import {
  liveHarness,
  liveRunOptions,
  runJournalPath,
  settleAndSummarize,
  spotPrice,
  type LiveHarness,
} from "../../support/live-harness.js";

let h: LiveHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** m4.large spot ($0.03/h, the home) and c4.large spot ($0.02/h) both give the 4 ECU asked for. */
const M4_SPOT = 0.03;
const C4_SPOT = 0.02;
/** c4.large spot's price from `riseAtMs` on: dearer than the home, so greedy stays there. */
const C4_RISEN = 0.05;

const prices = (t0: number, riseAtMs: number) => [
  spotPrice("m4.large", t0 - 60_000, M4_SPOT),
  spotPrice("c4.large", t0 - 60_000, C4_SPOT),
  spotPrice("c4.large", riseAtMs, C4_RISEN),
];

/** A self-migrating controller on the harness's home; no controller ever runs on a target. */
async function selfMigrating(
  harness: LiveHarness,
  log: LiveLogRecord[],
  ledgers: ResultsDocument[],
  overrides: Partial<LiveRunOptions>,
): Promise<LiveRunSummary | HandOffSummary> {
  return runLive({
    ...(await liveRunOptions(harness, log)),
    durationSeconds: 20,
    self: { instanceId: harness.source, takeover: false, takeoverTimeoutSeconds: 60 },
    onLedger: async (document) => {
      ledgers.push(document);
    },
    ...overrides,
  });
}

/**
 * The first hop once the source handed it off: the journal on disk has the detach's begin and the
 * volume and ENI are free (the release finished).
 */
async function handedOff(harness: LiveHarness): Promise<HopRecord> {
  for (let i = 0; i < 600; i++) {
    const hop = (await Journal.open(runJournalPath(harness)).catch(() => null))?.hops[0];
    const world = harness.emulator.state;
    const free =
      world.volumes.get(harness.resources.volumeId)!.attachment === null &&
      world.interfaces.get(harness.resources.networkInterfaceId)!.attachment === null;
    if (free && hop?.entries.some((e) => e.step === "detach-source" && e.event === "begin")) return hop;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the source never handed the hop off");
}

const steps = (log: LiveLogRecord[]) => log.flatMap((r) => (r.kind === "step" ? [r.step] : []));
const events = (log: LiveLogRecord[], event: string) =>
  log.flatMap((r) => (r.kind === "event" && r.event === event ? [r.market] : []));
const seconds = (iso: string) => Date.parse(iso) / 1000;

describe("self-migrating: no controller takes over on the target (real SDK, emulator in real time, fake container host)", () => {
  it("self-migrating: the target is lost after the hand-off: the source takes the container back and runs on (fake container host)", async () => {
    const t0 = Date.now();
    const riseAt = t0 + 10_000;
    h = await liveHarness({ realTime: true, homeLifecycle: "spot", spotPrices: prices(t0, riseAt) });
    const home = h.source;
    const log: LiveLogRecord[] = [];
    const ledgers: ResultsDocument[] = [];
    const durationSeconds = 20;
    // The controller's own hand-off ledger, as the CLI reads it back from the volume.
    const previousLedger = async (id: string | null) => {
      const document = ledgers.filter((d) => d.configuration.handedOff === "hop-000001").at(-1);
      return id === home && document !== undefined ? { document, keptAt: `results-${home}.json` } : null;
    };
    const running = selfMigrating(h, log, ledgers, { durationSeconds, previousLedger });

    const hop = await Promise.race([
      handedOff(h),
      running.then((s) => {
        throw new Error(`the run ended before the hand-off: ${JSON.stringify(s.resumed)}`);
      }),
    ]);
    const target = hop.targetInstanceId!;
    expect(hop.entries.at(-1)).toMatchObject({
      step: "detach-source",
      event: "begin",
      note: `handed off to ${target}`,
    });
    // The resumed run must see c4.large dearer, or it would hop (and hand off) again at once.
    await new Promise((r) => setTimeout(r, Math.max(0, riseAt + 200 - Date.now())));
    h.emulator.faults.interrupt(target, { afterSeconds: 0 });
    const summary = await running;

    if ("handedOffTo" in summary) throw new Error(`handed off to ${summary.handedOffTo}, expected a run`);
    const { result, document, resumed } = summary;
    expect(resumed).toEqual([{ hop: "hop-000001", outcome: "fell-back" }]);
    expect(summary.journal.home).toBe(home);

    // The journal as a restarted controller reads it: one hop, fallen back, the home unchanged.
    const journal = await Journal.open(runJournalPath(h));
    expect(journal.home).toBe(home);
    expect(journal.openHops()).toEqual([]);
    expect(journal.hops).toHaveLength(1);
    const settled = journal.hops[0];
    expect(settled).toMatchObject({
      id: "hop-000001",
      source: home,
      targetInstanceId: target,
      target: { instanceType: "c4.large", zone: "us-east-1c", lifecycle: "spot" },
      outcome: "fell-back",
    });
    const ended = (step: string) => settled.entries.some((e) => e.step === step && e.event === "end");
    expect(ended("reattach-source")).toBe(true);
    expect(ended("restore-source")).toBe(true);
    expect(settled.entries.find((e) => e.step === "restore-source" && e.event === "end")?.note).toBe(
      "restored",
    );

    // One checkpoint on the home and its restore there: the target never got the container.
    expect(h.host.history).toEqual([`checkpoint ${home}`, `restore ${home}`]);
    expect(h.host.runningOn).toBe(home);
    const world = await settleAndSummarize(h);
    expect(world).toEqual({ oursRunning: [home], untagged: [], volumeOn: [home], eniOn: home });
    const lost = h.emulator.state.instances.get(target)!;
    expect(lost.state).toBe("terminated");
    expect(lost.stateReason?.code).toBe("Server.SpotInstanceTermination");
    expect(
      h.emulator.state.requestLog.filter((r) => r.action === "RunInstances" && r.error !== "DryRunOperation"),
    ).toHaveLength(2);

    // The first run: one decision to hop, acquire, wait-running and checkpoint, then the hand-off
    // (not a step of its own). Its last ledger, written before the volume left: the hop in flight,
    // both servers held and billed the 60 s minimum, the outage open since the target ran.
    const firstDecision = log.find((r) => r.kind === "decision")!;
    expect(firstDecision).toMatchObject({ action: "hop", market: "c4.large spot" });
    expect(seconds(firstDecision.time) * 1000).toBeLessThan(riseAt);
    expect(events(log, "hop")).toEqual(["c4.large spot"]);
    const handOffLedger = ledgers.filter((d) => d.configuration.handedOff === "hop-000001").at(-1)!;
    const before = handOffLedger.runs[0];
    expect(before.instances.map((i) => [i.instanceType, i.lifecycle, i.endedBy])).toEqual([
      ["m4.large", "spot", "user"],
      ["c4.large", "spot", "user"],
    ]);
    expect(before.instances[0].costUsd).toBeCloseTo((M4_SPOT * 60) / 3600, 12);
    expect(before.instances[1].costUsd).toBeCloseTo((C4_SPOT * 60) / 3600, 12);
    expect(before.costUsd).toBeCloseTo(((M4_SPOT + C4_SPOT) * 60) / 3600, 12);
    expect([before.migrations, before.abortedMigrations, before.outages]).toEqual([0, 0, 1]);
    expect(before.timeline.map((e) => `${e.kind} ${e.instanceType} ${e.lifecycle}`)).toEqual([
      "running m4.large spot",
      "hop c4.large spot",
    ]);
    // 4 ECU delivered from the start until the target ran (the container stops for the checkpoint then).
    const s1 = seconds(before.start);
    expect(before.workEcuHours).toBeCloseTo((4 * (seconds(before.instances[1].start) - s1)) / 3600, 5);

    // The resumed run carries that ledger on: one ledger for the container's whole life. The hop
    // counts as aborted with its whole outage (checkpoint → restore on the source, from the journal);
    // the target billed until it was ended (within per-second billing's 60 s minimum), the home
    // billed once from its start. It ran on: greedy asked every interval and stayed on the home.
    const run = document.runs[0];
    const at = (step: string, event: string) =>
      settled.entries.find((e) => e.step === step && e.event === event)!.at / 1000;
    expect(document.configuration.resumedHops).toEqual(["hop-000001 fell-back"]);
    expect(document.configuration.carriedFrom).toBe(`results-${home}.json`);
    expect([run.migrations, run.abortedMigrations, run.outages, run.restarts, run.revocations]).toEqual([
      0, 1, 1, 0, 0,
    ]);
    expect(run.outageDowntimesSeconds![0]).toBeCloseTo(
      at("restore-source", "end") - at("checkpoint", "begin"),
      9,
    );
    expect(run.start).toBe(before.start);
    expect(run.instances.map((i) => [i.instanceType, i.lifecycle, i.start])).toEqual([
      ["c4.large", "spot", before.instances[1].start],
      ["m4.large", "spot", before.instances[0].start],
    ]);
    expect(seconds(run.instances[0].end)).toBeCloseTo(at("terminate-target", "end"), 3);
    expect(run.instances[0].costUsd).toBeCloseTo((C4_SPOT * 60) / 3600, 12);
    expect(run.instances[1].costUsd).toBeCloseTo((M4_SPOT * 60) / 3600, 12);
    expect(run.costUsd).toBeCloseTo(((M4_SPOT + C4_SPOT) * 60) / 3600, 12);
    expect(run.timeline.map((e) => `${e.kind} ${e.instanceType} ${e.lifecycle}`)).toEqual([
      "running m4.large spot",
      "hop c4.large spot",
      "hop-aborted m4.large spot",
      "running m4.large spot",
    ]);
    expect(run.workEcuHours).toBeCloseTo(before.workEcuHours + (4 * (result.end - result.start)) / 3600, 9);
    expect(result.decisions).toBeGreaterThanOrEqual(1);
    const lastStep = log.length - 1 - [...log].reverse().findIndex((r) => r.kind === "step");
    const afterFallBack = log.slice(lastStep + 1);
    const decisions = afterFallBack.filter((r) => r.kind === "decision");
    expect(decisions).toHaveLength(result.decisions);
    for (const d of decisions) expect(d).toMatchObject({ action: "stay", market: "m4.large spot" });
    expect(ledgers.at(-1)).toEqual(document);

    // The fall-back itself: the source claimed volume and ENI back before resuming, so the resume has
    // nothing to move to the lost target. It must not detach the volume (which holds the journal,
    // self-migrating) from the instance it runs on to "forward" the hop, only to attach it back.
    expect(settled.entries.slice(hop.entries.length).map((e) => `${e.step} ${e.event}`)).toEqual([
      "reattach-source begin",
      "reattach-source end",
      "restore-source begin",
      "restore-source end",
      "terminate-target begin",
      "terminate-target end",
    ]);
    expect(settled.entries.find((e) => e.step === "reattach-source" && e.event === "end")?.note).toBe(
      "already attached (volume free, interface free)",
    );
    expect(steps(log)).toEqual([
      "acquire",
      "wait-running",
      "cpu-check",
      "checkpoint",
      "reattach-source",
      "restore-source",
      "terminate-target",
    ]);
    // The harness's attach and the claim; the hand-off's detach.
    const calls = (action: string) =>
      h!.emulator.state.requestLog.filter((r) => r.action === action && r.error !== "DryRunOperation").length;
    expect([calls("AttachVolume"), calls("DetachVolume")]).toEqual([2, 1]);
    // The duration counts from the first start: the resumed run ends at that deadline, not a whole
    // duration after the fall-back (nearer the first than the second).
    expect(result.end - (s1 + durationSeconds)).toBeLessThan((result.start - s1) / 2);
  }, 120_000);

  it("self-migrating: the target runs but no controller claims the volume within the takeover timeout: the source ends it, takes the container back and keeps the market cooled down (fake container host)", async () => {
    h = await liveHarness({
      realTime: true,
      homeLifecycle: "spot",
      spotPrices: prices(Date.now(), Date.now() + 3_600_000),
    });
    const home = h.source;
    const log: LiveLogRecord[] = [];
    const ledgers: ResultsDocument[] = [];
    const warnings: string[] = [];
    const summary = await selfMigrating(h, log, ledgers, {
      durationSeconds: 12,
      self: { instanceId: home, takeover: false, takeoverTimeoutSeconds: 3 },
      onWarning: (text) => warnings.push(text),
    });
    if ("handedOffTo" in summary) throw new Error(`handed off to ${summary.handedOffTo}, expected a run`);
    const journal = await Journal.open(runJournalPath(h));
    expect(journal.hops).toHaveLength(1);
    const hop = journal.hops[0];
    const target = hop.targetInstanceId!;
    expect(summary.resumed).toEqual([{ hop: "hop-000001", outcome: "fell-back" }]);
    expect(warnings).toContain(
      `no controller on ${target} took the volume over within 3 s: ending it, taking the container back`,
    );
    expect(hop.entries.map((e) => `${e.step} ${e.event}`)).toEqual([
      "acquire begin",
      "acquire end",
      "wait-running begin",
      "wait-running end",
      "cpu-check begin",
      "cpu-check end",
      "checkpoint begin",
      "checkpoint end",
      "detach-source begin",
      "reattach-source begin",
      "reattach-source end",
      "restore-source begin",
      "restore-source end",
      "terminate-target begin",
      "terminate-target end",
    ]);
    expect(h.host.history).toEqual([`checkpoint ${home}`, `restore ${home}`]);
    expect(h.emulator.state.instances.get(target)!.stateReason?.code).toBe("Client.UserInitiatedShutdown");
    expect(await settleAndSummarize(h)).toEqual({
      oursRunning: [home],
      untagged: [],
      volumeOn: [home],
      eniOn: home,
    });
    // c4.large spot stays the cheapest, yet the resumed run keeps it cooled down (from the journal):
    // no second hop to a market whose controller never came.
    expect(events(log, "excluded")).toEqual(["c4.large spot"]);
    const lastStep = log.length - 1 - [...log].reverse().findIndex((r) => r.kind === "step");
    const after = log.slice(lastStep + 1).filter((r) => r.kind === "decision");
    expect(after.length).toBeGreaterThanOrEqual(1);
    for (const d of after) expect(d).toMatchObject({ action: "stay", market: "m4.large spot" });
    expect(
      h.emulator.state.requestLog.filter((r) => r.action === "RunInstances" && r.error !== "DryRunOperation"),
    ).toHaveLength(2);
  }, 120_000);
});
