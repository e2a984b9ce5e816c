import { createLivePolicy, livePolicyDefinition } from "./live-policy.js";
import type { Catalog, WorkUnit } from "../../catalog/types.js";
import type { TypeGap } from "../../catalog/work-unit.js";
import type { Ec2Api } from "../../cloud/ec2-client.js";
import { billingModels, paidTimeLeft, type BillingModelName } from "../../engine/billing.js";
import {
  defaultMigrationModel,
  migrationEstimate,
  type MigrationModelConfig,
} from "../../engine/migration-model.js";
import type {
  Decision,
  Lifecycle,
  Market,
  MigrationEstimate,
  Observation,
  Placement,
} from "../../engine/types.js";
import { HotspotError, UsageError } from "../../errors.js";
import { livePolicy, type LiveConfig } from "../../setup/config.js";
import { SimHistory } from "../sim/history.js";
import { polledPaths, scenarioFromPaths } from "./observe/polled-scenario.js";
import type { NoticePoller, NoticeState } from "./observe/notice-poller.js";
import { liveMarkets, zonePricePoller } from "./observe/zone-markets.js";
import type { PricePoller } from "./observe/price-poller.js";
import { nowSeconds, type LiveClock } from "./clock.js";
import { isoSeconds } from "../../util/iso-seconds.js";
import {
  cpuCompatible,
  DEFAULT_CPU_COMPAT,
  originMarket,
  type CpuCompat,
} from "../../policies/cpu-compat.js";
import { memoryExclusions } from "./host/footprint.js";

/** Where the container runs now, as the dry run assumes it (it never moves it). */
export interface AssumedPlacement {
  readonly instanceType: string;
  readonly lifecycle: Lifecycle;
  /** When its instance started (billing), epoch seconds; default the dry run's start. */
  readonly since?: number;
}

export interface DryRunOptions {
  readonly config: LiveConfig;
  readonly ec2: Ec2Api;
  readonly catalog: Catalog;
  readonly workUnit: WorkUnit;
  /** The policy and parameters to ask; default the config's. */
  readonly policy?: Omit<LiveConfig["policy"], "inputs">;
  readonly workload: {
    readonly memoryGiB: number;
    readonly demandWork: number;
    /** Utilisation of the current server in [0, 1] (measured from cgroups once live hopping exists). */
    readonly utilisation: number;
  };
  readonly current: AssumedPlacement | null;
  readonly billing: BillingModelName;
  readonly intervalSeconds: number;
  readonly historyWindowSeconds: number;
  readonly migrationModel?: MigrationModelConfig;
  /** Leave out candidate types the catalog cannot price instead of failing. */
  readonly skipUnknownTypes?: boolean;
  /** Candidates restricted to CPUs the container can be restored on, as live mode does (default same-vendor). */
  readonly cpuCompat?: CpuCompat;
  readonly clock: LiveClock;
  /** Instance metadata to watch for interruption notices; none: notices are not watched. */
  readonly metadata?: NoticePoller;
  /** Interval decisions to make (the first included); absent: until `until`, or forever. */
  readonly rounds?: number;
  /** Stop at this time (epoch seconds). */
  readonly until?: number;
  readonly onDecision: (record: DecisionRecord) => void;
  /** Told once, before the first decision, which types are too small for `workload.memoryGiB` and why. */
  readonly onMemoryExclusions?: (lines: readonly string[]) => void;
}

export interface MarketRef {
  readonly instanceType: string;
  readonly lifecycle: Lifecycle;
}

/** One decision of the policy, as the dry run reports it. */
export interface DecisionRecord {
  /** ISO 8601, UTC. */
  readonly time: string;
  readonly trigger: Observation["trigger"];
  /** stay; place (no current placement); hop (to another market, or a fresh server on a notice). */
  readonly action: "stay" | "place" | "hop";
  readonly current: MarketRef | null;
  /** The market the container would run on after this decision (the current one when staying). */
  readonly chosen: MarketRef | null;
  /** USD/hour of the chosen market now, null when there is none. */
  readonly price: number | null;
  readonly reason: string;
  /** The migration model's estimate for the hop; null unless the action is a hop. */
  readonly migration: MigrationEstimate | null;
  /** A pending interruption notice of this host (ISO), or null. */
  readonly interruptionAt: string | null;
  /** A rebalance recommendation of this host (ISO), or null. */
  readonly rebalanceAt: string | null;
}

