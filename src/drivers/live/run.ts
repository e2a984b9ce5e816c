import { createLivePolicy, livePolicyDefinition } from "./live-policy.js";
import type { Catalog, WorkUnit } from "../../catalog/types.js";
import type { Ec2Api } from "../../cloud/ec2-client.js";
import type { BillingModelName } from "../../engine/billing.js";
import type { EngineConfig } from "../../engine/config.js";
import { HoppingEngine } from "../../engine/engine.js";
import type { MigrationModelConfig } from "../../engine/migration-model.js";
import type { EngineResult, TimelineEntry } from "../../engine/result.js";
import type { Decision, Market, Observation } from "../../engine/types.js";
import { StepWorkload } from "../../engine/workload.js";
import { HotspotError, UsageError } from "../../errors.js";
import type { Policy } from "../../engine/policy.js";
import { buildResultsDocument, type HopCostsDocument, type ResultsDocument } from "../../results/document.js";
import { learnedEstimate, learnedRates, measureHop } from "./hop/hop-costs.js";
import type { LiveConfig } from "../../setup/config.js";
import { nowSeconds, type LiveClock } from "./clock.js";
import {
  carriedLedger,
  chainResult,
  ENDED_KEY,
  HANDED_OFF_KEY,
  type EarlierLedger,
} from "./ledger/ledger-chain.js";
import { awaitTakeover, receiveIfHere, watchOver } from "./self-migrating.js";
import { fileExists } from "../../util/file-exists.js";
import type { ContainerHost, CpuReference } from "./host/container-host.js";
import { liveMarkets, zonePricePoller } from "./observe/zone-markets.js";
import { LiveDriver } from "./driver.js";
import { MeasuredWorkload } from "./observe/measured-workload.js";
import type { Ec2Compute } from "./hop/ec2-compute.js";
import { HopExecutor, type StepHook } from "./hop/hop.js";
import { Journal, lastEntry, type HopRecord, type StepName } from "./hop/journal.js";
import type { NoticePoller } from "./observe/notice-poller.js";
import type { HopTimeouts, LiveResources } from "./hop/resources.js";
import { resumeOpenHops, type ResumeReport } from "./hop/resume.js";
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from "./retry.js";
import { isoSeconds } from "../../util/iso-seconds.js";
import { preflight, type PreflightReport } from "./preflight.js";
import { cpuCompatible, DEFAULT_CPU_COMPAT, type CpuCompat } from "../../policies/cpu-compat.js";
import { rm } from "node:fs/promises";
import { MemoryFootprint, memoryExclusions, type MemoryNeed } from "./host/footprint.js";

/** One line of the live log: a decision, a step of a hop, or something the run did. */
export type LiveLogRecord =
  | {
      readonly kind: "decision";
      readonly time: string;
      readonly trigger: Observation["trigger"];
      readonly action: "stay" | "hop";
      readonly market: string;
      readonly price: number | null;
      readonly reason: string;
    }
  | {
      readonly kind: "step";
      readonly time: string;
      readonly hop: string;
      readonly step: StepName;
      readonly market: string;
      readonly durationSeconds: number;
      readonly note: string | null;
    }
  | {
      readonly kind: "event";
      readonly time: string;
      readonly event: string;
      readonly market: string;
      readonly price: number | null;
      readonly reason: string;
    };

