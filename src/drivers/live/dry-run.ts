import { createLivePolicy, livePolicyDefinition } from "./live-policy.js";
import type { Catalog, WorkUnit } from "../../catalog/types.js";
import type { TypeGap } from "../../catalog/work-unit.js";
import type { Ec2Api } from "../../cloud/ec2-client.js";
import type { BillingModelName } from "../../engine/billing.js";
import type { Command } from "../../engine/driver.js";
import { HoppingEngine } from "../../engine/engine.js";
import type { Policy } from "../../engine/policy.js";
import { StepWorkload } from "../../engine/workload.js";
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
import type { NoticePoller } from "./observe/notice-poller.js";
import { ObservingDriver } from "./observe/observing-driver.js";
import { liveMarkets, zonePricePoller } from "./observe/zone-markets.js";
import type { PricePoller } from "./observe/price-poller.js";
import { nowSeconds, type Clock } from "../../util/clock.js";
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
  readonly clock: Clock;
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
 * `hotspot live --dry-run`: the hopping engine with the configured policy, unchanged, and a driver
 * that observes and never acts (observing-driver.ts): live spot prices polled before every decision,
 * the assumed server's metadata watched for interruption notices. The engine asks the policy at the
 * start, every interval and on a notice, with its own observation; each decision is reported with
 * what the run would do (the commands the engine gave). Nothing is done, so the assumed placement
 * never changes.
 */
export async function runDryRun(options: DryRunOptions): Promise<DryRunSummary> {
  const { config, clock } = options;
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
  const firstPoll = await poller.poll();
  const spotPriced = (type: string) => !Number.isNaN(poller.price(type));
  const cpu = cpuRestriction(options, liveMarkets(config.zone, resolution, spotPriced), poller);
  const allowed = (type: string) =>
    cpu.from === null || cpuCompatible(cpu.rule, cpu.from, resolution.types.get(type)!.spec);
  const markets = liveMarkets(config.zone, resolution, spotPriced, allowed);
  const noSpotPrice = [...resolution.types.keys()].filter((type) => Number.isNaN(poller.price(type))).sort();
  const placement = placementOf(options.current, markets, start);
  const { memoryGiB, demandWork, utilisation } = options.workload;
  options.onMemoryExclusions?.(memoryExclusions(markets, { gib: memoryGiB, basis: "--memory" }));
  const model = options.migrationModel ?? defaultMigrationModel;
  const policy = createLivePolicy(definition, chosen, {
    markets,
    billing: options.billing,
    start,
    end: options.until ?? Infinity,
    intervalSeconds: options.intervalSeconds,
    memoryGiB,
    demandWork,
    utilisation,
    migration: (lifecycle) => migrationEstimate(model, memoryGiB, lifecycle),
  });

  const decisions = new DecisionLog(options.onDecision);
  const until = options.until ?? Infinity;
  const driver = new ObservingDriver({
    zone: config.zone,
    markets,
    poller,
    firstPoll,
    clock,
    historyWindowSeconds: options.historyWindowSeconds,
    memoryGiB,
    demandWork,
    placement,
    metadata: options.metadata,
    until,
    onCommand: (command) => decisions.commanded(command),
    beforeAdvance: () => decisions.flush(),
  });
  const reported: Policy = {
    decide(observation) {
      const decision = policy.decide(observation);
      decisions.decided(observation, decision, driver.rebalanceAt);
      return decision;
    },
  };
  const engine = new HoppingEngine(
    {
      zone: config.zone,
      start,
      end: engineEnd(options, placement === null, start),
      ...(placement === null ? {} : { initial: placement }),
      intervalSeconds: options.intervalSeconds,
      billing: options.billing,
      memoryGiB,
      demandWork,
      workUnit: options.workUnit,
      workload: StepWorkload.constant(demandWork, utilisation),
      targetWork: null,
      migrationModel: model,
    },
    driver,
    reported,
  );
  await engine.run(driver.stop);
  decisions.flush();
  return {
    markets,
    skipped: resolution.skipped,
    noSpotPrice,
    cpu: {
      rule: cpu.rule,
      origin: cpu.from?.instanceType ?? null,
      excluded: [...resolution.types.keys()].filter((type) => !allowed(type)).sort(),
    },
    decisions: decisions.count,
    ...driver.polls,
  };
}

/**
 * Where the engine's run ends: just after the last of `rounds` decision times. Without a placement
 * also at `until` (no notice can come; with one, the driver stops the run at `until` instead, so
 * notices are watched until then).
 */
function engineEnd(options: DryRunOptions, unplaced: boolean, start: number): number {
  const rounds = options.rounds ?? Infinity;
  const afterRounds = start + (rounds - 0.5) * options.intervalSeconds;
  return unplaced ? Math.min(afterRounds, options.until ?? Infinity) : afterRounds;
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

/**
 * The report: each decision of the policy with what the run would do, known once the engine acted on
 * it (the next decision, the driver's next advance, or the end of the run).
 */
class DecisionLog {
  count = 0;
  private open: { record: DecisionRecord; hop: MigrationEstimate | null } | null = null;

  constructor(private readonly onDecision: (record: DecisionRecord) => void) {}

  decided(observation: Observation, decision: Decision, rebalanceAt: number | null): void {
    this.flush();
    const { markets, prices, current } = observation;
    const ref = (id: number): MarketRef => ({
      instanceType: markets[id].instanceType,
      lifecycle: markets[id].lifecycle,
    });
    let target = current?.marketId ?? -1;
    if (decision.kind === "place") {
      const market = markets[decision.marketId];
      if (market === undefined || Number.isNaN(prices[decision.marketId])) {
        throw new HotspotError(
          "HOTSPOT_POLICY_DECISION",
          `policy chose market ${decision.marketId} ("${decision.reason}"), which has ${market === undefined ? "no such market" : "no known price"}`,
        );
      }
      target = decision.marketId;
    }
    const iso = (time: number | null) => (time === null ? null : isoSeconds(time));
    this.open = {
      record: {
        time: isoSeconds(observation.now),
        trigger: observation.trigger,
        action: "stay",
        current: current === null ? null : ref(current.marketId),
        chosen: target < 0 ? null : ref(target),
        price: target < 0 || Number.isNaN(prices[target]) ? null : prices[target],
        reason: decision.reason,
        migration: null,
        interruptionAt: iso(observation.interruptionAt),
        rebalanceAt: iso(rebalanceAt),
      },
      hop: decision.kind === "place" && current !== null ? observation.migration(target) : null,
    };
  }

  /** The engine acts on the open decision: an acquire places the container, or hops it. */
  commanded(command: Command): void {
    if (this.open === null || command.kind !== "acquire") return;
    const { record, hop } = this.open;
    this.open = {
      record: { ...record, action: hop === null ? "place" : "hop", migration: hop },
      hop,
    };
  }

  flush(): void {
    if (this.open === null) return;
    this.onDecision(this.open.record);
    this.count++;
    this.open = null;
  }
}
