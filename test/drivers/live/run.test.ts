import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ResultsDocument } from "../../../src/results/document.js";
import { writeResults } from "../../../src/results/write.js";
import { runCli } from "../../support/run-cli.js";
import { NoticePoller } from "../../../src/drivers/live/observe/notice-poller.js";
import {
  runLive,
  type LiveLogRecord,
  type LiveRunOptions,
  type LiveRunSummary,
} from "../../../src/drivers/live/run.js";
import { TAG_HOP } from "../../../src/drivers/live/hop/hop.js";
import { HOP_STEPS } from "../../../src/drivers/live/hop/journal.js";
import {
  liveHarness,
  liveRunOptions,
  settleAndSummarize,
  spotPrice,
  type LiveHarness,
} from "../../support/live-harness.js";

let h: LiveHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function live(
  harness: LiveHarness,
  log: LiveLogRecord[],
  overrides: Partial<LiveRunOptions> = {},
): Promise<LiveRunSummary> {
  const summary = await runLive({ ...(await liveRunOptions(harness, log)), ...overrides });
  if ("handedOffTo" in summary)
    throw new Error(`not self-migrating, yet handed off to ${summary.handedOffTo}`);
  return summary;
}

/** m4.large spot is the cheapest until c4.large drops below it 2.5 s from `t0`. */
const c4DropsAt2500 = (t0: number) => [
  spotPrice("m4.large", t0 - 60_000, 0.03),
  spotPrice("c4.large", t0 - 60_000, 0.04),
  spotPrice("c4.large", t0 + 2_500, 0.02),
];

/** The harness's metadata for an instance, watched every 0.2 s. */
const fastNotices = (id: string) =>
  new NoticePoller({ baseUrl: h!.emulator.metadataEndpoint(id), clock: h!.clock, intervalSeconds: 0.2 });

const hops = (log: LiveLogRecord[]) =>
  log.flatMap((r) => (r.kind === "event" && r.event === "hop" ? [r.market] : []));

