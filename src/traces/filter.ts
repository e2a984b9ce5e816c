import type { Columns } from "./columns.js";
import type { SeriesKey } from "./types.js";

export interface FilterSpec {
  /** Keep only these product descriptions; all when undefined. */
  readonly products?: readonly string[];
  readonly zones?: readonly string[];
  readonly types?: readonly string[];
  /** Window [start, end) in seconds since epoch. */
  readonly start?: number;
  readonly end?: number;
}

export interface FilteredColumns extends Columns {
  /** Only the series with at least one kept row, in their original relative order. */
  readonly series: readonly SeriesKey[];
  readonly filteredOut: { product: number; zone: number; type: number; window: number };
  readonly carriedIn: number;
}

const pass = 0;
const byProduct = 1;
const byZone = 2;
const byType = 3;

function seriesVerdicts(series: readonly SeriesKey[], spec: FilterSpec): Uint8Array {
  const products = spec.products && new Set(spec.products);
  const zones = spec.zones && new Set(spec.zones);
  const types = spec.types && new Set(spec.types);
  return Uint8Array.from(series, (key) =>
    products && !products.has(key.product)
      ? byProduct
      : zones && !zones.has(key.zone)
        ? byZone
        : types && !types.has(key.instanceType)
          ? byType
          : pass,
  );
}

/**
 * Applies the series filters (a row failing several is counted under the first: product, zone, type)
 * and the window. Per series the last row before `start` is kept, re-stamped to `start`, unless the
 * series has a row at `start` itself. Input rows are sorted by (time, seriesId); so is the output.
 */
export function applyFilters(
  series: readonly SeriesKey[],
  columns: Columns,
  spec: FilterSpec,
): FilteredColumns {
  const verdicts = seriesVerdicts(series, spec);
  const { time, seriesId, price } = columns;
  const length = time.length;
  const filteredOut = { product: 0, zone: 0, type: 0, window: 0 };
  if (spec.start === undefined && spec.end === undefined && verdicts.every((v) => v === pass)) {
    return { series, time, seriesId, price, filteredOut, carriedIn: 0 };
  }
  const start = spec.start ?? -Infinity;
  const end = spec.end ?? Infinity;
  const lastBefore = new Int32Array(series.length).fill(-1);
  const atStart = new Uint8Array(series.length);
  let inWindow = 0;
  for (let i = 0; i < length; i++) {
    const s = seriesId[i];
    const verdict = verdicts[s];
    if (verdict !== pass) {
      if (verdict === byProduct) filteredOut.product++;
      else if (verdict === byZone) filteredOut.zone++;
      else filteredOut.type++;
      continue;
    }
    const t = time[i];
    if (t < start) {
      if (lastBefore[s] >= 0) filteredOut.window++;
      lastBefore[s] = i;
    } else if (t >= end) {
      filteredOut.window++;
    } else {
      if (t === start) atStart[s] = 1;
      inWindow++;
    }
  }
  let carriedIn = 0;
  for (let s = 0; s < series.length; s++) {
    if (lastBefore[s] < 0) continue;
    if (atStart[s] === 1) {
      filteredOut.window++;
      lastBefore[s] = -1;
    } else {
      carriedIn++;
    }
  }

  const outTime = new Float64Array(inWindow + carriedIn);
  const outSeries = new Uint32Array(inWindow + carriedIn);
  const outPrice = new Float64Array(inWindow + carriedIn);
  const used = new Uint8Array(series.length);
  let written = 0;
  let nextCarried = 0;
  // Carried rows sit at `start`, merged by series with the rows stamped exactly `start`.
  const emitCarried = (upTo: number) => {
    for (; nextCarried < upTo; nextCarried++) {
      if (lastBefore[nextCarried] < 0) continue;
      outTime[written] = start;
      outSeries[written] = nextCarried;
      outPrice[written] = price[lastBefore[nextCarried]];
      used[nextCarried] = 1;
      written++;
    }
  };
  for (let i = 0; i < length; i++) {
    const s = seriesId[i];
    const t = time[i];
    if (verdicts[s] !== pass || t < start || t >= end) continue;
    emitCarried(t === start ? s : series.length);
    outTime[written] = t;
    outSeries[written] = s;
    outPrice[written] = price[i];
    used[s] = 1;
    written++;
  }
  emitCarried(series.length);

  // Renumber the series that kept rows; the map is monotone, so the (time, seriesId) order holds.
  const newId = new Uint32Array(series.length);
  const kept: SeriesKey[] = [];
  for (let s = 0; s < series.length; s++) {
    if (used[s] === 0) continue;
    newId[s] = kept.length;
    kept.push(series[s]);
  }
  for (let i = 0; i < written; i++) outSeries[i] = newId[outSeries[i]];
  return { series: kept, time: outTime, seriesId: outSeries, price: outPrice, filteredOut, carriedIn };
}
