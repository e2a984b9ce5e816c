import type { Catalog, WorkUnit } from "../catalog/types.js";
import { workOf } from "../catalog/work-unit.js";
import type { IngestReport, SeriesKey, Trace, TraceFormatName, ZoneKind } from "./types.js";
import { regionOfZone } from "./zones.js";

/** A series and a value measured on it. */
export interface SeriesValue {
  readonly value: number;
  readonly series: SeriesKey;
}

/**
 * What `hotspot trace info --json` prints per file (one object per file, in an array). Times are ISO
 * 8601 UTC strings, durations seconds, ratios plain numbers; fields are only ever added, never renamed.
 */
export interface TraceStats {
  readonly file: {
    readonly path: string;
    readonly format: TraceFormatName;
    readonly gzip: boolean;
    readonly bytes: number;
  };
  /** First and last price change (null for an empty trace) and the days between them. */
  readonly span: { readonly first: string | null; readonly last: string | null; readonly days: number };
  readonly rows: number;
  readonly series: number;
  readonly zones: readonly string[];
  readonly zoneKind: ZoneKind;
  readonly types: readonly string[];
  readonly products: readonly string[];
  /** Rows per series per day of the span: the mean over series, and the slowest and busiest series. */
  readonly changesPerSeriesPerDay: {
    readonly mean: number;
    readonly min: SeriesValue;
    readonly max: SeriesValue;
  } | null;
  /**
   * Spot price ÷ the type's on-demand price (catalog snapshot in force at the span start), over the
   * series whose type has one. The median weights each price by how long it held (until the series'
   * next change, or the span end for its last one).
   */
  readonly priceToOnDemand: {
    readonly min: number;
    readonly median: number;
    readonly max: SeriesValue & { readonly at: string };
    readonly rowsAbove: number;
    /** Share of covered series-time priced above on-demand. */
    readonly timeAbove: number;
    readonly snapshots: readonly string[];
  } | null;
  /** Types with no on-demand price for their zone's region in the catalog: left out of the ratios. */
  readonly typesWithoutOnDemand: readonly string[];
  readonly catalog: string;
  /** The work unit asked for, and the types the catalog has no value of it for. */
  readonly workUnit: { readonly unit: WorkUnit; readonly typesWithout: readonly string[] };
  /** The longest time between two consecutive changes of one series. */
  readonly longestGap: {
    readonly seconds: number;
    readonly series: SeriesKey;
    readonly from: string;
    readonly to: string;
  } | null;
  /** What ingestion dropped, filtered and skipped (the loader's report). */
  readonly ingest: IngestReport;
}

const secondsPerDay = 86_400;

/** Statistics of a loaded trace, with on-demand prices and work units from `catalog`. */
export function traceStats(trace: Trace, catalog: Catalog, workUnit: WorkUnit): TraceStats {
  const n = trace.time.length;
  const seriesCount = trace.series.length;
  const first = n > 0 ? trace.time[0] : null;
  const last = n > 0 ? trace.time[n - 1] : null;
  const spanSeconds = first === null || last === null ? 0 : last - first;

  const onDemand = new Float64Array(seriesCount);
  const snapshots = new Set<string>();
  const withoutOnDemand = new Set<string>();
  trace.series.forEach((key, id) => {
    const region = regionOfZone(key.zone);
    const price =
      region === undefined || first === null ? undefined : catalog.onDemand(key.instanceType, region, first);
    onDemand[id] = price?.usdPerHour ?? NaN;
    if (price === undefined) withoutOnDemand.add(key.instanceType);
    else snapshots.add(price.asOf);
  });

  const counts = new Uint32Array(seriesCount);
  const previous = new Int32Array(seriesCount).fill(-1);
  const held = new Float64Array(n);
  let gap: { seconds: number; series: number; from: number } | null = null;
  for (let i = 0; i < n; i++) {
    const s = trace.seriesId[i];
    counts[s]++;
    const before = previous[s];
    if (before >= 0) {
      const seconds = trace.time[i] - trace.time[before];
      held[before] = seconds;
      if (gap === null || seconds > gap.seconds) gap = { seconds, series: s, from: trace.time[before] };
    }
    previous[s] = i;
  }
  for (let s = 0; s < seriesCount; s++) {
    if (previous[s] >= 0 && last !== null) held[previous[s]] = last - trace.time[previous[s]];
  }

  return {
    file: {
      path: trace.source.path,
      format: trace.source.format,
      gzip: trace.source.gzip,
      bytes: trace.source.bytes,
    },
    span: { first: iso(first), last: iso(last), days: spanSeconds / secondsPerDay },
    rows: n,
    series: seriesCount,
    zones: distinct(trace.series.map((key) => key.zone)),
    zoneKind: trace.zoneKind,
    types: distinct(trace.series.map((key) => key.instanceType)),
    products: distinct(trace.series.map((key) => key.product)),
    changesPerSeriesPerDay: changeRates(trace.series, counts, spanSeconds),
    priceToOnDemand: ratioStats(trace, onDemand, held, [...snapshots].sort()),
    typesWithoutOnDemand: [...withoutOnDemand].sort(),
    catalog: catalog.description,
    workUnit: {
      unit: workUnit,
      typesWithout: distinct(trace.series.map((key) => key.instanceType)).filter((type) => {
        const spec = catalog.spec(type);
        return spec === undefined || workOf(spec, workUnit) === undefined;
      }),
    },
    longestGap:
      gap === null
        ? null
        : {
            seconds: gap.seconds,
            series: trace.series[gap.series],
            from: iso(gap.from) as string,
            to: iso(gap.from + gap.seconds) as string,
          },
    ingest: trace.report,
  };
}