describe("runLive: the engine and a policy drive journaled hops (real SDK, emulator in real time, fake container host)", () => {
  it("greedy follows the cheapest spot market: three hops, one instance of ours left, the ledger adds up", async () => {
    const t0 = Date.now();
    h = await liveHarness({
      realTime: true,
      spotPrices: [...c4DropsAt2500(t0), spotPrice("m4.large", t0 + 5_000, 0.01)],
    });
    const log: LiveLogRecord[] = [];
    const { result, document, journal } = await live(h, log);

    expect(hops(log)).toEqual(["m4.large spot", "c4.large spot", "m4.large spot"]);
    expect(result.hops).toBe(3);
    expect(result.abortedHops).toBe(0);
    expect(journal.hops.map((hop) => hop.outcome)).toEqual(["done", "done", "done"]);
    expect(journal.home).toBe(journal.hops[2].targetInstanceId);
    const world = await settleAndSummarize(h);
    expect(world).toEqual({
      oursRunning: [journal.home],
      untagged: [],
      volumeOn: [journal.home],
      eniOn: journal.home,
    });
    expect(h.host.runningOn).toBe(journal.home);

    // Every step of every hop logged once, every decision once.
    const steps = log.filter((r) => r.kind === "step");
    expect(steps.map((r) => (r.kind === "step" ? r.step : "")).slice(0, HOP_STEPS.length)).toEqual([
      ...HOP_STEPS,
    ]);
    expect(steps).toHaveLength(3 * HOP_STEPS.length);
    expect(log.filter((r) => r.kind === "decision")).toHaveLength(result.decisions);

    // The ledger: the home (m4.large on-demand, $0.10/h) held less than a minute pays per-second
    // billing's 60-second minimum, $0.10 / 60; the total is the sum of the instances.
    const run = document.runs[0];
    expect(run.instances).toHaveLength(4);
    expect(run.instances[0]).toMatchObject({
      instanceType: "m4.large",
      lifecycle: "on-demand",
      endedBy: "user",
    });
    expect(run.instances[0].costUsd).toBeCloseTo(0.1 / 60, 12);
    expect(run.costUsd).toBeCloseTo(
      run.instances.reduce((sum, i) => sum + i.costUsd, 0),
      12,
    );
    expect(run.migrations).toBe(3);
    expect(run.outageDowntimesSeconds).toHaveLength(3);
    for (const downtime of run.outageDowntimesSeconds!) expect(downtime).toBeGreaterThan(0);
    expect(run.downtimeSeconds).toBeCloseTo(
      run.outageDowntimesSeconds!.reduce((a, b) => a + b, 0),
      9,
    );
    expect(document.trace.format).toBe("live");

    // Hop costs learned: every hop's steps and image in the ledger; the checkpoint rate the mean of the
    // trial's (8 MiB in 0.25 s) and each hop's 4 MiB over its measured seconds.
    const costs = document.hopCosts!;
    expect(costs.hops.map((c) => [c.hop, c.target, c.imageBytes])).toEqual([
      ["hop-000001", "m4.large spot", 4 * 2 ** 20],
      ["hop-000002", "c4.large spot", 4 * 2 ** 20],
      ["hop-000003", "m4.large spot", 4 * 2 ** 20],
    ]);
    for (const c of costs.hops) expect(Object.keys(c.stepSeconds)).toEqual([...HOP_STEPS]);
    const rate = (seconds: number) => (4 * 2 ** 20) / seconds;
    expect(costs.rates.checkpointSamples).toBe(4);
    expect(costs.rates.checkpointBytesPerSecond).toBeCloseTo(
      (32 * 2 ** 20 + costs.hops.reduce((sum, c) => sum + rate(c.stepSeconds.checkpoint!), 0)) / 4,
      6,
    );
    expect(costs.rates.restoreBytesPerSecond).toBeCloseTo(
      costs.hops.reduce((sum, c) => sum + rate(c.stepSeconds.restore!), 0) / 3,
      6,
    );

    // The ledger charts like a simulated run.
    const file = join(dirname(h.journalPath), "results.json");
    await writeResults(file, document);
    const report = await runCli(["report", file, "-o", join(dirname(h.journalPath), "live.html")]);
    expect(report.code).toBe(0);
    const html = await readFile(join(dirname(h.journalPath), "live.html"), "utf8");
    expect(html).toContain("greedy");
    expect(html).toContain("c4.large spot");
  }, 60_000);

  it("--resume after a clean end carries the ledger on: one ledger, the home billed once from its start", async () => {
    const t0 = Date.now();
    h = await liveHarness({ realTime: true, spotPrices: c4DropsAt2500(t0) });
    const ledgers: ResultsDocument[] = [];
    const keep = async (document: ResultsDocument) => void ledgers.push(document);
    const first = await live(h, [], { durationSeconds: 5, onLedger: keep });
    const ended = first.document;
    expect(ended.configuration.ended).toBe(true);
    expect(ended.runs[0].migrations).toBeGreaterThanOrEqual(1);
    const warnings: string[] = [];
    const second = await live(h, [], {
      resume: true,
      durationSeconds: 2,
      onLedger: keep,
      previousLedger: async (id) =>
        id === null ? { document: ended, keptAt: "results.previous.json" } : null,
      onWarning: (text) => warnings.push(text),
    });
    expect(warnings).toEqual([]);
    const before = ended.runs[0];
    const run = second.document.runs[0];
    expect(second.document.configuration.carriedFrom).toBe("results.previous.json");
    expect(run.start).toBe(before.start);
    expect([run.migrations, run.outages]).toEqual([before.migrations, before.outages]);
    expect(run.outageDowntimesSeconds).toEqual(before.outageDowntimesSeconds);
    // The home the first run ended on goes on as one instance, billed from when it started.
    expect(run.instances.map((i) => [i.instanceType, i.lifecycle, i.start])).toEqual(
      before.instances.map((i) => [i.instanceType, i.lifecycle, i.start]),
    );
    const home = before.instances.length - 1;
    expect(Date.parse(run.instances[home].end)).toBeGreaterThan(Date.parse(before.instances[home].end));
    expect(run.instances.slice(0, home)).toEqual(before.instances.slice(0, home));
    expect(run.costUsd).toBeCloseTo(
      run.instances.reduce((sum, i) => sum + i.costUsd, 0),
      12,
    );
    expect(run.decisions).toBe(before.decisions + second.result.decisions);
    expect(run.workEcuHours).toBeCloseTo(before.workEcuHours + second.result.work, 12);
  }, 60_000);

  it("no capacity for the cheapest market: it is excluded for the cool-down and the policy, asked again, stays", async () => {
    const t0 = Date.now();
    h = await liveHarness({
      realTime: true,
      spotPrices: c4DropsAt2500(t0),
    });
    h.emulator.faults.insufficientCapacity({ instanceType: "c4.large" });
    const log: LiveLogRecord[] = [];
    const { result, journal } = await live(h, log, { durationSeconds: 6 });

    expect(hops(log)).toEqual(["m4.large spot", "c4.large spot"]);
    expect(result.hops).toBe(1);
    expect(result.abortedHops).toBe(1);
    expect(log).toContainEqual(
      expect.objectContaining({ kind: "event", event: "excluded", market: "c4.large spot" }),
    );
    const failed = log.findIndex((r) => r.kind === "event" && r.event === "acquire-failed");
    expect(failed).toBeGreaterThan(0);
    // Asked again at once, without the failed market: m4.large spot, where it runs, is the cheapest left.
    expect(log[failed + 2]).toMatchObject({ kind: "decision", action: "stay", market: "m4.large spot" });
    expect(log.slice(failed).some((r) => r.kind === "decision" && r.market === "c4.large spot")).toBe(false);
    expect(journal.hops.map((hop) => hop.outcome)).toEqual(["done", "rolled-back"]);
    const world = await settleAndSummarize(h);
    expect(world.oursRunning).toEqual([journal.home]);
    expect(world.volumeOn).toEqual([journal.home]);
  }, 60_000);

  it("an interruption notice for the home: an emergency hop to a fresh server before the reclamation", async () => {
    const t0 = Date.now();
    h = await liveHarness({
      realTime: true,
      latencyFactor: 0.05,
      homeLifecycle: "spot",
      spotPrices: [spotPrice("m4.large", t0 - 60_000, 0.03), spotPrice("c4.large", t0 - 60_000, 0.04)],
    });
    const home = h.source;
    const log: LiveLogRecord[] = [];
    setTimeout(() => h!.emulator.faults.interrupt(home), 1_500);
    const { result, journal } = await live(h, log, {
      durationSeconds: 6,
      notices: fastNotices,
    });
    expect(result.notices).toBe(1);
    expect(result.hops).toBe(1);
    // The emulator gives a rebalance recommendation with the notice: logged, and in the observation.
    expect(log).toContainEqual(
      expect.objectContaining({ kind: "event", event: "rebalance", market: "m4.large spot" }),
    );
    expect(log).toContainEqual(
      expect.objectContaining({
        kind: "decision",
        trigger: "notice",
        action: "hop",
        market: "m4.large spot",
      }),
    );
    expect(journal.home).not.toBe(home);
    const world = await settleAndSummarize(h);
    expect(world.oursRunning).toEqual([journal.home]);
    expect(h.emulator.state.instances.get(home)!.state).toBe("terminated");
  }, 60_000);
});

