import { createLivePolicy, livePolicyDefinition } from "./live-policy.js";
import type { Catalog, WorkUnit } from "../../catalog/types.js";
import type { Ec2Api } from "../../cloud/ec2-client.js";
import type { BillingModelName } from "../../engine/billing.js";
import type { EngineConfig } from "../../engine/config.js";
import { HoppingEngine, movesContainer } from "../../engine/engine.js";
import type { MigrationModelConfig } from "../../engine/migration-model.js";
import type { EngineResult, TimelineEntry } from "../../engine/result.js";
import type { Decision, Market, Observation } from "../../engine/types.js";
import { StepWorkload } from "../../engine/workload.js";
import { HotspotError, UsageError } from "../../errors.js";
import type { Policy, PolicyDefinition } from "../../engine/policy.js";
import { buildResultsDocument, type ResultsDocument } from "../../results/document.js";
import { learnedEstimate, learnedRates, measureHop } from "./hop/hop-costs.js";
import type { LiveConfig } from "../../setup/config.js";
import { nowSeconds, type Clock } from "../../util/clock.js";
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
import { LiveDriver, type LiveDriverOptions } from "./driver.js";
import { MeasuredWorkload } from "./observe/measured-workload.js";
import type { Ec2Compute, InstanceView } from "./hop/ec2-compute.js";
import { HopExecutor, type StepHook } from "./hop/hop.js";
import { Journal, lastEntry, type HopRecord, type StepName } from "./hop/journal.js";
import type { NoticePoller } from "./observe/notice-poller.js";
import type { PricePoller } from "./observe/price-poller.js";
import type { HopTimeouts, LiveResources } from "./hop/resources.js";
import { resumeOpenHops, type ResumeReport } from "./hop/resume.js";
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from "./retry.js";
import { isoSeconds } from "../../util/iso-seconds.js";
import { preflight, type PreflightReport } from "./preflight.js";
import { cpuCompatible, DEFAULT_CPU_COMPAT, type CpuCompat, type CpuOf } from "../../policies/cpu-compat.js";
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
  readonly clock: Clock;
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

type Call = <T>(f: () => Promise<T>) => Promise<T>;

/** What every phase of one run shares, fixed when it starts. */
interface RunFrame {
  readonly options: LiveRunOptions;
  readonly retry: RetryPolicy;
  readonly call: Call;
  readonly definition: PolicyDefinition;
  /** The duration counts from the first start: a takeover's wait and a fall-back's re-run use it up. */
  readonly deadline: number;
  /** The journal is read and settled first (`--resume`, or a takeover's). */
  readonly resume: boolean;
}

/** The zone's markets from the first price poll, and where the container runs among them. */
interface ZoneMarkets {
  /** When the run began (before the first poll): the engine's start. */
  readonly start: number;
  readonly poller: PricePoller;
  /** Records the first poll returned (the ledger's trace rows). */
  readonly records: number;
  readonly markets: readonly Market[];
  readonly homeMarket: number;
  readonly cpu: {
    readonly rule: CpuCompat;
    /** The home's CPU, when the catalog knows its type. */
    readonly home: CpuOf | undefined;
    /** Types the rule leaves out, sorted. */
    readonly excluded: readonly string[];
  };
}

/** The preflight at the start, and what it settled for the targets. */
interface StartCheck {
  readonly report: PreflightReport;
  readonly reference: CpuReference | undefined;
  /** The resources hops launch with: their user data carries the home's CPU reference once dumped. */
  readonly resources: LiveResources;
}

/** What the policy and the engine are told of the container's demand. */
interface WorkloadSetting {
  readonly footprint: MemoryFootprint | undefined;
  readonly memoryGiB: number;
  /** The demand level the run starts with (1 until measured). */
  readonly level: number;
  readonly measured: MeasuredWorkload | undefined;
}

/** The ledger as of `end` from the engine's own result; `marker`: the handed-off hop, or ENDED_KEY. */
type LedgerDocument = (own: EngineResult, end: number, marker?: string) => ResultsDocument;