export interface DryRunSummary {
  readonly markets: readonly Market[];
  /** Candidate types left out, with why. */
  readonly skipped: readonly TypeGap[];
  readonly noSpotPrice: readonly string[];
  /** The CPU-compatibility rule, the type whose CPU it starts from, and the types it leaves out. */
  readonly cpu: {
    readonly rule: CpuCompat;
    readonly origin: string | null;
    readonly excluded: readonly string[];
  };
  readonly decisions: number;
  readonly polls: number;
  /** Price records EC2 returned, and of them the ones already known. */
  readonly records: number;
  readonly duplicates: number;
}

/**
 * `hotspot live --dry-run`: asks the configured policy, unchanged, at every interval and on an
 * interruption notice, with observations built from live spot prices as the engine builds them, and
 * reports each decision. It acts on nothing, so the assumed placement never changes.
 */
export async function runDryRun(options: DryRunOptions): Promise<DryRunSummary> {
  const { config, clock, metadata, onDecision } = options;
  const chosen = livePolicy(options.policy, config);
  const definition = livePolicyDefinition(chosen);
  if (options.cpuCompat === "none") {
    throw new UsageError(
      "--cpu-compat",
      "same-vendor, same-arch or any-x86 (none is for simulation only)",
      options.cpuCompat,
    );
  }
  const start = nowSeconds(clock);
  const { resolution, poller } = zonePricePoller({
    ...options,
    skipUnknownTypes: options.skipUnknownTypes ?? false,
    at: start,
    windowSeconds: options.historyWindowSeconds,
  });
  let polls = 0;
  let records = 0;
  let duplicates = 0;
  const poll = async () => {
    const report = await poller.poll();
    polls++;
    records += report.records;
    duplicates += report.duplicates;
  };
  await poll();
  const spotPriced = (type: string) => !Number.isNaN(poller.price(type));
  const cpu = cpuRestriction(options, liveMarkets(config.zone, resolution, spotPriced), poller);
  const allowed = (type: string) =>
    cpu.from === null || cpuCompatible(cpu.rule, cpu.from, resolution.types.get(type)!.spec);
  const markets = liveMarkets(config.zone, resolution, spotPriced, allowed);
  const noSpotPrice = [...resolution.types.keys()].filter((type) => Number.isNaN(poller.price(type))).sort();
  const placement = placementOf(options.current, markets, start);
  options.onMemoryExclusions?.(
    memoryExclusions(markets, { gib: options.workload.memoryGiB, basis: "--memory" }),
  );
  const model = options.migrationModel ?? defaultMigrationModel;
  const policy = createLivePolicy(definition, chosen, {
    markets,
    billing: options.billing,
    start,
    end: options.until ?? Infinity,
    intervalSeconds: options.intervalSeconds,
    memoryGiB: options.workload.memoryGiB,
    demandWork: options.workload.demandWork,
    utilisation: options.workload.utilisation,
    migration: (lifecycle) => migrationEstimate(model, options.workload.memoryGiB, lifecycle),
  });

  let decisions = 0;
  let notice: NoticeState = { interruptionAt: null, action: null, rebalanceAt: null };
  const decide = (trigger: Observation["trigger"]) => {
    const observation = observe(options, markets, poller, placement, notice, trigger, nowSeconds(clock));
    onDecision(describe(observation, policy.decide(observation), notice.rebalanceAt));
    decisions++;
  };
  /** True when a new interruption notice arrived. */
  const checkNotice = async (): Promise<boolean> => {
    if (metadata === undefined) return false;
    const seen = await metadata.check();
    const fresh = seen.interruptionAt !== null && seen.interruptionAt !== notice.interruptionAt;
    notice = seen;
    return fresh;
  };

  const rounds = options.rounds ?? Infinity;
  const until = options.until ?? Infinity;
  const noticed = await checkNotice();
  decide(noticed ? "notice" : placement === null ? "start" : "interval");
  let round = 1;
  let next = start + options.intervalSeconds;
  while (round < rounds && nowSeconds(clock) < until) {
    const wake = Math.min(next, until);
    const step =
      metadata === undefined
        ? wake - nowSeconds(clock)
        : Math.min(metadata.intervalSeconds, wake - nowSeconds(clock));
    if (step > 0) await clock.sleep(step * 1000);
    if (await checkNotice()) {
      await poll();
      decide("notice");
    }
    const now = nowSeconds(clock);
    if (now >= until) break;
    if (now >= next) {
      await poll();
      decide("interval");
      round++;
      while (next <= now) next += options.intervalSeconds;
    }
  }
  return {
    markets,
    skipped: resolution.skipped,
    noSpotPrice,
    cpu: {
      rule: cpu.rule,
      origin: cpu.from?.instanceType ?? null,
      excluded: [...resolution.types.keys()].filter((type) => !allowed(type)).sort(),
    },
    decisions,
    polls,
    records,
    duplicates,
  };
}

/**
 * The rule and the CPU it starts from: the assumed placement's type, else (as the simulator does) the
 * market a container would start on, the cheapest per work at the start that fits its memory.
 */