export interface LiveRunOptions {
  readonly config: LiveConfig;
  /** Prices (DescribeSpotPriceHistory). */
  readonly ec2: Ec2Api;
  /** Instances, the volume and the ENI. */
  readonly compute: Ec2Compute;
  readonly host: ContainerHost;
  readonly resources: LiveResources;
  readonly catalog: Catalog;
  readonly workUnit: WorkUnit;
  readonly skipUnknownTypes: boolean;
  readonly policy: LiveConfig["policy"];
  readonly intervalSeconds: number;
  readonly billing: BillingModelName;
  /**
   * GiB a market must hold (`--memory`), or "measured": from the container's cgroup at start and at
   * every price poll (footprint.ts: its limit, else its peak × `memoryHeadroom`, plus the host's own).
   */
  readonly memoryGiB: number | "measured";
  /** Peak use × this when measured (default DEFAULT_MEMORY_HEADROOM). */
  readonly memoryHeadroom?: number;
  readonly demandWork: number;
  /** Candidates restricted to CPUs the container, running on its home's, can be restored on (default same-vendor). */
  readonly cpuCompat?: CpuCompat;
  /**
   * Utilisation in [0, 1] of the current server; "measured": from the container's cgroup at every
   * price poll (1 until the first measurement, and throughout when the host cannot measure).
   */
  readonly utilisation: number | "measured";
  readonly historyWindowSeconds: number;
  readonly migrationModel: MigrationModelConfig;
  readonly pricePollSeconds: number;
  readonly cooldownSeconds: number;
  /** The journal: created for a new run, read and settled first with `resume`. */
  readonly journalPath: string;
  readonly resume: boolean;
  /** Seconds to run; Infinity: until `stop`. */
  readonly durationSeconds: number;
  readonly clock: LiveClock;
  readonly notices?: (instanceId: string) => NoticePoller;
  readonly stop?: AbortSignal;
  readonly retry?: RetryPolicy;
  readonly timeouts?: Partial<HopTimeouts>;
  /**
   * Self-migrating: this controller runs on `instanceId` (journal and ledger on the volume). It hands
   * a hop off after the checkpoint and watches until its instance ends (or the target is lost: then
   * it takes the container back). `takeover`: started on a target by its user data, it waits for the
   * volume and ENI (claiming them once free), then resumes the hop from the journal and runs on.
   */
  readonly self?: {
    readonly instanceId: string;
    readonly takeover: boolean;
    readonly takeoverTimeoutSeconds: number;
  };
  /** Called around every step (fault injection in tests). */
  readonly hook?: StepHook;
  readonly log: (record: LiveLogRecord) => void;
  /** Called with the ledger after every placement event and at the end. */
  readonly onLedger?: (document: ResultsDocument) => Promise<void>;
  /**
   * The ledger the controller on `instanceId` wrote last (self-migrating: at its hand-off), or with
   * null this controller's own; null when there is none. A run that settles that hand-off, or that
   * resumes a run which ended cleanly, carries it on: one ledger for the container's whole life.
   */
  readonly previousLedger?: (instanceId: string | null) => Promise<EarlierLedger | null>;
  readonly onWarning?: (text: string) => void;
  /**
   * Where a target's CPU check needs the home's CPU reference with it (EC2: the target checks it at
   * its boot): the targets' user data carrying it, used once the reference was dumped at the start.
   */
  readonly targetUserData?: (reference: CpuReference) => string;
}

export interface LiveRunSummary {
  readonly result: EngineResult;
  readonly document: ResultsDocument;
  readonly resumed: readonly ResumeReport[];
  readonly journal: Journal;
}

/** A self-migrating run that handed the container off; its ledger up to then, when it ran the engine. */
export interface HandOffSummary {
  readonly handedOffTo: string;
  readonly document: ResultsDocument | null;
  readonly resumed: readonly ResumeReport[];
  readonly journal: Journal;
}

/**
 * `hotspot live`: the configured policy, unchanged, in the hopping engine with the live driver. The
 * journal is settled first (`resume`), or created with the container's home found as the instance its
 * volume is attached to. The run adopts the container where it runs and hops it as the policy decides.
 */
