import type { Catalog } from "../catalog/types.js";
import { CatalogGapError, UsageError } from "../errors.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { Random } from "../util/random.js";
import { canonicalHeader, canonicalRow } from "./canonical-csv.js";
import type { SeriesKey } from "./types.js";
import { regionOfZone } from "./zones.js";

/**
 * Price-process parameters of the two eras, measured on the shared real traces (us-east-1 March 2016
 * and March–May 2021); prices are in units of the type's on-demand price.
 */
export const regimes = {
  /** Bidding market (before Nov 2017): ~110 changes/series/day near 0.1–0.3 × on-demand, spikes to 10×. */
  volatile: {
    baseMedian: 0.145,
    baseSigma: 0.25,
    baseRange: [0.09, 0.45],
    // Prices rest on a floor near the base and wander above it.
    floorBelowBase: 0.06,
    changesPerDayMedian: 140,
    changesPerDaySigma: 0.6,
    changesPerDayRange: [2, 400],
    // A few markets (mostly cheap legacy types) barely moved: 1–10 changes a day.
    quietShare: 0.15,
    quietChangesPerDayRange: [1, 10],
    // Changes cluster: AWS published at most one per minute, half of the gaps are under ~4 minutes.
    minimumGapSeconds: 60,
    gapSigma: 1.8,
    reversion: 0.05,
    stepSigma: 0.008,
    jumpShare: 0.2,
    jumpSigma: 0.05,
    republishSeconds: 86_400,
    spikyShare: 0.45,
    spikesPerDayMedian: 1,
    spikesPerDaySigma: 0.5,
    calmSpikesPerDay: 0.02,
    spikeMinutesMedian: 60,
    spikeMinutesSigma: 2,
    spikeMinutesRange: [1, 1440],
    spikeChangeMinutes: 180,
    spikeStepSigma: 0.15,
    spikeCeiling: 10.5,
  },
  /** Since Nov 2017: ~2.3 changes/series/day, slow drift around 0.1–0.7 × on-demand, never above it. */
  smoothed: {
    baseMedian: 0.34,
    baseSigma: 0.3,
    baseRange: [0.1, 0.8],
    // Some (mostly legacy) types sit on AWS's floor of 10% of on-demand.
    floorShare: 0.08,
    floor: 0.1,
    changesPerDayRange: [1, 3.6],
    gapSigma: 0.5,
    // AWS re-publishes an unchanged price when a series has been quiet for a day.
    republishSeconds: 86_400,
    reversion: 0.05,
    stepSigma: 0.003,
    jumpShare: 0.1,
    jumpSigma: 0.015,
  },
} as const;

export type Regime = keyof typeof regimes;

export interface SynthOptions {
  readonly regime: Regime;
  readonly days: number;
  readonly types: readonly string[];
  readonly zones: readonly string[];
  /** Seconds since epoch; every series opens with a row at this time. */
  readonly start: number;
  readonly seed: number;
  /** On-demand prices (in force at `start`) that the spot prices are drawn relative to. */
  readonly catalog: Catalog;
  /** Product description of every series; default `Linux/UNIX`. */
  readonly product?: string;
  /** Leave out types without an on-demand price (listed in the summary) instead of failing. */
  readonly skipUnknownTypes?: boolean;
}

export interface SynthSummary {
  readonly rows: number;
  readonly series: number;
  /** Types left out for want of an on-demand price (under `skipUnknownTypes`), sorted. */
  readonly skipped: readonly string[];
  /** Exclusive end of the generated span, seconds since epoch. */
  readonly end: number;
}

/** One series' price process; `advance()` moves to its next change or returns false past `end`. */
interface PriceProcess {
  time: number;
  price: number;
  advance(): boolean;
}

const secondsPerDay = 86_400;
const rowsPerChunk = 2048;

/**
 * The canonical CSV of a synthetic trace, header first, in time order, as string chunks. Only one
 * pending change per series is held, so any length of trace streams in constant memory.
 */
