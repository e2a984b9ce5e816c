import type { Ec2Api, SpotPriceRecord } from "../cloud/ec2-client.js";
import { InputFormatError, UsageError, shown } from "../errors.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { canonicalHeader, canonicalRow } from "./canonical-csv.js";

/** AWS keeps 90 days of spot price history. */
export const maxHistoryDays = 90;

export interface FetchProgress {
  readonly records: number;
  readonly pages: number;
}

export interface FetchOptions {
  readonly ec2: Ec2Api;
  /** Output path of the canonical CSV, written atomically once every page has arrived. */
  readonly out: string;
  /** The current time, epoch seconds (injected so the window is reproducible). */
  readonly now: number;
  /** Days back from `end` when `start` is absent; default 90. */
  readonly days?: number;
  /** Window bounds, epoch seconds; `end` defaults to `now`. */
  readonly start?: number;
  readonly end?: number;
  readonly instanceTypes?: readonly string[];
  readonly zones?: readonly string[];
  /** Product descriptions; default `["Linux/UNIX"]`. */
  readonly products?: readonly string[];
  readonly pageSize?: number;
  readonly onProgress?: (progress: FetchProgress) => void;
}

export interface FetchResult {
  readonly path: string;
  readonly window: { readonly start: number; readonly end: number };
  readonly pages: number;
  /** Records EC2 returned, duplicates included. */
  readonly recordsReceived: number;
  /** Records identical in every field to an earlier one (EC2 repeats some across page boundaries). */
  readonly duplicatesDropped: number;
  readonly rowsWritten: number;
  readonly series: number;
  /** Time of the oldest and newest row written, or null when nothing was written. */
  readonly first: number | null;
  readonly last: number | null;
}

/** The window a fetch asks for: `end` (default now) and `start` (default `days` before `end`). */
export function fetchWindow(options: Pick<FetchOptions, "now" | "days" | "start" | "end">): {
  start: number;
  end: number;
} {
  const end = options.end ?? options.now;
  const start = options.start ?? end - (options.days ?? maxHistoryDays) * 86400;
  if (!(start < end)) {
    throw new UsageError("--start", `a time before the window end ${isoTime(end)}`, isoTime(start));
  }
  return { start, end };
}

/**
 * Fetches spot price history through `ec2` and writes it as canonical CSV, oldest first, without exact
 * duplicates. Per series, EC2 also returns the last change before the start; it is kept so the opening
 * price is known. Nothing is written unless every page arrived.
 */
export async function fetchSpotPriceHistory(options: FetchOptions): Promise<FetchResult> {
  const window = fetchWindow(options);
  const records: SpotPriceRecord[] = [];
  let pages = 0;
  for await (const page of options.ec2.spotPriceHistory({
    start: window.start,
    end: window.end,
    instanceTypes: options.instanceTypes,
    zones: options.zones,
    products: options.products ?? ["Linux/UNIX"],
    pageSize: options.pageSize,
  })) {
    pages += 1;
    for (const record of page) records.push(record);
    options.onProgress?.({ records: records.length, pages });
  }
  const prices = parsePrices(records);
  const order = sortedOrder(records, prices);
  const kept = order.filter(
    (index, position) => position === 0 || !sameRecord(records, prices, order[position - 1], index),
  );
  await writeFileAtomic(options.out, csvChunks(records, prices, kept));
  return {
    path: options.out,
    window,
    pages,
    recordsReceived: records.length,
    duplicatesDropped: records.length - kept.length,
    rowsWritten: kept.length,
    series: new Set(kept.map((index) => seriesKeyText(records[index]))).size,
    first: kept.length > 0 ? records[kept[0]].time : null,
    last: kept.length > 0 ? records[kept[kept.length - 1]].time : null,
  };
}

function parsePrices(records: readonly SpotPriceRecord[]): Float64Array {
  const prices = new Float64Array(records.length);
  records.forEach((record, index) => {
    const price = /^\d+(\.\d+)?$/.test(record.price) ? Number(record.price) : NaN;
    if (!Number.isFinite(price)) {
      throw new InputFormatError(
        `DescribeSpotPriceHistory record ${index + 1} (${seriesKeyText(record)})`,
        "a SpotPrice such as 0.031200",
        shown(record.price),
      );
    }
    prices[index] = price;
  });
  return prices;
}

// Oldest first; ties in a fixed series order so the same history always gives the same bytes.
function sortedOrder(records: readonly SpotPriceRecord[], prices: Float64Array): number[] {
  const order = records.map((_, index) => index);
  return order.sort((a, b) => {
    const x = records[a];
    const y = records[b];
    return (
      x.time - y.time ||
      compareText(x.zone, y.zone) ||
      compareText(x.instanceType, y.instanceType) ||
      compareText(x.product, y.product) ||
      prices[a] - prices[b]
    );
  });
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sameRecord(
  records: readonly SpotPriceRecord[],
  prices: Float64Array,
  i: number,
  j: number,
): boolean {
  const a = records[i];
  const b = records[j];
  return (
    a.time === b.time &&
    a.zone === b.zone &&
    a.instanceType === b.instanceType &&
    a.product === b.product &&
    prices[i] === prices[j]
  );
}

function seriesKeyText(record: SpotPriceRecord): string {
  return `${record.zone}/${record.instanceType}/${record.product}`;
}

// Rows are batched so the atomic writer's stream sees few large chunks rather than one per row.
function* csvChunks(
  records: readonly SpotPriceRecord[],
  prices: Float64Array,
  kept: readonly number[],
): Generator<string> {
  yield `${canonicalHeader}\n`;
  const batch = 2048;
  for (let from = 0; from < kept.length; from += batch) {
    let chunk = "";
    for (const index of kept.slice(from, from + batch)) {
      const record = records[index];
      chunk += canonicalRow(
        { zone: record.zone, instanceType: record.instanceType, product: record.product },
        prices[index],
        record.time,
      );
    }
    yield chunk;
  }
}

function isoTime(seconds: number): string {
  return Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : String(seconds);
}