/** A driver's news as an event line, stamped now. */
type LogEvent = (event: string, market: Market, reason: string) => void;

/**
 * `hotspot live`: the configured policy, unchanged, in the hopping engine with the live driver. The
 * journal is settled first (`resume`), or created with the container's home found as the instance its
 * volume is attached to. The run adopts the container where it runs and hops it as the policy decides.
 *
 * Phases, in order: `arrive` (self-migrating: the volume comes here), `openJournal`, `settleJournal`
 * (resume open hops; a hop handed off is watched over), `findHome`, `pollMarkets`, `checkBeforeStart`
 * (preflight and the CPU reference), the carried ledger, `measureWorkload`, `logStart`, `buildEngine`,
 * `runEngine`, then `watchOver` after a hand-off or `finish`.
 */
export async function runLive(options: LiveRunOptions): Promise<LiveRunSummary | HandOffSummary> {
  const frame = runFrame(options);
  await arrive(frame);
  const journal = await openJournal({ ...options, resume: frame.resume }, frame.call);
  const settled = await settleJournal(frame, journal);
  if (settled.handedOffTo !== null) {
    const summary = { document: null, resumed: settled.resumed, journal };
    return watchOver(options, settled.executor, settled.handedOffTo, summary, () => takeBack(frame));
  }
  const home = await findHome(frame, journal);
  const zone = await pollMarkets(frame, home);
  const checked = await checkBeforeStart(frame, journal, zone.markets);
  const carried = await carriedLedger({
    ...options,
    resume: frame.resume,
    journal,
    resumed: settled.resumed,
    markets: zone.markets,
    homeMarket: zone.homeMarket,
  });
  const workload = await measureWorkload(options);
  const logEvent = eventLogger(options);
  const memory = logStart(journal, zone, checked, workload, logEvent);
  const document = ledgerDocument(frame, journal, settled.resumed, zone, carried, checked.report.trial);
  const live = buildEngine(frame, { journal, zone, checked, carried, workload, memory, document, logEvent });
  const outcome = await runEngine(frame, live, zone.start);
  if (outcome.handOff !== null) {
    const summary = { document: outcome.handOff.document, resumed: settled.resumed, journal };
    return watchOver(options, live.executor, outcome.handOff.to, summary, () => takeBack(frame));
  }
  return finish(frame, live, outcome.result, document, { resumed: settled.resumed, journal });
}

function runFrame(options: LiveRunOptions): RunFrame {
  const retry = options.retry ?? DEFAULT_RETRY;
  return {
    options,
    retry,
    call: (f) => withRetry(f, options.clock, retry),
    definition: livePolicyDefinition(options.policy),
    deadline: nowSeconds(options.clock) + options.durationSeconds,
    resume: options.resume || options.self?.takeover === true,
  };
}

/** Self-migrating: a takeover waits for the volume and ENI; a controller where the volume is mounts it. */
async function arrive({ options, retry, call }: RunFrame): Promise<void> {
  const { self } = options;
  if (self?.takeover) await awaitTakeover(options, self.instanceId, self.takeoverTimeoutSeconds, retry);
  else if (self !== undefined) await receiveIfHere(options, self.instanceId, call);
}

/** After a take-back: resume here (which falls back) and run on, until the same deadline. */
function takeBack({ options, deadline }: RunFrame): Promise<LiveRunSummary | HandOffSummary> {
  return runLive({
    ...options,
    durationSeconds: Math.max(0, deadline - nowSeconds(options.clock)),
    resume: true,
    self: { ...options.self!, takeover: false },
  });
}

/** The hop executor over `resources`; every step's end is logged before the caller's hook sees it. */
function hopExecutor({ options, retry }: RunFrame, journal: Journal, resources: LiveResources): HopExecutor {
  const { log } = options;
  return new HopExecutor({
    compute: options.compute,
    host: options.host,
    journal,
    clock: options.clock,
    resources,
    retry,
    timeouts: options.timeouts,
    hook: async (point, step, hop) => {
      if (point === "end") log(stepRecord(step, hop));
      await options.hook?.(point, step, hop);
    },
  });
}

