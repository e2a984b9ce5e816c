import type { PolicyRun } from "../engine/result.js";
import type { Trace } from "../traces/types.js";
import type { Lifecycle } from "../engine/types.js";
import { version } from "../version.js";
import { isoSeconds } from "../util/iso-seconds.js";
import { unpricedStretches } from "../traces/coverage.js";
import type { ZonePricesDocument } from "./prices.js";

/** Identifies the document kind and layout; bump `RESULTS_VERSION` on any incompatible change. */
export const RESULTS_SCHEMA = "hotspot.sim-results";
export const RESULTS_VERSION = 1;

/** One placement or event of a run. */
export interface TimelineDocument {
  readonly time: string;
  readonly kind: string;
  readonly instanceType: string;
  readonly lifecycle: string;
  /** USD/hour of that market then (null when unknown). */
  readonly price: number | null;
  readonly reason: string;
}

/** One instance held by a run. */
export interface InstanceDocument {
  readonly instanceType: string;
  readonly lifecycle: string;
  readonly start: string;
  readonly end: string;
  readonly endedBy: string;
  readonly costUsd: number;
}

/**
 * Metrics of one policy on one zone (or, in `aggregate`, on all zones). Work is in the document's
 * `workUnit` (named ECU in field names, the paper's unit; `workUnit` says what it really is).
 */
export interface RunMetrics {
  readonly costUsd: number;
  /**
   * What the work delivered would have cost on the on-demand baseline (the fitting on-demand market
   * cheapest per unit of work, held for the whole window, billed under the run's model): work × the
   * baseline's USD per work-unit-hour. Normalising by work keeps runs on smaller or larger servers
   * comparable.
   */
  readonly onDemandCostUsd: number | null;
  /** costUsd / onDemandCostUsd × 100. */
  readonly percentOfOnDemand: number | null;
  readonly workEcuHours: number;
  readonly usdPerEcuHour: number | null;
  /** Completed hops. */
  readonly migrations: number;
  /** Hops that did not complete (acquire failed, or a server was reclaimed during it). */
  readonly abortedMigrations: number;
  /** Restarts from a checkpoint after the container was lost. */
  readonly restarts: number;
  /** Servers reclaimed by the cloud while they mattered to the container. */
  readonly revocations: number;
  readonly notices: number;
  readonly downtimeSeconds: number;
  readonly downtimeP95Seconds: number;
  readonly outages: number;
  readonly lostWorkEcuHours: number;
  readonly decisions: number;
  /** usdPerEcuHour / optimal's − 1 on the same zone(s), when the optimal policy ran. */
  readonly gapToOptimal: number | null;
}

export interface RunDocument extends RunMetrics {
  readonly policy: string;
  readonly params: Readonly<Record<string, number>>;
  readonly zone: string;
  readonly start: string;
  readonly end: string;
  /** False when a finite-work run did not finish within the window. */
  readonly finished: boolean;
  readonly onDemandMarket: string | null;
  readonly priceEventsReplayed: number;
  readonly advisorMissingTypes: readonly string[];
  /** Each outage's downtime (hop or restart), in order; absent in documents written before it existed. */
  readonly outageDowntimesSeconds?: readonly number[];
  readonly timeline: readonly TimelineDocument[];
  readonly instances: readonly InstanceDocument[];
}

/**
 * A policy on all zones that could host the container. Counts, costs and work are sums over the zones;
 * the rates (`usdPerEcuHour`, `percentOfOnDemand`) are means of the per-zone rates, each zone counting
 * once (one container per zone), and `gapToOptimal` is the ratio of those means. A pooled ratio would
 * weight zones by each policy's own work there, so a policy that worked more in a cheap zone could
 * look cheaper than the optimum while losing to it in every zone (Simpson's paradox); with weights
 * common to all policies, a policy at or above the optimum in every zone is at or above it here.
 */
export interface AggregateDocument extends RunMetrics {
  readonly policy: string;
  /** Zones aggregated (those in `excludedZones` are not). */
  readonly zones: readonly string[];
}

/** A zone left out of the aggregates, and why. */
export interface ExcludedZone {
  readonly zone: string;
  readonly reason: string;
}