export async function runLive(options: LiveRunOptions): Promise<LiveRunSummary | HandOffSummary> {
  const { config, compute, clock, log } = options;
  const retry = options.retry ?? DEFAULT_RETRY;
  const call = <T>(f: () => Promise<T>) => withRetry(f, clock, retry);
  const definition = livePolicyDefinition(options.policy);

  const { self } = options;
  // The duration counts from the first start: a takeover's wait and a fall-back's re-run use it up.
  const deadline = nowSeconds(clock) + options.durationSeconds;
  if (self?.takeover) await awaitTakeover(options, self.instanceId, self.takeoverTimeoutSeconds, retry);
  else if (self !== undefined) await receiveIfHere(options, self.instanceId, call);
  /** After a take-back: resume here (which falls back) and run on, until the same deadline. */
  const takeBack = () =>
    runLive({
      ...options,
      durationSeconds: Math.max(0, deadline - nowSeconds(clock)),
      resume: true,
      self: { ...self!, takeover: false },
    });
  const resume = options.resume || self?.takeover === true;
  const journal = await openJournal({ ...options, resume }, call);
  let userData = options.resources.userData;
  // Read at each launch: the start's CPU reference may change what the targets' user data carries.
  const resources: LiveResources = {
    ...options.resources,
    get userData() {
      return userData;
    },
  };
  const executor = new HopExecutor({
    compute,
    host: options.host,
    journal,
    clock,
    resources,
    retry,
    timeouts: options.timeouts,
    hook: async (point, step, hop) => {
      if (point === "end") log(stepRecord(step, hop));
      await options.hook?.(point, step, hop);
    },
  });
  const resumed = resume ? await resumeOpenHops(executor, self?.instanceId) : [];
  const handedOff = resumed.find((r) => r.outcome === "handed-off");
  if (handedOff !== undefined && self !== undefined) {
    const hop = journal.hops.find((h) => h.id === handedOff.hop)!;
    return watchOver(
      options,
      executor,
      hop.targetInstanceId!,
      { document: null, resumed, journal },
      takeBack,
    );
  }
  const home = await call(() => compute.describeInstance(journal.home));
  if (home === null || home.state !== "running") {
    throw new HotspotError(
      "HOTSPOT_LIVE_HOME",
      `the container's home ${journal.home} (from ${journal.path}) is ${home?.state ?? "not found"}, expected running`,
    );
  }

  const start = nowSeconds(clock);
  // The duration ends the run like a signal: never in the middle of a hop, which the world cannot undo.
  const stopper = new AbortController();
  options.stop?.addEventListener("abort", () => stopper.abort(), { once: true });
  const { resolution, poller } = zonePricePoller({
    ...options,
    at: start,
    windowSeconds: options.historyWindowSeconds,
  });
  const firstPoll = await call(() => poller.poll());
  const rule = options.cpuCompat ?? DEFAULT_CPU_COMPAT;
  if (rule === "none") {
    throw new UsageError(
      "--cpu-compat",
      "same-vendor, same-arch or any-x86 (none is for simulation only)",
      rule,
    );
  }
  const homeCpu = resolution.types.get(home.instanceType)?.spec;
  const allowed = (type: string) =>
    homeCpu === undefined || cpuCompatible(rule, homeCpu, resolution.types.get(type)!.spec);
  const markets = liveMarkets(config.zone, resolution, (type) => !Number.isNaN(poller.price(type)), allowed);
  const cpuExcluded = [...resolution.types.keys()].filter((type) => !allowed(type)).sort();
  const homeMarket = markets.findIndex(
    (m) => m.instanceType === home.instanceType && m.lifecycle === home.lifecycle,
  );
  if (homeMarket < 0) {
    throw new HotspotError(
      "HOTSPOT_LIVE_HOME",
      `the container's home ${home.id} is a ${home.instanceType} ${home.lifecycle} server, not one of the config's markets (${markets.map((m) => `${m.instanceType} ${m.lifecycle}`).join(", ")})`,
    );
  }
  const name = (id: number) => `${markets[id].instanceType} ${markets[id].lifecycle}`;
  const check = (start: boolean, targets: readonly Market[]) =>
    preflight({
      compute,
      host: options.host,
      resources,
      stack: journal.stack,
      home: journal.home,
      targets: targets.map((m) => ({ instanceType: m.instanceType, zone: m.zone, lifecycle: m.lifecycle })),
      start,
      clock,
      retry,
    });
  const atStart = self?.takeover !== true;
  // Before anything is launched; a takeover's controller runs where the hop just restored it and
  // keeps the reference its predecessor dumped (this CPU passed the check against it).
  const checked = await (async () => {
    const report = await check(atStart, markets);
    const reference = atStart ? await options.host.cpuReference?.(journal.home) : undefined;
    if (reference !== undefined && options.targetUserData !== undefined)
      userData = options.targetUserData(reference);
    return { report, reference };
  })().catch(async (error: unknown) => {
    // A fresh journal with no hop is not kept: the next start is not told to --resume it.
    if (!resume && journal.hops.length === 0) await rm(journal.path, { force: true });
    throw error;
  });
  const carried = await carriedLedger({ ...options, resume, journal, resumed, markets, homeMarket });
  /** A driver's news as an event line, stamped now. */
  const logEvent = (event: string, market: Market, reason: string) =>
    log({
      kind: "event",
      time: isoSeconds(nowSeconds(clock)),
      event,
      market: `${market.instanceType} ${market.lifecycle}`,
      price: null,
      reason,
    });
  // Hop costs from this container's trial checkpoint and the journal's hops (hop-costs.ts), not the paper's.
  const trial = checked.report.trial;
  const learned = (target: Market["lifecycle"]) =>
    learnedEstimate(options.migrationModel, trial, journal.hops.map(measureHop), target);
  const hopCosts = (): HopCostsDocument => {
    const hops = journal.hops.map(measureHop);
    return { hops, rates: learnedRates(trial, hops) };
  };
  const footprint = await measureFootprint(options);
  const memoryGiB = footprint?.need()?.gib ?? (options.memoryGiB as number);
  const level = options.utilisation === "measured" ? 1 : options.utilisation;
  const measured =
    options.utilisation === "measured" && options.host.usage !== undefined
      ? new MeasuredWorkload(options.demandWork, level)
      : undefined;
  logEvent("preflight", markets[homeMarket], preflightSummary(checked.report));
  if (checked.reference !== undefined) {
    const bytes = Buffer.from(checked.reference.image, "base64").length;
    logEvent(
      "cpu-reference",
      markets[homeMarket],
      `${checked.reference.architecture} CPU of ${journal.home} described (criu cpuinfo dump, ${bytes} B): every target is checked against it before the checkpoint`,
    );
  }
  if (cpuExcluded.length > 0) {
    const cpu = `${homeCpu!.architecture} ${homeCpu!.cpuVendor}`;
    logEvent("cpu-compat", markets[homeMarket], `${rule} from ${cpu}: left out ${cpuExcluded.join(", ")}`);
  }
  let excludedBefore: string | null = null;
  /** The types too small for the container, logged at start and whenever they change. */
  const logMemory = (need: MemoryNeed) => {
    const excluded = memoryExclusions(markets, need);
    const key = excluded.map((line) => line.slice(0, line.indexOf(" "))).join(",");
    if (key === excludedBefore) return;
    excludedBefore = key;
    const verdict = excluded.length === 0 ? "every type fits" : excluded.join("; ");
    logEvent("memory", markets[homeMarket], `needs ${need.gib.toFixed(2)} GiB (${need.basis}): ${verdict}`);
  };
  logMemory(footprint?.need() ?? { gib: memoryGiB, basis: "--memory" });
  let beforeHandOff: (hopId: string) => Promise<void> = async () => undefined;
  const driver = new LiveDriver({
    beforeHandOff: self === undefined ? undefined : (hopId) => beforeHandOff(hopId),
    homeMarketId: homeMarket,
    beforeAcquire: async (market) => void (await check(false, [market])),
    measured,
    onUsage: (market, utilisation, memoryBytes) =>
      logEvent(
        "usage",
        market,
        `cpu ${(utilisation * 100).toFixed(1)}% of ${market.vcpu} vCPU, memory ${(memoryBytes / 2 ** 20).toFixed(1)} MiB`,
      ),
    zone: config.zone,
    markets,
    poller,
    executor,
    clock,
    historyWindowSeconds: options.historyWindowSeconds,
    memoryGiB,
    footprint,
    onMemory: logMemory,
    demandWork: options.demandWork,
    pricePollSeconds: options.pricePollSeconds,
    cooldownSeconds: options.cooldownSeconds,
    notices: options.notices,
    stop: stopper.signal,
    retry,
    onWarning: options.onWarning,
    onRebalance: (market, instanceId, at) =>
      logEvent("rebalance", market, `rebalance recommendation for ${instanceId} at ${isoSeconds(at)}`),
    onExcluded: (market, until, reason) =>
      logEvent("excluded", market, `unavailable until ${isoSeconds(until)}: ${reason}`),
    onCpuExcluded: (market, reason) =>
      logEvent("cpu-excluded", market, `left out for the rest of the run: ${reason}`),
  });
  const policy = createLivePolicy(definition, options.policy, {
    markets,
    billing: options.billing,
    start,
    end: deadline,
    intervalSeconds: options.intervalSeconds,
    memoryGiB,
    demandWork: options.demandWork,
    utilisation: level,
    migration: learned,
  });
  const engineConfig: EngineConfig = {
    zone: config.zone,
    start,
    end: Infinity,
    initial: { marketId: homeMarket, instanceStart: carried?.carry.continuing.start ?? start },
    intervalSeconds: options.intervalSeconds,
    billing: options.billing,
    memoryGiB,
    demandWork: options.demandWork,
    workUnit: options.workUnit,
    workload: measured ?? StepWorkload.constant(options.demandWork, level),
    targetWork: null,
    migrationModel: options.migrationModel,
    migrationEstimate: learned,
  };

  let ledgerWrites: Promise<void> = Promise.resolve();
  /** `marker`: the hop handed off (self-migrating), or ENDED_KEY for the ledger of a clean end. */
  const document = (own: EngineResult, end: number, marker?: string) => {
    const result = carried === null ? own : chainResult(carried.carry, own, carried.tailUsd);
    const built = buildResultsDocument({
      trace: {
        path: `DescribeSpotPriceHistory ${config.region} ${config.zone} (polled live)`,
        sha256: "",
        bytes: 0,
        format: "live",
        start: isoSeconds(result.start),
        end: isoSeconds(end),
        rowsKept: firstPoll.records,
        series: markets.filter((m) => m.lifecycle === "spot").length,
      },
      seed: 0,
      workUnit: options.workUnit,
      configuration: {
        mode: "live",
        journal: journal.path,
        stack: journal.stack,
        interval: options.intervalSeconds,
        billing: options.billing,
        memoryGiB: options.memoryGiB,
        demandWork: options.demandWork,
        utilisation: options.utilisation,
        historyWindow: options.historyWindowSeconds,
        pricePollSeconds: options.pricePollSeconds,
        cooldownSeconds: options.cooldownSeconds,
        resumedHops: resumed.map((r) => `${r.hop} ${r.outcome}`),
        ...(carried === null ? {} : { carriedFrom: carried.from }),
        ...(marker === undefined
          ? {}
          : marker === ENDED_KEY
            ? { [ENDED_KEY]: true }
            : { [HANDED_OFF_KEY]: marker }),
      },
      runs: [
        {
          policy: definition.name,
          params: options.policy.params,
          zone: config.zone,
          markets,
          result,
          eventsReplayed: 0,
          advisorMissingTypes: [],
        },
      ],
    });
    return { ...built, hopCosts: hopCosts() };
  };
  let engine: HoppingEngine | undefined = undefined;
  const observer = (entry: TimelineEntry) => {
    log({
      kind: "event",
      time: isoSeconds(entry.time),
      event: entry.kind,
      market: name(entry.marketId),
      price: Number.isNaN(entry.price) ? null : entry.price,
      reason: entry.reason,
    });
    const snapshot = engine?.snapshot();
    if (snapshot !== undefined && options.onLedger !== undefined) {
      ledgerWrites = ledgerWrites.then(() => options.onLedger!(document(snapshot, entry.time)));
    }
  };
  const handOff: { ledger: { result: EngineResult; document: ResultsDocument } | null } = { ledger: null };
  beforeHandOff = async (hopId) => {
    await ledgerWrites;
    const snapshot = engine!.snapshot();
    handOff.ledger = { result: snapshot, document: document(snapshot, snapshot.end, hopId) };
    await options.onLedger?.(handOff.ledger.document);
  };
  engine = new HoppingEngine(engineConfig, driver, loggedPolicy(policy, name, log), observer);
  let result: EngineResult;
  try {
    if (Number.isFinite(deadline)) {
      void clock.sleep(Math.max(0, deadline - start) * 1000, stopper.signal).then(() => stopper.abort());
    }
    result = await engine.run(stopper.signal);
  } catch (error) {
    // The ledger up to the failure (e.g. the hop that stopped the run) is written before it ends.
    await ledgerWrites;
    throw error;
  } finally {
    // Ends the duration's timer too, so a failed run does not linger until it fires.
    stopper.abort();
  }
  // Handed off, the run ended at the hand-off: its ledger is the one written then, not this result.
  if (driver.handedOffTo !== null && handOff.ledger !== null) {
    return watchOver(
      options,
      executor,
      driver.handedOffTo,
      { document: handOff.ledger.document, resumed, journal },
      takeBack,
    );
  }
  await ledgerWrites;
  const final = document(result, result.end, ENDED_KEY);
  await options.onLedger?.(final);
  return { result, document: final, resumed, journal };
}

