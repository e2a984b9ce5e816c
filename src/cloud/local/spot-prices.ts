import type { Trace } from "../../traces/types.js";

/** One spot price change as DescribeSpotPriceHistory reports it. */
export interface SpotPriceRecord {
  readonly availabilityZone: string;
  readonly instanceType: string;
  readonly productDescription: string;
  /** USD per instance-hour. */
  readonly price: number;
  /** Milliseconds since the Unix epoch. */
  readonly timeMs: number;
}

/** The rows of a loaded trace as records (trace times are seconds; records are milliseconds). */
export function recordsFromTrace(trace: Trace): SpotPriceRecord[] {
  const out: SpotPriceRecord[] = new Array(trace.time.length);
  for (let i = 0; i < trace.time.length; i++) {
    const key = trace.series[trace.seriesId[i]];
    out[i] = {
      availabilityZone: key.zone,
      instanceType: key.instanceType,
      productDescription: key.product,
      price: trace.price[i],
      timeMs: Math.round(trace.time[i] * 1000),
    };
  }
  return out;
}

/** Products a Linux instance is priced under, in order of preference. */
const LINUX_PRODUCTS = ["Linux/UNIX", "Linux/UNIX (Amazon VPC)"];

interface Series {
  readonly index: number;
  readonly zone: string;
  readonly type: string;
  readonly product: string;
  /** Ascending times (ms, shifted) and the price from each. */
  readonly times: number[];
  readonly prices: number[];
}

export interface PriceQuery {
  /** Inclusive bounds in ms; `endMs` is capped at `nowMs` (no future prices). */
  readonly startMs?: number;
  readonly endMs?: number;
  readonly nowMs: number;
  readonly zones?: readonly string[];
  readonly types?: readonly string[];
  readonly products?: readonly string[];
  readonly prices?: readonly string[];
}

export interface ServedPrice {
  readonly record: SpotPriceRecord;
  /** The record's position in the (time, series) order, for stable pages. */
  readonly series: number;
}

/**
 * The spot price history the emulator serves, as per-series step functions. `shiftMs` is added to
 * every record time, so a historical trace can be replayed as if it were happening now.
 */
export class SpotPriceBook {
  private readonly series: Series[] = [];
  private readonly byKey = new Map<string, Series>();
  /** The last answer, since a paginating client asks the same query once per page. */
  private last: { key: string; result: ServedPrice[] } | undefined;

  constructor(
    records: Iterable<SpotPriceRecord>,
    readonly shiftMs = 0,
  ) {
    for (const r of records) {
      const key = `${r.availabilityZone}\t${r.instanceType}\t${r.productDescription}`;
      let s = this.byKey.get(key);
      if (s === undefined) {
        s = {
          index: this.series.length,
          zone: r.availabilityZone,
          type: r.instanceType,
          product: r.productDescription,
          times: [],
          prices: [],
        };
        this.series.push(s);
        this.byKey.set(key, s);
      }
      s.times.push(r.timeMs + shiftMs);
      s.prices.push(r.price);
    }
    for (const s of this.series) sortSeries(s);
  }

  get recordCount(): number {
    return this.series.reduce((n, s) => n + s.times.length, 0);
  }

  /**
   * The matching records, newest first (ties by series order), each series also contributing
   * its last change before `startMs`, as AWS does.
   */
  query(q: PriceQuery): ServedPrice[] {
    const key = JSON.stringify(q);
    if (this.last?.key === key) return this.last.result;
    const result = this.compute(q);
    this.last = { key, result };
    return result;
  }

  private compute(q: PriceQuery): ServedPrice[] {
    const end = Math.min(q.endMs ?? q.nowMs, q.nowMs);
    const out: ServedPrice[] = [];
    for (const s of this.series) {
      if (q.zones && !q.zones.includes(s.zone)) continue;
      if (q.types && !q.types.includes(s.type)) continue;
      if (q.products && !q.products.includes(s.product)) continue;
      const last = upperBound(s.times, end) - 1;
      if (last < 0) continue;
      let first = 0;
      if (q.startMs !== undefined) first = Math.max(0, upperBound(s.times, q.startMs) - 1);
      for (let i = first; i <= last; i++) {
        if (q.prices && !q.prices.some((p) => Number(p) === s.prices[i])) continue;
        out.push({ record: this.record(s, i), series: s.index });
      }
    }
    out.sort((a, b) => b.record.timeMs - a.record.timeMs || a.series - b.series);
    return out;
  }

  /** The Linux price of a market at `atMs`, or undefined before its first record. */
  priceAt(zone: string, type: string, atMs: number): number | undefined {
    const s = this.linuxSeries(zone, type);
    if (s === undefined) return undefined;
    const i = upperBound(s.times, atMs) - 1;
    return i < 0 ? undefined : s.prices[i];
  }

  /** The first time after `afterMs` at which the market's Linux price rises above `limit`. */
  nextPriceAbove(zone: string, type: string, afterMs: number, limit: number): number | undefined {
    const s = this.linuxSeries(zone, type);
    if (s === undefined) return undefined;
    for (let i = upperBound(s.times, afterMs); i < s.times.length; i++) {
      if (s.prices[i] > limit) return s.times[i];
    }
    return undefined;
  }

  private linuxSeries(zone: string, type: string): Series | undefined {
    for (const product of LINUX_PRODUCTS) {
      const s = this.byKey.get(`${zone}\t${type}\t${product}`);
      if (s !== undefined) return s;
    }
    return undefined;
  }

  private record(s: Series, i: number): SpotPriceRecord {
    return {
      availabilityZone: s.zone,
      instanceType: s.type,
      productDescription: s.product,
      price: s.prices[i],
      timeMs: s.times[i],
    };
  }
}

function sortSeries(s: Series): void {
  const order = s.times.map((_, i) => i).sort((a, b) => s.times[a] - s.times[b]);
  const times = order.map((i) => s.times[i]);
  const prices = order.map((i) => s.prices[i]);
  for (let i = 0; i < order.length; i++) {
    s.times[i] = times[i];
    s.prices[i] = prices[i];
  }
}

/** The index of the first element greater than `value` in an ascending array. */
function upperBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