export interface TraceIdentity {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly format: string;
  readonly start: string;
  readonly end: string;
  readonly rowsKept: number;
  readonly series: number;
  /** Bad rows skipped under --skip-bad-rows, by reason; absent in documents written before it existed. */
  readonly skippedRows?: { readonly count: number; readonly byReason: Readonly<Record<string, number>> };
  /** Share of the window before the trace's first price or after its last change (0 to 1). */
  readonly unpricedShare?: number;
}

export interface ResultsDocument {
  readonly schema: typeof RESULTS_SCHEMA;
  readonly version: typeof RESULTS_VERSION;
  readonly tool: { readonly name: "hotspot"; readonly version: string };
  readonly seed: number;
  readonly trace: TraceIdentity;
  /** The work unit behind every `…Ecu…` field: ecu, vcpu or score. */
  readonly workUnit: string;
  /** Every setting of the run, as resolved (defaults filled in). */
  readonly configuration: Readonly<Record<string, unknown>>;
  readonly runs: readonly RunDocument[];
  /** Per policy, all zones together. */
  readonly aggregate: readonly AggregateDocument[];
  /** Zones where no policy could host the container; absent in documents written before it existed. */
  readonly excludedZones?: readonly ExcludedZone[];
  /** What makes the results less than they seem (unpriced stretches, skipped rows); absent when none. */
  readonly warnings?: readonly string[];
  /** Live runs: every hop's measured steps and image, and the rates the policy's hop estimate used. */
  readonly hopCosts?: HopCostsDocument;
  /**
   * Simulations: per zone, the prices of the markets that fit, summarised per slice of the window (the
   * report draws the container's path through them); absent in documents written before it existed.
   */
  readonly prices?: readonly ZonePricesDocument[];
}

/** One live hop as the journal timed it. */
export interface HopCostDocument {
  readonly hop: string;
  /** `<type> <lifecycle>` of its target. */
  readonly target: string;
  readonly lifecycle: Lifecycle;
  /** done, rolled-back, fell-back; null while open. */
  readonly outcome: string | null;
  /** Seconds per step that ran to its end (acquire, wait-running, cpu-check, checkpoint, detach-source, …). */
  readonly stepSeconds: Readonly<Partial<Record<string, number>>>;
  /** The checkpoint image's bytes; null when no checkpoint finished (or the host could not measure it). */
  readonly imageBytes: number | null;
}

/** The rates a live policy's hop estimate uses now, and how many measurements they rest on. */
export interface LearnedRatesDocument {
  readonly checkpointBytesPerSecond: number | null;
  readonly restoreBytesPerSecond: number | null;
  /** The newest image's bytes (trial or hop), which the estimate expects the next hop to move. */
  readonly imageBytes: number | null;
  readonly checkpointSamples: number;
  readonly restoreSamples: number;
}

export interface HopCostsDocument {
  readonly hops: readonly HopCostDocument[];
  readonly rates: LearnedRatesDocument;
}

/** Nearest-rank 95th percentile; 0 for no samples. */
export function p95(samples: readonly number[]): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.ceil(0.95 * sorted.length) - 1];
}

function ratio(numerator: number, denominator: number | null): number | null {
  return denominator === null || !(denominator > 0) ? null : numerator / denominator;
}

interface Totals {
  costUsd: number;
  onDemandCostUsd: number | null;
  work: number;
  lostWork: number;
  hops: number;
  abortedHops: number;
  restarts: number;
  revocations: number;
  notices: number;
  decisions: number;
  downtimes: number[];
}

function totalsOf(runs: readonly PolicyRun[]): Totals {
  const totals: Totals = {
    costUsd: 0,
    onDemandCostUsd: 0,
    work: 0,
    lostWork: 0,
    hops: 0,
    abortedHops: 0,
    restarts: 0,
    revocations: 0,
    notices: 0,
    decisions: 0,
    downtimes: [],
  };
  for (const { result } of runs) {
    totals.costUsd += result.costUsd;
    const baseline = result.onDemand === null || !(result.onDemand.work > 0) ? null : result.onDemand;
    totals.onDemandCostUsd =
      totals.onDemandCostUsd === null || baseline === null
        ? null
        : totals.onDemandCostUsd + (result.work * baseline.costUsd) / baseline.work;
    totals.work += result.work;
    totals.lostWork += result.lostWork;
    totals.hops += result.hops;
    totals.abortedHops += result.abortedHops;
    totals.restarts += result.restarts;
    totals.revocations += result.revocations;
    totals.notices += result.notices;
    totals.decisions += result.decisions;
    totals.downtimes.push(...result.downtimes);
  }
  return totals;
}

