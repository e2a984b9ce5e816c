import { cpuCompatible, originMarket, type CpuCompat } from "../../policies/cpu-compat.js";
import type { Market } from "../../engine/types.js";
import type { Trace } from "../../traces/types.js";
import type { CatalogResolution } from "../../catalog/work-unit.js";
import { UsageError } from "../../errors.js";
import { StepPricePath, constantPath } from "../../engine/price-paths.js";

/**
 * One zone's simulated world: its markets (every spot series of the trace in the zone, then an
 * on-demand market per type), the zone's price changes in time order as market ids, and each market's
 * price path for billing.
 */
export interface ZoneScenario {
  readonly zone: string;
  readonly markets: readonly Market[];
  /** Per trace series: its market id in this zone, or -1 (other zone, or type left out). */
  readonly marketOfSeries: Int32Array;
  /** The zone's price changes, sorted by time: columns. */
  readonly eventTime: Float64Array;
  readonly eventMarket: Int32Array;
  readonly eventPrice: Float64Array;
  readonly paths: readonly StepPricePath[];
  /** Spot types of the zone left out because the catalog lacks them (see --skip-unknown-types). */
  readonly skippedTypes: readonly string[];
  /** The CPU-compatibility rule applied: its origin type and the types it left out; null: none asked. */
  readonly cpu: CpuRestrictionRecord | null;
}

/** How a run restricts its markets to CPUs the container can be restored on. */
export interface CpuRestriction {
  readonly rule: CpuCompat;
  /** When the container starts (the origin is the cheapest market per unit of work then). */
  readonly start: number;
  readonly memoryGiB: number;
  readonly demandWork: number;
}

export interface CpuRestrictionRecord {
  readonly rule: CpuCompat;
  /** The type the container starts on; null when no market had a price at the start. */
  readonly origin: string | null;
  /** Types of the zone left out by the rule. */
  readonly excludedTypes: readonly string[];
}

/** The zones of a trace, sorted. */
export function traceZones(trace: Trace): string[] {
  return [...new Set(trace.series.map((series) => series.zone))].sort();
}

/** Builds the zone's markets and columns from the trace and the resolved catalog types. */
/** Market `id` of a catalog-resolved type: its spec, work and on-demand price come from `resolution`. */
export function catalogMarket(
  id: number,
  zone: string,
  instanceType: string,
  lifecycle: Market["lifecycle"],
  resolution: CatalogResolution,
): Market {
  const resolved = resolution.types.get(instanceType)!;
  return {
    id,
    zone,
    instanceType,
    lifecycle,
    vcpu: resolved.spec.vcpu,
    memoryGiB: resolved.spec.memoryGiB,
    work: resolved.work,
    onDemandUsd: resolved.onDemand.usdPerHour,
    architecture: resolved.spec.architecture,
    cpuVendor: resolved.spec.cpuVendor,
  };
}

/**
 * The zone's markets and columns; with `cpu`, only the types the rule lets a container that starts on
 * the origin (the cheapest market per unit of work at the start) be restored on, for every policy
 * alike (the offline optimum included).
 */
export function buildZoneScenario(
  trace: Trace,
  zone: string,
  resolution: CatalogResolution,
  cpu?: CpuRestriction,
  cache?: ScenarioCache,
): ZoneScenario {
  const full =
    cache === undefined ? scenarioOf(trace, zone, resolution, () => true) : cache.of(trace, zone, resolution);
  if (cpu === undefined) return full;
  const { rule, start, memoryGiB, demandWork } = cpu;
  const origin = originMarket(
    rule,
    full.markets,
    (id) => full.paths[id].priceAt(start),
    memoryGiB,
    demandWork,
  );
  if (origin < 0) return { ...full, cpu: { rule, origin: null, excludedTypes: [] } };
  const from = full.markets[origin];
  const allowed = (type: string) => cpuCompatible(rule, from, resolution.types.get(type)!.spec);
  const excludedTypes = [...new Set(full.markets.map((m) => m.instanceType))].filter((t) => !allowed(t));
  const restricted = excludedTypes.length === 0 ? full : scenarioOf(trace, zone, resolution, allowed);
  return { ...restricted, cpu: { rule, origin: from.instanceType, excludedTypes } };
}