function changeRates(
  series: readonly SeriesKey[],
  counts: Uint32Array,
  spanSeconds: number,
): TraceStats["changesPerSeriesPerDay"] {
  if (series.length === 0 || spanSeconds <= 0) return null;
  const days = spanSeconds / secondsPerDay;
  let total = 0;
  let min = 0;
  let max = 0;
  for (let s = 0; s < series.length; s++) {
    total += counts[s];
    if (counts[s] < counts[min]) min = s;
    if (counts[s] > counts[max]) max = s;
  }
  return {
    mean: total / series.length / days,
    min: { value: counts[min] / days, series: series[min] },
    max: { value: counts[max] / days, series: series[max] },
  };
}

function ratioStats(
  trace: Trace,
  onDemand: Float64Array,
  held: Float64Array,
  snapshots: readonly string[],
): TraceStats["priceToOnDemand"] {
  const n = trace.time.length;
  const ratio = new Float64Array(n);
  const rows = new Uint32Array(n);
  let coveredCount = 0;
  let maxRow = -1;
  let rowsAbove = 0;
  let totalHeld = 0;
  let heldAbove = 0;
  for (let i = 0; i < n; i++) {
    const od = onDemand[trace.seriesId[i]];
    if (Number.isNaN(od)) continue;
    ratio[i] = trace.price[i] / od;
    rows[coveredCount++] = i;
    if (maxRow < 0 || ratio[i] > ratio[maxRow]) maxRow = i;
    totalHeld += held[i];
    if (ratio[i] > 1) {
      rowsAbove++;
      heldAbove += held[i];
    }
  }
  if (coveredCount === 0) return null;
  const covered = rows.subarray(0, coveredCount).sort((a, b) => ratio[a] - ratio[b]);
  return {
    min: ratio[covered[0]],
    median: weightedMedian(covered, ratio, held, totalHeld),
    max: {
      value: ratio[maxRow],
      series: trace.series[trace.seriesId[maxRow]],
      at: iso(trace.time[maxRow]) as string,
    },
    rowsAbove,
    timeAbove: totalHeld > 0 ? heldAbove / totalHeld : 0,
    snapshots,
  };
}

/** The smallest value whose cumulative weight reaches half; the plain median when no time passed. */
function weightedMedian(
  sorted: Uint32Array,
  value: Float64Array,
  weight: Float64Array,
  total: number,
): number {
  if (total <= 0) {
    const middle = sorted.length >> 1;
    return sorted.length % 2 === 1
      ? value[sorted[middle]]
      : (value[sorted[middle - 1]] + value[sorted[middle]]) / 2;
  }
  let cumulative = 0;
  for (const i of sorted) {
    cumulative += weight[i];
    if (cumulative >= total / 2) return value[i];
  }
  return value[sorted[sorted.length - 1]];
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

function iso(seconds: number | null): string | null {
  return seconds === null ? null : new Date(Math.round(seconds * 1000)).toISOString();
}