function metrics(totals: Totals, optimalUsdPerWork: number | null): RunMetrics {
  const usdPerEcuHour = ratio(totals.costUsd, totals.work);
  const percent = ratio(totals.costUsd, totals.onDemandCostUsd);
  return {
    costUsd: totals.costUsd,
    onDemandCostUsd: totals.onDemandCostUsd,
    percentOfOnDemand: percent === null ? null : percent * 100,
    workEcuHours: totals.work,
    usdPerEcuHour,
    migrations: totals.hops,
    abortedMigrations: totals.abortedHops,
    restarts: totals.restarts,
    revocations: totals.revocations,
    notices: totals.notices,
    downtimeSeconds: totals.downtimes.reduce((sum, d) => sum + d, 0),
    downtimeP95Seconds: p95(totals.downtimes),
    outages: totals.downtimes.length,
    lostWorkEcuHours: totals.lostWork,
    decisions: totals.decisions,
    gapToOptimal:
      usdPerEcuHour === null || optimalUsdPerWork === null || !(optimalUsdPerWork > 0)
        ? null
        : usdPerEcuHour / optimalUsdPerWork - 1,
  };
}

/** Mean over runs (one per zone) of a per-run rate; null when there are none or any is undefined. */
function zoneMean(runs: readonly PolicyRun[], rate: (totals: Totals) => number | null): number | null {
  if (runs.length === 0) return null;
  let sum = 0;
  for (const run of runs) {
    const value = rate(totalsOf([run]));
    if (value === null) return null;
    sum += value;
  }
  return sum / runs.length;
}

function aggregateMeans(runs: readonly PolicyRun[]) {
  const percent = zoneMean(runs, (totals) => ratio(totals.costUsd, totals.onDemandCostUsd));
  return {
    usdPerEcuHour: zoneMean(runs, (totals) => ratio(totals.costUsd, totals.work)),
    percentOfOnDemand: percent === null ? null : percent * 100,
  };
}

/**
 * Zones where no run held a server or delivered work: nothing there could host the container (no
 * market fits its memory, or none ever had a price). Their $0 and 0 work would skew every mean.
 */
function emptyZones(runs: readonly PolicyRun[], memoryGiB: unknown): ExcludedZone[] {
  const zones = [...new Set(runs.map((run) => run.zone))];
  return zones.flatMap((zone) => {
    const mine = runs.filter((run) => run.zone === zone);
    if (mine.some((run) => run.result.instances.length > 0 || run.result.work > 0)) return [];
    const fits =
      typeof memoryGiB !== "number" || mine[0].markets.some((market) => market.memoryGiB >= memoryGiB);
    return [
      {
        zone,
        reason: fits
          ? "no policy held a server there (no market had a price)"
          : `no market there fits the container's ${memoryGiB} GiB`,
      },
    ];
  });
}

/** The one-line warning naming the zones left out of the aggregates, or null when none was. */
export function excludedZonesWarning(document: Pick<ResultsDocument, "excludedZones">): string | null {
  const excluded = document.excludedZones ?? [];
  if (excluded.length === 0) return null;
  return `left out of the all-zones rows ${excluded.length} empty zone(s): ${excluded.map((entry) => `${entry.zone} (${entry.reason})`).join(", ")}`;
}