/** Resume: the journal as a crash left it. New: a fresh journal, the home found from the volume. */
async function openJournal(
  options: LiveRunOptions,
  call: <T>(f: () => Promise<T>) => Promise<T>,
): Promise<Journal> {
  const { journalPath, config } = options;
  const exists = await fileExists(journalPath);
  if (options.resume) {
    if (!exists) {
      throw new HotspotError(
        "HOTSPOT_LIVE_NO_JOURNAL",
        `--resume: no journal at ${journalPath}; start without --resume to create one`,
      );
    }
    const journal = await Journal.open(journalPath);
    if (journal.stack !== config.name) {
      throw new HotspotError(
        "HOTSPOT_LIVE_JOURNAL",
        `${journalPath} belongs to setup "${journal.stack}", the config to "${config.name}"`,
      );
    }
    return journal;
  }
  if (exists) {
    throw new HotspotError(
      "HOTSPOT_LIVE_JOURNAL_EXISTS",
      `a journal already exists at ${journalPath}; continue it with --resume (it settles any open hop first)`,
    );
  }
  const volume = await call(() => options.compute.describeVolume(config.volumeId));
  if (volume.attachment === null || volume.attachment.state !== "attached") {
    throw new HotspotError(
      "HOTSPOT_LIVE_HOME",
      `volume ${config.volumeId} is ${volume.attachment?.state ?? "not attached"}; the container's home is the instance its volume is attached to`,
    );
  }
  return Journal.create(journalPath, config.name, volume.attachment.instanceId);
}