/** Resume: every open hop settled. `handedOffTo`: a self-migrating hop handed off, to watch over. */
async function settleJournal(
  frame: RunFrame,
  journal: Journal,
): Promise<{ executor: HopExecutor; resumed: readonly ResumeReport[]; handedOffTo: string | null }> {
  const { self } = frame.options;
  // Resumed hops launch nothing: the user data as configured.
  const executor = hopExecutor(frame, journal, frame.options.resources);
  const resumed = frame.resume ? await resumeOpenHops(executor, self?.instanceId) : [];
  const handedOff = resumed.find((r) => r.outcome === "handed-off");
  if (handedOff === undefined || self === undefined) return { executor, resumed, handedOffTo: null };
  const hop = journal.hops.find((h) => h.id === handedOff.hop)!;
  return { executor, resumed, handedOffTo: hop.targetInstanceId! };
}

/** The journal's home, which must be running: the run adopts the container there. */
async function findHome({ options, call }: RunFrame, journal: Journal): Promise<InstanceView> {
  const home = await call(() => options.compute.describeInstance(journal.home));
  if (home === null || home.state !== "running") {
    throw new HotspotError(
      "HOTSPOT_LIVE_HOME",
      `the container's home ${journal.home} (from ${journal.path}) is ${home?.state ?? "not found"}, expected running`,
    );
  }
  return home;
}

/** The first price poll, and from it the markets the CPU rule allows; the home's must be one of them. */
async function pollMarkets({ options, call }: RunFrame, home: InstanceView): Promise<ZoneMarkets> {
  const start = nowSeconds(options.clock);
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
  const markets = liveMarkets(
    options.config.zone,
    resolution,
    (type) => !Number.isNaN(poller.price(type)),
    allowed,
  );
  const homeMarket = markets.findIndex(
    (m) => m.instanceType === home.instanceType && m.lifecycle === home.lifecycle,
  );
  if (homeMarket < 0) {
    throw new HotspotError(
      "HOTSPOT_LIVE_HOME",
      `the container's home ${home.id} is a ${home.instanceType} ${home.lifecycle} server, not one of the config's markets (${markets.map((m) => `${m.instanceType} ${m.lifecycle}`).join(", ")})`,
    );
  }
  const excluded = [...resolution.types.keys()].filter((type) => !allowed(type)).sort();
  return {
    start,
    poller,
    records: firstPoll.records,
    markets,
    homeMarket,
    cpu: { rule, home: homeCpu, excluded },
  };
}

/** The preflight of `targets` from the journal's home, trying launches with `resources`. */
function preflightOf(
  { options, retry }: RunFrame,
  journal: Journal,
  resources: LiveResources,
): (start: boolean, targets: readonly Market[]) => Promise<PreflightReport> {
  return (start, targets) =>
    preflight({
      compute: options.compute,
      host: options.host,
      resources,
      stack: journal.stack,
      home: journal.home,
      targets: targets.map((m) => ({ instanceType: m.instanceType, zone: m.zone, lifecycle: m.lifecycle })),
      start,
      clock: options.clock,
      retry,
    });
}

/**
 * Before anything is launched: every market checked, and the home's CPU reference dumped for the
 * targets' user data. A takeover's controller runs where the hop just restored it and keeps the
 * reference its predecessor dumped (this CPU passed the check against it).
 */
async function checkBeforeStart(
  frame: RunFrame,
  journal: Journal,
  markets: readonly Market[],
): Promise<StartCheck> {
  const { options } = frame;
  const atStart = options.self?.takeover !== true;
  try {
    const report = await preflightOf(frame, journal, options.resources)(atStart, markets);
    const reference = atStart ? await options.host.cpuReference?.(journal.home) : undefined;
    const resources =
      reference !== undefined && options.targetUserData !== undefined
        ? { ...options.resources, userData: options.targetUserData(reference) }
        : options.resources;
    return { report, reference, resources };
  } catch (error) {
    // A fresh journal with no hop is not kept: the next start is not told to --resume it.
    if (!frame.resume && journal.hops.length === 0) await rm(journal.path, { force: true });
    throw error;
  }
}