function cpuRestriction(
  options: DryRunOptions,
  all: readonly Market[],
  poller: PricePoller,
): { readonly rule: CpuCompat; readonly from: Market | null } {
  const rule = options.cpuCompat ?? DEFAULT_CPU_COMPAT;
  const { current, workload } = options;
  if (current !== null)
    return { rule, from: all.find((m) => m.instanceType === current.instanceType) ?? null };
  const priceAt = (id: number) =>
    all[id].lifecycle === "spot" ? poller.price(all[id].instanceType) : all[id].onDemandUsd;
  const origin = originMarket(rule, all, priceAt, workload.memoryGiB, workload.demandWork);
  return { rule, from: origin < 0 ? null : all[origin] };
}

function placementOf(current: AssumedPlacement | null, markets: readonly Market[], start: number) {
  if (current === null) return null;
  const market = markets.find(
    (m) => m.instanceType === current.instanceType && m.lifecycle === current.lifecycle,
  );
  if (market === undefined) {
    const valid = markets.map((m) => `${m.instanceType} ${m.lifecycle}`).join(", ");
    throw new UsageError(
      "--current-type/--current-lifecycle",
      `a market of the zone with a known price (${valid || "none"})`,
      JSON.stringify(`${current.instanceType} ${current.lifecycle}`),
    );
  }
  return { marketId: market.id, instanceStart: current.since ?? start } satisfies Placement;
}

/** The observation the engine would build at `now` (see HoppingEngine.observe). */
function observe(
  options: DryRunOptions,
  markets: readonly Market[],
  poller: PricePoller,
  current: Placement | null,
  notice: NoticeState,
  trigger: Observation["trigger"],
  now: number,
): Observation {
  const { memoryGiB, demandWork, utilisation } = options.workload;
  const prices = Float64Array.from(markets, (m) =>
    m.lifecycle === "spot" ? poller.price(m.instanceType) : m.onDemandUsd,
  );
  const history = new SimHistory(
    scenarioFromPaths(options.config.zone, markets, polledPaths(markets, poller)),
    options.historyWindowSeconds,
    memoryGiB,
    demandWork,
  );
  history.setNow(now);
  const model = options.migrationModel ?? defaultMigrationModel;
  return {
    now,
    trigger,
    zone: options.config.zone,
    workUnit: options.workUnit,
    markets,
    prices,
    excluded: new Set(),
    current,
    workload: { memoryGiB, demandWork, utilisation },
    billing: {
      model: options.billing,
      intervalSeconds: billingModels[options.billing].intervalSeconds,
      paidTimeLeft: current === null ? 0 : paidTimeLeft(options.billing, current.instanceStart, now),
    },
    interruptionAt: notice.interruptionAt,
    // As the live driver: a recommendation for this host marks its market.
    rebalance:
      current === null || notice.rebalanceAt === null
        ? new Map()
        : new Map([[current.marketId, notice.rebalanceAt]]),
    history,
    migration: (to) => migrationEstimate(model, memoryGiB, markets[to].lifecycle),
  };
}

function describe(observation: Observation, decision: Decision, rebalanceAt: number | null): DecisionRecord {
  const { markets, prices, current, trigger } = observation;
  const ref = (id: number): MarketRef => ({
    instanceType: markets[id].instanceType,
    lifecycle: markets[id].lifecycle,
  });
  const currentRef = current === null ? null : ref(current.marketId);
  let action: DecisionRecord["action"] = "stay";
  let target = current?.marketId ?? -1;
  if (decision.kind === "place") {
    const market = markets[decision.marketId];
    if (market === undefined || Number.isNaN(prices[decision.marketId])) {
      throw new HotspotError(
        "HOTSPOT_POLICY_DECISION",
        `policy chose market ${decision.marketId} ("${decision.reason}"), which has ${market === undefined ? "no such market" : "no known price"}`,
      );
    }
    // As the engine: the same market is a stay, except on a notice (the noticed server is lost anyway).
    if (current === null) action = "place";
    else if (decision.marketId !== current.marketId || trigger === "notice") action = "hop";
    target = decision.marketId;
  }
  const iso = (time: number | null) => (time === null ? null : isoSeconds(time));
  return {
    time: isoSeconds(observation.now),
    trigger,
    action,
    current: currentRef,
    chosen: target < 0 ? null : ref(target),
    price: target < 0 || Number.isNaN(prices[target]) ? null : prices[target],
    reason: decision.reason,
    migration: action === "hop" ? observation.migration(target) : null,
    interruptionAt: iso(observation.interruptionAt),
    rebalanceAt: iso(rebalanceAt),
  };
}
