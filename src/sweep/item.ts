import { createCatalog } from "../catalog/catalog.js";
import type { Catalog } from "../catalog/types.js";
import { resolveTypes } from "../catalog/work-unit.js";
import type { WorkUnit } from "../catalog/types.js";
import { resolveInterruptionModel, type InterruptionConfig } from "../drivers/sim/interruptions.js";
import type { SimConfig } from "../drivers/sim/run.js";
import { DEFAULT_CPU_COMPAT } from "../policies/cpu-compat.js";
import { runStudy } from "../drivers/sim/study.js";
import { ScenarioCache } from "../drivers/sim/markets.js";
import { defaultMigrationModel } from "../engine/migration-model.js";
import { StepWorkload } from "../engine/workload.js";
import { policyByName } from "../policies/index.js";
import { inputsFromJson } from "../policies/inputs.js";
import type { PolicyInputs } from "../engine/policy.js";
import { InputFormatError } from "../errors.js";
import type { Trace } from "../traces/types.js";
import { itemCoordinates, type SweepConfig } from "./config.js";
import { expandGrid, type GridPoint, type SweepSettings } from "./settings.js";
import { isoSeconds } from "../util/iso-seconds.js";
import { itemDigest } from "./item-digest.js";

/**
 * One policy's outcome on one item: counts, costs and work are totals over the item's zones (one
 * container per zone for the window); `percentOfOnDemand`, `usdPerEcuHour` and `gapToOptimal` are the
 * results document's all-zones rates (means over zones); the `…PerZoneDay` rates divide by zones × days.
 */
export interface PolicyOutcome {
  readonly policy: string;
  /** Zones aggregated (zones where nothing fits the container are left out). */
  readonly zones: number;
  readonly costUsd: number;
  readonly onDemandCostUsd: number | null;
  readonly percentOfOnDemand: number | null;
  readonly workEcuHours: number;
  readonly usdPerEcuHour: number | null;
  readonly migrations: number;
  /** Completed hops per zone per day of the window. */
  readonly migrationsPerZoneDay: number | null;
  readonly revocations: number;
  readonly restarts: number;
  readonly downtimeSeconds: number;
  /** Seconds the container was down per zone per day of the window. */
  readonly downtimeSecondsPerZoneDay: number | null;
  readonly lostWorkEcuHours: number;
  readonly gapToOptimal: number | null;
}

/** The outcome of one work item: one grid point on one window, every policy. */
export interface ItemResult {
  readonly index: number;
  readonly point: number;
  readonly window: number;
  readonly start: string;
  readonly end: string;
  readonly seed: number;
  /** Zones where nothing could host the container in this window, left out of the outcomes. */
  readonly excludedZones: readonly string[];
  readonly outcomes: readonly PolicyOutcome[];
  /** `itemDigest` of the rest, checked by `merge`. */
  readonly digest: string;
}

/** What a thread needs to run items: built once per thread. */
export interface ItemContext {
  readonly config: SweepConfig;
  readonly trace: Trace;
  readonly catalog: Catalog;
  readonly grid: readonly GridPoint[];
  readonly policyInputs: PolicyInputs;
  readonly scenarios: ScenarioCache;
}

export async function createItemContext(config: SweepConfig, trace: Trace): Promise<ItemContext> {
  const catalog = await createCatalog({ specsFile: config.catalog.specsFile ?? undefined });
  const policyInputs = inputsFromJson(config.inputs, (field, expected, found) => {
    throw new InputFormatError(`the sweep's configuration: ${field}`, expected, JSON.stringify(found));
  });
  return {
    config,
    trace,
    catalog,
    grid: expandGrid(config.base, config.vary),
    policyInputs,
    scenarios: new ScenarioCache(),
  };
}

function simConfig(
  settings: SweepSettings,
  workUnit: WorkUnit,
  start: number,
  seed: number,
  policyInputs: PolicyInputs,
): SimConfig {
  const kind = resolveInterruptionModel(settings.interruptions, start);
  const interruptions: InterruptionConfig =
    kind === "bid" ? { kind, bidMultiple: settings.bidMultiple } : { kind: "none" };
  return {
    intervalSeconds: settings.intervalSeconds,
    billing: settings.billing,
    memoryGiB: settings.memoryGiB,
    demandWork: settings.demandWork,
    cpuCompat: DEFAULT_CPU_COMPAT,
    workUnit,
    workload: StepWorkload.constant(settings.demandWork, settings.utilisation),
    targetWork: null,
    migrationModel: {
      ...defaultMigrationModel,
      transfer: settings.transfer,
      networkGbitPerSecond: settings.bandwidthGbps,
    },
    durations: settings.durations,
    interruptions,
    historyWindowSeconds: settings.historyWindowSeconds,
    seed,
    policyInputs,
  };
}

/**
 * Runs every policy on every zone for item `index`. The trace is only re-windowed (no copy): the
 * driver replays the changes before the window as history, so policies see the same look-back as in
 * `hotspot sim` over a longer trace.
 */
export async function runItem(context: ItemContext, index: number): Promise<ItemResult> {
  const { config, trace, catalog } = context;
  const { point, window } = itemCoordinates(config, index);
  const { start, seed } = config.windows[window];
  const end = start + config.windowSeconds;
  const unit = config.catalog.workUnit as WorkUnit;
  const resolution = resolveTypes(
    catalog,
    trace.series.map((series) => series.instanceType),
    { region: config.region, at: start, unit, skipUnknownTypes: config.catalog.skipUnknownTypes },
  );
  const document = await runStudy({
    trace: { ...trace, window: { start, end } },
    resolution,
    catalogDescription: config.catalog.description,
    policies: config.policies.map((policy) => ({
      definition: policyByName(policy.name),
      params: policy.params,
    })),
    config: simConfig(context.grid[point].settings, unit, start, seed, context.policyInputs),
    workloadDescription: "constant",
    scenarioCache: context.scenarios,
  });
  const days = config.windowSeconds / 86400;
  // Per zone-day: a rate summed over zones would grow with the number of zones swept.
  const perZoneDay = (value: number, zones: number) => (zones > 0 ? value / (zones * days) : null);
  const result = {
    index,
    point,
    window,
    start: isoSeconds(start),
    end: isoSeconds(end),
    seed,
    excludedZones: (document.excludedZones ?? []).map((entry) => entry.zone),
    outcomes: document.aggregate.map((run) => ({
      policy: run.policy,
      zones: run.zones.length,
      costUsd: run.costUsd,
      onDemandCostUsd: run.onDemandCostUsd,
      percentOfOnDemand: run.percentOfOnDemand,
      workEcuHours: run.workEcuHours,
      usdPerEcuHour: run.usdPerEcuHour,
      migrations: run.migrations,
      migrationsPerZoneDay: perZoneDay(run.migrations, run.zones.length),
      revocations: run.revocations,
      restarts: run.restarts,
      downtimeSeconds: run.downtimeSeconds,
      downtimeSecondsPerZoneDay: perZoneDay(run.downtimeSeconds, run.zones.length),
      lostWorkEcuHours: run.lostWorkEcuHours,
      gapToOptimal: run.gapToOptimal,
    })),
  };
  return { ...result, digest: itemDigest(result) };
}