/** `--memory` or the container's measured footprint, and `--utilisation` or its measured demand. */
async function measureWorkload(options: LiveRunOptions): Promise<WorkloadSetting> {
  const footprint = await measureFootprint(options);
  const level = options.utilisation === "measured" ? 1 : options.utilisation;
  return {
    footprint,
    memoryGiB: footprint?.need()?.gib ?? (options.memoryGiB as number),
    level,
    measured:
      options.utilisation === "measured" && options.host.usage !== undefined
        ? new MeasuredWorkload(options.demandWork, level)
        : undefined,
  };
}

function eventLogger({ log, clock }: LiveRunOptions): LogEvent {
  return (event, market, reason) =>
    log({
      kind: "event",
      time: isoSeconds(nowSeconds(clock)),
      event,
      market: `${market.instanceType} ${market.lifecycle}`,
      price: null,
      reason,
    });
}

/** The start's event lines: preflight, CPU reference and rule, and the types too small for the container. */
function logStart(
  journal: Journal,
  zone: ZoneMarkets,
  checked: StartCheck,
  workload: WorkloadSetting,
  logEvent: LogEvent,
): MemoryLog {
  const home = zone.markets[zone.homeMarket];
  logEvent("preflight", home, preflightSummary(checked.report));
  if (checked.reference !== undefined) {
    const bytes = Buffer.from(checked.reference.image, "base64").length;
    logEvent(
      "cpu-reference",
      home,
      `${checked.reference.architecture} CPU of ${journal.home} described (criu cpuinfo dump, ${bytes} B): every target is checked against it before the checkpoint`,
    );
  }
  if (zone.cpu.excluded.length > 0) {
    const cpu = `${zone.cpu.home!.architecture} ${zone.cpu.home!.cpuVendor}`;
    logEvent("cpu-compat", home, `${zone.cpu.rule} from ${cpu}: left out ${zone.cpu.excluded.join(", ")}`);
  }
  const memory = new MemoryLog(zone.markets, home, logEvent);
  memory.log(workload.footprint?.need() ?? { gib: workload.memoryGiB, basis: "--memory" });
  return memory;
}
/** The types too small for the container, logged at the start and whenever they change. */
class MemoryLog {
  private excludedBefore: string | null = null;

  constructor(
    private readonly markets: readonly Market[],
    private readonly home: Market,
    private readonly logEvent: LogEvent,
  ) {}

  log(need: MemoryNeed): void {
    const excluded = memoryExclusions(this.markets, need);
    const key = excluded.map((line) => line.slice(0, line.indexOf(" "))).join(",");
    if (key === this.excludedBefore) return;
    this.excludedBefore = key;
    const verdict = excluded.length === 0 ? "every type fits" : excluded.join("; ");
    this.logEvent("memory", this.home, `needs ${need.gib.toFixed(2)} GiB (${need.basis}): ${verdict}`);
  }
}

/**
 * The ledger's results document, chained to the one carried from before; its hop costs from this
 * container's trial checkpoint and the journal's hops (hop-costs.ts).
 */