export function synthesizeCsv(
  options: SynthOptions,
  counts: { rows: number } = { rows: 0 },
): Generator<string> {
  // Validate before the first chunk is asked for, so bad options fail before any file is opened.
  return emitRows(planSeries(options), counts);
}

/** Writes a synthetic trace to `path` atomically (nothing half-written on failure). */
export async function synthesizeTrace(path: string, options: SynthOptions): Promise<SynthSummary> {
  const plan = planSeries(options);
  const counts = { rows: 0 };
  await writeFileAtomic(path, emitRows(plan, counts));
  return {
    rows: counts.rows,
    series: plan.keys.length,
    skipped: plan.skipped,
    end: options.start + options.days * secondsPerDay,
  };
}

interface SeriesPlan {
  readonly keys: readonly SeriesKey[];
  readonly processes: readonly PriceProcess[];
  readonly skipped: readonly string[];
}

function* emitRows(plan: SeriesPlan, counts: { rows: number }): Generator<string> {
  const { keys, processes } = plan;
  const heap = new SeriesHeap(processes);
  yield `${canonicalHeader}\n`;
  let chunk = "";
  let inChunk = 0;
  while (heap.size > 0) {
    const index = heap.top();
    const process = processes[index];
    chunk += canonicalRow(keys[index], process.price, process.time);
    counts.rows++;
    if (++inChunk === rowsPerChunk) {
      yield chunk;
      chunk = "";
      inChunk = 0;
    }
    if (process.advance()) heap.updateTop();
    else heap.popTop();
  }
  if (chunk !== "") yield chunk;
}

function planSeries(options: SynthOptions): SeriesPlan {
  if (!(options.days > 0)) throw new UsageError("days", "a positive number of days", String(options.days));
  if (options.types.length === 0) throw new UsageError("types", "at least one instance type", "none");
  if (options.zones.length === 0) throw new UsageError("zones", "at least one availability zone", "none");
  const end = options.start + options.days * secondsPerDay;
  const product = options.product ?? "Linux/UNIX";
  const zones = [...new Set(options.zones)].sort();
  const types = [...new Set(options.types)].sort();
  const unpriced = new Set<string>();
  const unpricedRegions = new Set<string>();
  const keys: SeriesKey[] = [];
  const onDemand: number[] = [];
  for (const zone of zones) {
    const region = regionOfZone(zone);
    if (region === undefined) {
      throw new UsageError(
        "zones",
        "availability zone names or IDs (us-east-1a, use1-az4)",
        JSON.stringify(zone),
      );
    }
    for (const instanceType of types) {
      const price = options.catalog.onDemand(instanceType, region, options.start);
      if (price === undefined) {
        unpriced.add(instanceType);
        unpricedRegions.add(region);
      } else {
        keys.push({ zone, instanceType, product });
        onDemand.push(price.usdPerHour);
      }
    }
  }
  const skipped = [...unpriced].sort();
  // A type priced in one region but not another is left out everywhere, so every zone has the same types.
  const kept = keys.flatMap((key, index) =>
    unpriced.has(key.instanceType) ? [] : [{ key, od: onDemand[index] }],
  );
  if (skipped.length > 0 && (!options.skipUnknownTypes || kept.length === 0)) {
    throw new CatalogGapError(skipped, `${[...unpricedRegions].sort().join(" or ")} on-demand price`);
  }
  // Each series draws from its own stream, so adding a zone or type leaves the others' prices alone.
  const processes = kept.map(({ key, od }) => {
    const random = new Random(seriesSeed(options.seed, key));
    return options.regime === "volatile"
      ? new VolatileProcess(random, od, options.start, end)
      : new SmoothedProcess(random, od, options.start, end);
  });
  return { keys: kept.map(({ key }) => key), processes, skipped };
}

function seriesSeed(seed: number, key: SeriesKey): number {
  let hash = Math.trunc(seed) | 0;
  for (const char of `${key.zone}|${key.instanceType}|${key.product}`) {
    hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  }
  return hash >>> 0;
}