/** With `--memory` absent ("measured"): the footprint after a first reading of the container's cgroup. */
async function measureFootprint(options: LiveRunOptions): Promise<MemoryFootprint | undefined> {
  if (options.memoryGiB !== "measured") return undefined;
  const { host } = options;
  if (host.usage === undefined) {
    throw new UsageError(
      "--memory",
      "GiB, as this container host cannot read the container's cgroup",
      "none",
    );
  }
  const usage = await host.usage();
  if (usage === null) {
    throw new HotspotError(
      "HOTSPOT_LIVE_FOOTPRINT",
      "the container's memory cannot be measured: it is not running here (or its cgroup has no memory accounting); give --memory GiB",
    );
  }
  const footprint = new MemoryFootprint(options.memoryHeadroom);
  footprint.observe(usage.memory);
  return footprint;
}

/** One line for the log: how many checks passed, and the trial checkpoint's measurements. */
function preflightSummary(report: PreflightReport): string {
  const trial = report.trial;
  const measured =
    trial === null
      ? ""
      : `; trial checkpoint ${trial.seconds.toFixed(2)} s, image ${(trial.imageBytes / 2 ** 20).toFixed(1)} MiB`;
  return `${report.checks.length} checks passed${measured}`;
}

function stepRecord(step: StepName, hop: HopRecord): LiveLogRecord {
  const end = hop.entries[hop.entries.length - 1];
  const begin = lastEntry(hop, step, "begin");
  return {
    kind: "step",
    time: new Date(end.at).toISOString(),
    hop: hop.id,
    step,
    market: `${hop.target.instanceType} ${hop.target.lifecycle}`,
    durationSeconds: begin === undefined ? 0 : (end.at - begin.at) / 1000,
    note: end.note ?? null,
  };
}

/** The policy, unchanged, with one log line per decision. */
function loggedPolicy(
  policy: Policy,
  name: (id: number) => string,
  log: (record: LiveLogRecord) => void,
): Policy {
  return {
    decide(observation: Observation): Decision {
      const decision = policy.decide(observation);
      const current = observation.current?.marketId ?? -1;
      const target = decision.kind === "place" ? decision.marketId : current;
      const hops = decision.kind === "place" && (target !== current || observation.trigger === "notice");
      log({
        kind: "decision",
        time: isoSeconds(observation.now),
        trigger: observation.trigger,
        action: hops ? "hop" : "stay",
        market: target < 0 ? "none" : name(target),
        price: target < 0 || Number.isNaN(observation.prices[target]) ? null : observation.prices[target],
        reason: decision.reason,
      });
      return decision;
    },
  };
}