function runDocument(run: PolicyRun, optimal: PolicyRun | undefined): RunDocument {
  const { result, markets } = run;
  const optimalUsdPerWork = optimal === undefined ? null : ratio(optimal.result.costUsd, optimal.result.work);
  const label = (id: number) => markets[id];
  return {
    policy: run.policy,
    params: run.params,
    zone: run.zone,
    start: isoSeconds(result.start),
    end: isoSeconds(result.end),
    finished: result.finished,
    ...metrics(totalsOf([run]), optimalUsdPerWork),
    onDemandMarket: result.onDemand === null ? null : label(result.onDemand.marketId).instanceType,
    priceEventsReplayed: run.eventsReplayed,
    advisorMissingTypes: run.advisorMissingTypes,
    outageDowntimesSeconds: result.downtimes,
    timeline: result.timeline.map((entry) => ({
      time: isoSeconds(entry.time),
      kind: entry.kind,
      instanceType: label(entry.marketId).instanceType,
      lifecycle: label(entry.marketId).lifecycle,
      price: Number.isNaN(entry.price) ? null : entry.price,
      reason: entry.reason,
    })),
    instances: result.instances.map((instance) => ({
      instanceType: label(instance.marketId).instanceType,
      lifecycle: label(instance.marketId).lifecycle,
      start: isoSeconds(instance.start),
      end: isoSeconds(instance.end),
      endedBy: instance.endedBy,
      costUsd: instance.costUsd,
    })),
  };
}

/** What a results document says of the trace a run replayed, cut to the simulated window. */
export function traceIdentity(trace: Trace, window: { readonly start: number; readonly end: number }) {
  return {
    path: trace.source.path,
    sha256: trace.source.sha256,
    bytes: trace.source.bytes,
    format: trace.source.format,
    start: isoSeconds(window.start),
    end: isoSeconds(window.end),
    rowsKept: trace.report.rowsKept,
    series: trace.series.length,
    skippedRows: { count: trace.report.skipped.count, byReason: trace.report.skipped.byReason },
    unpricedShare: unpricedStretches(trace, window).share,
  } satisfies TraceIdentity;
}

/** Builds the versioned results document of a set of runs on one price source and configuration. */
export function buildResultsDocument(input: {
  /** The trace replayed, or for a live run the price feed polled (see `traceIdentity`). */
  readonly trace: TraceIdentity;
  readonly seed: number;
  readonly workUnit: string;
  readonly configuration: Readonly<Record<string, unknown>>;
  readonly runs: readonly PolicyRun[];
  /** Per zone, its markets' prices (see `ResultsDocument.prices`); left out of the document when absent. */
  readonly prices?: readonly ZonePricesDocument[];
}): ResultsDocument {
  const { trace, runs } = input;
  const optimalOf = (zone: string) => runs.find((run) => run.policy === "optimal" && run.zone === zone);
  const excludedZones = emptyZones(runs, input.configuration.memoryGiB);
  const excluded = new Set(excludedZones.map((entry) => entry.zone));
  const kept = runs.filter((run) => !excluded.has(run.zone));
  const policiesInOrder = [...new Set(runs.map((run) => run.policy))];
  const optimalMeans = aggregateMeans(kept.filter((run) => run.policy === "optimal"));
  const aggregate = policiesInOrder.map((policy) => {
    const mine = kept.filter((run) => run.policy === policy);
    const means = aggregateMeans(mine);
    return {
      policy,
      zones: mine.map((run) => run.zone),
      ...metrics(totalsOf(mine), null),
      usdPerEcuHour: means.usdPerEcuHour,
      percentOfOnDemand: means.percentOfOnDemand,
      gapToOptimal:
        means.usdPerEcuHour === null ||
        optimalMeans.usdPerEcuHour === null ||
        !(optimalMeans.usdPerEcuHour > 0)
          ? null
          : means.usdPerEcuHour / optimalMeans.usdPerEcuHour - 1,
    };
  });
  return {
    schema: RESULTS_SCHEMA,
    version: RESULTS_VERSION,
    tool: { name: "hotspot", version },
    seed: input.seed,
    trace,
    workUnit: input.workUnit,
    configuration: input.configuration,
    runs: runs.map((run) => runDocument(run, optimalOf(run.zone))),
    aggregate,
    excludedZones,
    ...(input.prices === undefined ? {} : { prices: input.prices }),
  };
}

/** The document with `warnings` added, so that tables, `--json` and `--out` all carry them. */
export function withWarnings(document: ResultsDocument, warnings: readonly string[]): ResultsDocument {
  if (warnings.length === 0) return document;
  // The price summary, the bulk of the document, stays last.
  const { prices, ...rest } = document;
  return {
    ...rest,
    warnings: [...(document.warnings ?? []), ...warnings],
    ...(prices === undefined ? {} : { prices }),
  };
}