function logNormal(random: Random, median: number, sigma: number): number {
  return median * Math.exp(sigma * random.normal());
}

function clamp(value: number, [low, high]: readonly [number, number]): number {
  return Math.min(high, Math.max(low, value));
}

/** AWS quotes spot prices to 4 decimals. */
function toTick(usd: number): number {
  return Math.max(1, Math.round(usd * 10_000)) / 10_000;
}

class VolatileProcess implements PriceProcess {
  private static readonly p = regimes.volatile;
  time: number;
  price: number;
  private readonly logBase: number;
  private logLevel: number;
  private readonly gapMu: number;
  private readonly spikesPerDay: number;
  private nextSpike: number;
  private spikeEnd = -Infinity;
  private spikeLevel = 0;

  constructor(
    private readonly random: Random,
    private readonly onDemand: number,
    start: number,
    private readonly end: number,
  ) {
    const p = VolatileProcess.p;
    const base = clamp(logNormal(random, p.baseMedian, p.baseSigma), p.baseRange);
    this.logBase = Math.log(base);
    this.logLevel = this.logBase;
    const [quietLow, quietHigh] = p.quietChangesPerDayRange;
    const perDay =
      random.next() < p.quietShare
        ? Math.exp(random.uniform(Math.log(quietLow), Math.log(quietHigh)))
        : clamp(logNormal(random, p.changesPerDayMedian, p.changesPerDaySigma), p.changesPerDayRange);
    // Gaps are minimum + lognormal; pick its mu so the mean gap gives `perDay` changes a day.
    const meanExtra = Math.max(1, secondsPerDay / perDay - p.minimumGapSeconds);
    this.gapMu = Math.log(meanExtra) - (p.gapSigma * p.gapSigma) / 2;
    this.spikesPerDay =
      random.next() < p.spikyShare
        ? logNormal(random, p.spikesPerDayMedian, p.spikesPerDaySigma)
        : p.calmSpikesPerDay;
    this.nextSpike = start + random.exponential(secondsPerDay / this.spikesPerDay);
    this.time = start;
    this.price = toTick(base * onDemand);
  }

  advance(): boolean {
    const previous = this.price;
    const published = this.time;
    const republishAt = published + VolatileProcess.p.republishSeconds;
    while (true) {
      if (!this.step()) return false;
      if (this.time > republishAt) {
        this.time = republishAt + this.random.integer(0, 60);
        this.price = previous;
        return this.time < this.end;
      }
      if (this.price !== previous) return true;
    }
  }

  /** One candidate change; prices that round to the last one are not published, as on AWS. */
  private step(): boolean {
    const p = VolatileProcess.p;
    const random = this.random;
    let level: number;
    if (this.time < this.spikeEnd) {
      const gap = Math.max(p.minimumGapSeconds, Math.round(random.exponential(p.spikeChangeMinutes * 60)));
      if (this.time + gap >= this.spikeEnd) {
        this.time = this.spikeEnd;
        level = Math.exp(this.logLevel);
      } else {
        this.time += gap;
        this.spikeLevel = Math.min(
          p.spikeCeiling,
          this.spikeLevel * Math.exp(p.spikeStepSigma * random.normal()),
        );
        level = this.spikeLevel;
      }
    } else {
      const gap = p.minimumGapSeconds + Math.round(Math.exp(this.gapMu + p.gapSigma * random.normal()));
      if (this.time + gap >= this.nextSpike) {
        this.time = Math.max(this.time + 1, Math.round(this.nextSpike));
        this.spikeLevel = this.spikeHeight();
        const minutes = clamp(
          logNormal(random, p.spikeMinutesMedian, p.spikeMinutesSigma),
          p.spikeMinutesRange,
        );
        this.spikeEnd = this.time + Math.round(minutes * 60);
        this.nextSpike = this.spikeEnd + random.exponential(secondsPerDay / this.spikesPerDay);
        level = this.spikeLevel;
      } else {
        this.time += gap;
        const sigma = random.next() < p.jumpShare ? p.jumpSigma : p.stepSigma;
        this.logLevel += p.reversion * (this.logBase - this.logLevel) + sigma * random.normal();
        this.logLevel = Math.max(this.logBase - p.floorBelowBase, this.logLevel);
        level = Math.exp(this.logLevel);
      }
    }
    if (this.time >= this.end) return false;
    this.price = toTick(level * this.onDemand);
    return true;
  }