/**
 * A zone's unrestricted scenario kept for the same trace and the same resolved types: a sweep's items
 * differ only in their window, and building it scans the whole trace. Scenarios are never changed by
 * a run (every policy of a study already shares one).
 */
export class ScenarioCache {
  private readonly scenarios = new Map<string, ZoneScenario>();
  private trace: Trace | null = null;

  of(trace: Trace, zone: string, resolution: CatalogResolution): ZoneScenario {
    // Kept for one trace's columns at a time: a sweep windows the same columns for every item.
    if (this.trace === null || this.trace.time !== trace.time) {
      this.scenarios.clear();
      this.trace = trace;
    }
    const key = scenarioKey(zone, resolution);
    let scenario = this.scenarios.get(key);
    if (scenario === undefined) {
      scenario = scenarioOf(trace, zone, resolution, () => true);
      this.scenarios.set(key, scenario);
    }
    return scenario;
  }
}

/** Everything of a resolution a zone's markets are made of (catalogMarket's fields). */
function scenarioKey(zone: string, resolution: CatalogResolution): string {
  const parts = [zone, resolution.unit];
  for (const [type, { work, onDemand, spec }] of resolution.types) {
    parts.push(
      `${type}:${work}:${onDemand.usdPerHour}:${spec.vcpu}:${spec.memoryGiB}:${spec.architecture}:${spec.cpuVendor}`,
    );
  }
  return parts.join("|");
}

function scenarioOf(
  trace: Trace,
  zone: string,
  resolution: CatalogResolution,
  allowed: (type: string) => boolean,
): ZoneScenario {
  const seriesOfType = new Map<string, number>();
  const skipped = new Set<string>();
  trace.series.forEach((series, index) => {
    if (series.zone !== zone) return;
    const earlier = seriesOfType.get(series.instanceType);
    if (earlier !== undefined) {
      throw new UsageError(
        "--product",
        `one product per instance type (a market is zone + type + lifecycle)`,
        `${zone} ${series.instanceType} with both ${JSON.stringify(trace.series[earlier].product)} and ${JSON.stringify(series.product)}`,
      );
    }
    if (!resolution.types.has(series.instanceType)) skipped.add(series.instanceType);
    else if (allowed(series.instanceType)) seriesOfType.set(series.instanceType, index);
  });
  const types = [...seriesOfType.keys()].sort();
  const markets: Market[] = [];
  const marketOfSeries = new Int32Array(trace.series.length).fill(-1);
  const add = (type: string, lifecycle: Market["lifecycle"]): Market => {
    const market = catalogMarket(markets.length, zone, type, lifecycle, resolution);
    markets.push(market);
    return market;
  };
  for (const type of types) marketOfSeries[seriesOfType.get(type)!] = add(type, "spot").id;
  for (const type of types) add(type, "on-demand");

  const counts = new Int32Array(markets.length);
  let total = 0;
  for (let i = 0; i < trace.time.length; i++) {
    const market = marketOfSeries[trace.seriesId[i]];
    if (market >= 0) {
      counts[market]++;
      total++;
    }
  }
  const eventTime = new Float64Array(total);
  const eventMarket = new Int32Array(total);
  const eventPrice = new Float64Array(total);
  const times = Array.from(counts, (count) => new Float64Array(count));
  const prices = Array.from(counts, (count) => new Float64Array(count));
  const fill = new Int32Array(markets.length);
  let k = 0;
  for (let i = 0; i < trace.time.length; i++) {
    const market = marketOfSeries[trace.seriesId[i]];
    if (market < 0) continue;
    eventTime[k] = trace.time[i];
    eventMarket[k] = market;
    eventPrice[k] = trace.price[i];
    k++;
    times[market][fill[market]] = trace.time[i];
    prices[market][fill[market]++] = trace.price[i];
  }
  const paths = markets.map((market) =>
    market.lifecycle === "spot"
      ? new StepPricePath(times[market.id], prices[market.id])
      : constantPath(market.onDemandUsd),
  );
  return {
    zone,
    markets,
    marketOfSeries,
    eventTime,
    eventMarket,
    eventPrice,
    paths,
    skippedTypes: [...skipped].sort(),
    cpu: null,
  };
}