describe("runLive refuses a journal it must not use, before any instance is launched", () => {
  it("an existing journal without --resume; --resume without a journal", async () => {
    h = await liveHarness({ realTime: true, spotPrices: c4DropsAt2500(Date.now()) });
    const log: LiveLogRecord[] = [];
    await expect(live(h, log, { journalPath: h.journalPath })).rejects.toThrow(
      `a journal already exists at ${h.journalPath}; continue it with --resume (it settles any open hop first)`,
    );
    const missing = h.journalPath.replace("journal.json", "missing.json");
    await expect(live(h, log, { journalPath: missing, resume: true })).rejects.toThrow(
      `--resume: no journal at ${missing}; start without --resume to create one`,
    );
    expect(
      h.emulator.state.requestLog.filter((r) => r.action === "RunInstances" && r.error !== "DryRunOperation"),
    ).toHaveLength(1);
  }, 60_000);
});

describe("runLive under faults injected into the emulator (real SDK, real time, fake container host)", () => {
  const cheaperC4 = (t0: number) => [
    spotPrice("m4.large", t0 - 60_000, 0.03),
    spotPrice("c4.large", t0 - 60_000, 0.02),
  ];

  it("the target is reclaimed while the volume attaches: fell back, hop-aborted, the market excluded, the source runs on", async () => {
    h = await liveHarness({ realTime: true, homeLifecycle: "spot", spotPrices: cheaperC4(Date.now()) });
    h.emulator.faults.interruptMatching({ tag: `${TAG_HOP}=hop-000001`, afterSeconds: 0 });
    h.emulator.faults.slow("attach", 300, h.resources.volumeId, 1);
    const log: LiveLogRecord[] = [];
    const { result, document, journal } = await live(h, log, { durationSeconds: 3 });

    expect(journal.hops.map((hop) => hop.outcome)).toEqual(["fell-back"]);
    expect(journal.home).toBe(h.source);
    expect(h.host.history).toEqual([`checkpoint ${h.source}`, `restore ${h.source}`]);
    expect(result.hops).toBe(0);
    expect(result.abortedHops).toBe(1);
    expect(log).toContainEqual(
      expect.objectContaining({ kind: "event", event: "hop-aborted", market: "c4.large spot" }),
    );
    expect(log).toContainEqual(
      expect.objectContaining({ kind: "event", event: "excluded", market: "c4.large spot" }),
    );
    const aborted = log.findIndex((r) => r.kind === "event" && r.event === "hop-aborted");
    expect(log[aborted + 1]).toMatchObject({ kind: "decision", action: "stay", market: "m4.large spot" });
    // The outage: from the checkpoint until restored on the source; the target ended by the cloud.
    expect(document.runs[0].outages).toBe(1);
    expect(document.runs[0].instances[1]).toMatchObject({
      instanceType: "c4.large",
      endedBy: "interruption",
    });
    const world = await settleAndSummarize(h);
    expect(world).toEqual({ oursRunning: [h.source], untagged: [], volumeOn: [h.source], eniOn: h.source });
  }, 60_000);

  it("the spot source is reclaimed after the checkpoint: the hop rolls forward, the source billed as an interruption", async () => {
    h = await liveHarness({ realTime: true, homeLifecycle: "spot", spotPrices: cheaperC4(Date.now()) });
    const source = h.source;
    const log: LiveLogRecord[] = [];
    const { result, document, journal } = await live(h, log, {
      durationSeconds: 3,
      hook: async (point, step) => {
        if (point !== "end" || step !== "checkpoint") return;
        h!.emulator.faults.interrupt(source, { afterSeconds: 0 });
        await new Promise((r) => setTimeout(r, 300));
      },
    });
    expect(journal.hops.map((hop) => hop.outcome)).toEqual(["done"]);
    expect(journal.home).not.toBe(source);
    expect(result.hops).toBe(1);
    expect(result.revocations).toBe(0);
    expect(document.runs[0].instances[0]).toMatchObject({
      instanceType: "m4.large",
      endedBy: "interruption",
    });
    expect(h.emulator.state.instances.get(source)!.stateReason?.code).toBe("Server.SpotInstanceTermination");
    const world = await settleAndSummarize(h);
    expect(world.oursRunning).toEqual([journal.home]);
    expect(world.volumeOn).toEqual([journal.home]);
  }, 60_000);

  it("a notice with no spot capacity anywhere: each spot market fails and is excluded, on-demand takes the container", async () => {
    h = await liveHarness({
      realTime: true,
      latencyFactor: 0.05,
      homeLifecycle: "spot",
      spotPrices: [
        spotPrice("m4.large", Date.now() - 60_000, 0.03),
        spotPrice("c4.large", Date.now() - 60_000, 0.04),
      ],
    });
    h.emulator.faults.insufficientCapacity({ lifecycle: "spot" });
    const home = h.source;
    setTimeout(() => h!.emulator.faults.interrupt(home), 1_000);
    const log: LiveLogRecord[] = [];
    const { result, journal } = await live(h, log, {
      durationSeconds: 4,
      notices: fastNotices,
    });
    // Per ECU: m4.large spot, then c4.large spot; both refused; then on-demand c4.large ($0.10 / 8 ECU).
    expect(hops(log)).toEqual(["m4.large spot", "c4.large spot", "c4.large on-demand"]);
    expect(journal.hops.map((hop) => hop.outcome)).toEqual(["rolled-back", "rolled-back", "done"]);
    expect(result.hops).toBe(1);
    expect(result.abortedHops).toBe(2);
    expect(h.emulator.state.instances.get(journal.home)!.lifecycle).toBe("on-demand");
    const world = await settleAndSummarize(h);
    expect(world.oursRunning).toEqual([journal.home]);
  }, 60_000);

  it("throttling of RunInstances and AttachVolume is retried with backoff: the hop completes", async () => {
    h = await liveHarness({ realTime: true, homeLifecycle: "spot", spotPrices: cheaperC4(Date.now()) });
    const log: LiveLogRecord[] = [];
    // Throttled once preflight (whose DryRun calls would otherwise meet the faults) has passed.
    const { result, journal } = await live(h, log, {
      durationSeconds: 3,
      log: (record) => {
        log.push(record);
        if (record.kind !== "event" || record.event !== "preflight") return;
        h!.emulator.faults.throttle({ action: "RunInstances", times: 2 });
        h!.emulator.faults.throttle({ action: "AttachVolume", times: 2 });
      },
    });
    expect(result.hops).toBe(1);
    expect(journal.hops.map((hop) => hop.outcome)).toEqual(["done"]);
    const throttled = h.emulator.state.requestLog.filter((r) => r.error === "RequestLimitExceeded");
    expect(throttled.map((r) => r.action)).toEqual([
      "RunInstances",
      "RunInstances",
      "AttachVolume",
      "AttachVolume",
    ]);
  }, 60_000);
});