  /** Half the spikes stay below on-demand, a third reach 1–4×, the rest 4–10.5× (measured 2016). */
  private spikeHeight(): number {
    const p = VolatileProcess.p;
    const u = this.random.next();
    const base = Math.exp(this.logBase);
    if (u < 0.5) return Math.exp(this.random.uniform(Math.log(2 * base), 0));
    if (u < 0.85) return Math.exp(this.random.uniform(0, Math.log(4)));
    return this.random.uniform(4, p.spikeCeiling);
  }
}

class SmoothedProcess implements PriceProcess {
  private static readonly p = regimes.smoothed;
  time: number;
  price: number;
  private readonly logBase: number;
  private logLevel: number;
  private readonly meanGap: number;
  /** The highest 4-decimal price not above on-demand. */
  private readonly ceiling: number;

  constructor(
    private readonly random: Random,
    private readonly onDemand: number,
    start: number,
    private readonly end: number,
  ) {
    const p = SmoothedProcess.p;
    const drawn = clamp(logNormal(random, p.baseMedian, p.baseSigma), p.baseRange);
    const base = random.next() < p.floorShare ? p.floor : drawn;
    this.logBase = Math.log(base);
    this.logLevel = this.logBase;
    this.meanGap = secondsPerDay / random.uniform(...p.changesPerDayRange);
    this.ceiling = Math.floor(onDemand * 10_000 + 1e-6) / 10_000;
    this.time = start;
    this.price = toTick(base * onDemand);
  }

  advance(): boolean {
    const p = SmoothedProcess.p;
    const random = this.random;
    const gap = this.meanGap * Math.exp(p.gapSigma * random.normal() - (p.gapSigma * p.gapSigma) / 2);
    if (gap > p.republishSeconds) {
      this.time += p.republishSeconds + random.integer(0, 60);
    } else {
      this.time += Math.max(60, Math.round(gap));
      const sigma = random.next() < p.jumpShare ? p.jumpSigma : p.stepSigma;
      this.logLevel += p.reversion * (this.logBase - this.logLevel) + sigma * random.normal();
      this.logLevel = Math.min(0, Math.max(Math.log(p.floor), this.logLevel));
      // Rounding must not lift the price above on-demand either.
      this.price = Math.min(toTick(Math.exp(this.logLevel) * this.onDemand), this.ceiling);
    }
    return this.time < this.end;
  }
}

/** A binary min-heap of series indices ordered by (pending time, index), so output is in time order. */
class SeriesHeap {
  private readonly items: number[];

  constructor(private readonly processes: readonly PriceProcess[]) {
    this.items = processes.map((_, index) => index);
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  get size(): number {
    return this.items.length;
  }

  top(): number {
    return this.items[0];
  }

  updateTop(): void {
    this.siftDown(0);
  }

  popTop(): void {
    const last = this.items.pop() as number;
    if (this.items.length > 0) {
      this.items[0] = last;
      this.siftDown(0);
    }
  }

  private before(a: number, b: number): boolean {
    const ta = this.processes[a].time;
    const tb = this.processes[b].time;
    return ta < tb || (ta === tb && a < b);
  }

  private siftDown(from: number): void {
    const items = this.items;
    let at = from;
    while (true) {
      const left = 2 * at + 1;
      const right = left + 1;
      let least = at;
      if (left < items.length && this.before(items[left], items[least])) least = left;
      if (right < items.length && this.before(items[right], items[least])) least = right;
      if (least === at) return;
      [items[at], items[least]] = [items[least], items[at]];
      at = least;
    }
  }
}