function ledgerDocument(
  { options, definition }: RunFrame,
  journal: Journal,
  resumed: readonly ResumeReport[],
  zone: ZoneMarkets,
  carried: CarriedLedger,
  trial: PreflightReport["trial"],
): LedgerDocument {
  const { config } = options;
  const { markets } = zone;
  return (own, end, marker) => {
    const result = carried === null ? own : chainResult(carried.carry, own, carried.tailUsd);
    const built = buildResultsDocument({
      trace: {
        path: `DescribeSpotPriceHistory ${config.region} ${config.zone} (polled live)`,
        sha256: "",
        bytes: 0,
        format: "live",
        start: isoSeconds(result.start),
        end: isoSeconds(end),
        rowsKept: zone.records,
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
    const hops = journal.hops.map(measureHop);
    return { ...built, hopCosts: { hops, rates: learnedRates(trial, hops) } };
  };
}

type CarriedLedger = Awaited<ReturnType<typeof carriedLedger>>;

/** What `buildEngine` puts together. */
interface EngineParts {
  readonly journal: Journal;
  readonly zone: ZoneMarkets;
  readonly checked: StartCheck;
  readonly carried: CarriedLedger;
  readonly workload: WorkloadSetting;
  readonly memory: MemoryLog;
  readonly document: LedgerDocument;
  readonly logEvent: LogEvent;
}

/** The live driver over a hop executor launching with the checked resources, the policy, the engine. */
function buildEngine(frame: RunFrame, parts: EngineParts): LiveEngine {
  const { options, definition, deadline } = frame;
  const { journal, zone, checked, workload, logEvent } = parts;
  const { markets, start } = zone;
  const trial = checked.report.trial;
  const learned = (target: Market["lifecycle"]) =>
    learnedEstimate(options.migrationModel, trial, journal.hops.map(measureHop), target);
  const check = preflightOf(frame, journal, checked.resources);
  const executor = hopExecutor(frame, journal, checked.resources);
  const policy = createLivePolicy(definition, options.policy, {
    markets,
    billing: options.billing,
    start,
    end: deadline,
    intervalSeconds: options.intervalSeconds,
    memoryGiB: workload.memoryGiB,
    demandWork: options.demandWork,
    utilisation: workload.level,
    migration: learned,
  });
  const name = (id: number) => `${markets[id].instanceType} ${markets[id].lifecycle}`;
  return new LiveEngine({
    options,
    executor,
    document: parts.document,
    driver: {
      homeMarketId: zone.homeMarket,
      beforeAcquire: async (market) => void (await check(false, [market])),
      measured: workload.measured,
      onUsage: (market, utilisation, memoryBytes) =>
        logEvent(
          "usage",
          market,
          `cpu ${(utilisation * 100).toFixed(1)}% of ${market.vcpu} vCPU, memory ${(memoryBytes / 2 ** 20).toFixed(1)} MiB`,
        ),
      zone: options.config.zone,
      markets,
      poller: zone.poller,
      executor,
      clock: options.clock,
      historyWindowSeconds: options.historyWindowSeconds,
      memoryGiB: workload.memoryGiB,
      footprint: workload.footprint,
      onMemory: (need) => parts.memory.log(need),
      demandWork: options.demandWork,
      pricePollSeconds: options.pricePollSeconds,
      cooldownSeconds: options.cooldownSeconds,
      notices: options.notices,
      retry: frame.retry,
      onWarning: options.onWarning,
      onRebalance: (market, instanceId, at) =>
        logEvent("rebalance", market, `rebalance recommendation for ${instanceId} at ${isoSeconds(at)}`),
      onExcluded: (market, until, reason) =>
        logEvent("excluded", market, `unavailable until ${isoSeconds(until)}: ${reason}`),
      onCpuExcluded: (market, reason) =>
        logEvent("cpu-excluded", market, `left out for the rest of the run: ${reason}`),
    },
    policy: loggedPolicy(policy, name, options.log),
    name,
    config: {
      zone: options.config.zone,
      start,
      end: Infinity,
      initial: { marketId: zone.homeMarket, instanceStart: parts.carried?.carry.continuing.start ?? start },
      intervalSeconds: options.intervalSeconds,
      billing: options.billing,
      memoryGiB: workload.memoryGiB,
      demandWork: options.demandWork,
      workUnit: options.workUnit,
      workload: workload.measured ?? StepWorkload.constant(options.demandWork, workload.level),
      targetWork: null,
      migrationModel: options.migrationModel,
      migrationEstimate: learned,
    },
  });
}

/** How the engine's run ended: on its own (stop, duration), or by a self-migrating hand-off. */
interface EngineOutcome {
  readonly result: EngineResult;
  readonly handOff: { readonly to: string; readonly document: ResultsDocument } | null;
}

/**
 * The hopping engine with the live driver. Every timeline entry is logged and the ledger as of then
 * written; a self-migrating hand-off writes it once more first, while the volume is still here.
 */
class LiveEngine {
  readonly executor: HopExecutor;
  /** Ends the engine's run: the caller's stop, the duration (runEngine), or the run's own end. */
  readonly stop = new AbortController();
  private readonly driver: LiveDriver;
  private readonly engine: HoppingEngine;
  private readonly options: LiveRunOptions;
  private readonly document: LedgerDocument;
  private readonly name: (id: number) => string;
  /** The ledger writes, in order, each after the one before. */
  private writes: Promise<void> = Promise.resolve();
  private handOffDocument: ResultsDocument | null = null;

  constructor(parts: {
    readonly options: LiveRunOptions;
    readonly executor: HopExecutor;
    readonly document: LedgerDocument;
    readonly driver: Omit<LiveDriverOptions, "stop" | "beforeHandOff">;
    readonly policy: Policy;
    readonly name: (id: number) => string;
    readonly config: EngineConfig;
  }) {
    const { options } = parts;
    this.options = options;
    this.executor = parts.executor;
    this.document = parts.document;
    this.name = parts.name;
    // The duration ends the run like a signal: never in the middle of a hop, which the world cannot undo.
    if (options.stop?.aborted) this.stop.abort();
    else options.stop?.addEventListener("abort", () => this.stop.abort(), { once: true });
    this.driver = new LiveDriver({
      ...parts.driver,
      stop: this.stop.signal,
      beforeHandOff: options.self === undefined ? undefined : (hopId) => this.writeHandOff(hopId),
    });
    this.engine = new HoppingEngine(parts.config, this.driver, parts.policy, (entry) => this.onEntry(entry));
  }

  async run(): Promise<EngineOutcome> {
    const result = await this.engine.run(this.stop.signal);
    const to = this.driver.handedOffTo;
    // Handed off, the run ended at the hand-off: its ledger is the one written then, not this result.
    const handOff =
      to !== null && this.handOffDocument !== null ? { to, document: this.handOffDocument } : null;
    return { result, handOff };
  }

  /** Every ledger write asked for so far has ended. */
  written(): Promise<void> {
    return this.writes;
  }

  private onEntry(entry: TimelineEntry): void {
    this.options.log({
      kind: "event",
      time: isoSeconds(entry.time),
      event: entry.kind,
      market: this.name(entry.marketId),
      price: Number.isNaN(entry.price) ? null : entry.price,
      reason: entry.reason,
    });
    const { onLedger } = this.options;
    if (onLedger === undefined) return;
    const document = this.document(this.engine.snapshot(), entry.time);
    this.writes = this.writes.then(() => onLedger(document));
  }

  private async writeHandOff(hopId: string): Promise<void> {
    await this.writes;
    const snapshot = this.engine.snapshot();
    this.handOffDocument = this.document(snapshot, snapshot.end, hopId);
    await this.options.onLedger?.(this.handOffDocument);
  }
}

/** The engine's run until the stop, the deadline or a hand-off; the ledger up to a failure is written first. */
async function runEngine(
  { options, deadline }: RunFrame,
  live: LiveEngine,
  start: number,
): Promise<EngineOutcome> {
  try {
    if (Number.isFinite(deadline)) {
      const { stop } = live;
      void options.clock.sleep(Math.max(0, deadline - start) * 1000, stop.signal).then(() => stop.abort());
    }
    return await live.run();
  } catch (error) {
    // The ledger up to the failure (e.g. the hop that stopped the run) is written before it ends.
    await live.written();
    throw error;
  } finally {
    // Ends the duration's timer too, so a failed run does not linger until it fires.
    live.stop.abort();
  }
}

/** A clean end: the ledger written last, marked as ended. */
async function finish(
  { options }: RunFrame,
  live: LiveEngine,
  result: EngineResult,
  document: LedgerDocument,
  run: { readonly resumed: readonly ResumeReport[]; readonly journal: Journal },
): Promise<LiveRunSummary> {
  await live.written();
  const final = document(result, result.end, ENDED_KEY);
  await options.onLedger?.(final);
  return { result, document: final, ...run };
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
      // The engine's own rule, so the log says "hop" exactly where the engine begins one (or a placement).
      const hops = decision.kind === "place" && movesContainer(current, target, observation.trigger);
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