describe("runLive without --memory: the container's footprint from its cgroup, at start and every poll", () => {
  const MiB = 2 ** 20;
  const GiB = 2 ** 30;
  /** c4.large spot (3.75 GiB) is the cheapest; m4.large spot (8 GiB) the cheapest that holds 8 GiB. */
  const c4Cheapest = (t0: number) => [
    spotPrice("m4.large", t0 - 60_000, 0.03),
    spotPrice("c4.large", t0 - 60_000, 0.01),
  ];
  const memoryEvents = (log: LiveLogRecord[]) =>
    log.flatMap((r) => (r.kind === "event" && r.event === "memory" ? [r.reason] : []));

  it("16 MiB in use, no limit: it needs 16 MiB × 1.5 + 0.5 GiB = 0.5234 GiB, so c4.large fits and greedy takes it (--memory 8 would not)", async () => {
    h = await liveHarness({ realTime: true, spotPrices: c4Cheapest(Date.now()) });
    h.host.memory = { currentBytes: 16 * MiB, peakBytes: null, limitBytes: null };
    const log: LiveLogRecord[] = [];
    await live(h, log, { memoryGiB: "measured", durationSeconds: 4 });
    expect(hops(log)).toEqual(["c4.large spot"]);
    expect(memoryEvents(log)).toEqual([
      "needs 0.52 GiB (peak 0.02 GiB × 1.5 + 0.5 GiB host): every type fits",
    ]);
  }, 60_000);

  it("--memory 8 overrides the measurement: c4.large is excluded, and the log says why", async () => {
    h = await liveHarness({ realTime: true, spotPrices: c4Cheapest(Date.now()) });
    h.host.memory = { currentBytes: 16 * MiB, peakBytes: null, limitBytes: null };
    const log: LiveLogRecord[] = [];
    await live(h, log, { memoryGiB: 8, durationSeconds: 4 });
    expect(hops(log)).toEqual(["m4.large spot"]);
    expect(memoryEvents(log)).toEqual([
      "needs 8.00 GiB (--memory): c4.large excluded: 3.75 GiB < 8.00 GiB needed (--memory)",
    ]);
  }, 60_000);

  it("a 4 GiB limit: 4 + 0.5 = 4.5 GiB needed, more than c4.large's 3.75, whatever is in use", async () => {
    h = await liveHarness({ realTime: true, spotPrices: c4Cheapest(Date.now()) });
    h.host.memory = { currentBytes: 16 * MiB, peakBytes: 20 * MiB, limitBytes: 4 * GiB };
    const log: LiveLogRecord[] = [];
    await live(h, log, { memoryGiB: "measured", durationSeconds: 4 });
    expect(hops(log)).toEqual(["m4.large spot"]);
    expect(memoryEvents(log)).toEqual([
      "needs 4.50 GiB (limit 4.00 GiB + 0.5 GiB host): c4.large excluded: 3.75 GiB < 4.50 GiB needed (limit 4.00 GiB + 0.5 GiB host)",
    ]);
  }, 60_000);

  it("use that grows after the hop to c4.large (peak 3 GiB: 3 × 1.5 + 0.5 = 5 GiB) moves the container to m4.large", async () => {
    h = await liveHarness({ realTime: true, spotPrices: c4Cheapest(Date.now()) });
    const host = h.host;
    host.memory = { currentBytes: 16 * MiB, peakBytes: 16 * MiB, limitBytes: null };
    const log: LiveLogRecord[] = [];
    await live(h, log, {
      memoryGiB: "measured",
      durationSeconds: 6,
      hook: async (point, step) => {
        if (point === "end" && step === "restore")
          host.memory = { currentBytes: 1 * GiB, peakBytes: 3 * GiB, limitBytes: null };
      },
    });
    expect(hops(log)).toEqual(["c4.large spot", "m4.large spot"]);
    expect(memoryEvents(log)).toEqual([
      "needs 0.52 GiB (peak 0.02 GiB × 1.5 + 0.5 GiB host): every type fits",
      "needs 5.00 GiB (peak 3.00 GiB × 1.5 + 0.5 GiB host): c4.large excluded: 3.75 GiB < 5.00 GiB needed (peak 3.00 GiB × 1.5 + 0.5 GiB host)",
    ]);
  }, 60_000);

  it("a container whose cgroup gives no memory reading needs --memory: nothing is launched", async () => {
    h = await liveHarness({ realTime: true, spotPrices: c4Cheapest(Date.now()) });
    const log: LiveLogRecord[] = [];
    await expect(live(h, log, { memoryGiB: "measured" })).rejects.toMatchObject({
      code: "HOTSPOT_LIVE_FOOTPRINT",
    });
    expect(hops(log)).toEqual([]);
    expect(h.emulator.state.instances.size).toBe(1);
  }, 60_000);
});
