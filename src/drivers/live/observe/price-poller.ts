import type { Ec2Api } from "../../../cloud/ec2-client.js";
import { InputFormatError, shown } from "../../../errors.js";
import { nowSeconds, type Clock } from "../../../util/clock.js";

export interface PricePollerOptions {
  readonly ec2: Ec2Api;
  readonly zone: string;
  readonly instanceTypes: readonly string[];
  /** Product descriptions asked for; default Linux/UNIX. */
  readonly products?: readonly string[];
  /** How far back the first poll reaches and how much history is kept, in seconds. */
  readonly windowSeconds: number;
  readonly clock: Pick<Clock, "now">;
}

/** What one poll saw. Nothing is dropped silently: every record is counted in one of the buckets. */
export interface PollReport {
  /** The poll's time (end of the query), epoch seconds. */
  readonly time: number;
  readonly records: number;
  /** Records that were new price changes. */
  readonly added: number;
  /** Records already known (the price in force at the query start, or a repeat). */
  readonly duplicates: number;
}

/** One market's known price changes, ascending by time. */
export interface PriceSeries {
  readonly times: Float64Array;
  readonly prices: Float64Array;
}

/**
 * Polls DescribeSpotPriceHistory for the candidate types in one zone. The first poll reaches back a
 * whole window; later ones ask from the previous poll on. Keeps each type's price changes over the
 * window plus the one in force at its start, so prices and look-back views are answered without EC2.
 */
export class PricePoller {
  private readonly types: Set<string>;
  private readonly products: readonly string[];
  private readonly changes = new Map<string, Map<number, number>>();
  private lastPollAt = NaN;

  constructor(private readonly options: PricePollerOptions) {
    this.types = new Set(options.instanceTypes);
    this.products = options.products ?? ["Linux/UNIX"];
    for (const type of this.types) this.changes.set(type, new Map());
  }

  /** Time of the latest poll (epoch seconds), NaN before the first. */
  get polledAt(): number {
    return this.lastPollAt;
  }

  async poll(): Promise<PollReport> {
    const { ec2, zone, windowSeconds, clock } = this.options;
    const now = nowSeconds(clock);
    const start = Number.isNaN(this.lastPollAt) ? now - windowSeconds : this.lastPollAt;
    let records = 0;
    let added = 0;
    const pages = ec2.spotPriceHistory({
      start,
      end: now,
      instanceTypes: [...this.types],
      products: this.products,
      zones: [zone],
    });
    for await (const page of pages) {
      for (const record of page) {
        records++;
        const where = `DescribeSpotPriceHistory record ${records}`;
        const known = this.changes.get(record.instanceType);
        if (record.zone !== zone || known === undefined || !this.products.includes(record.product)) {
          throw new InputFormatError(
            where,
            `a price of ${[...this.types].join(", ")} in ${zone} (${this.products.join(", ")}), as asked`,
            shown(`${record.zone} ${record.instanceType} ${record.product}`),
          );
        }
        const price = Number(record.price);
        if (!(price >= 0) || !Number.isFinite(price)) {
          throw new InputFormatError(where, "a price in USD per hour", shown(record.price));
        }
        if (known.get(record.time) !== price) added++;
        known.set(record.time, price);
      }
    }
    this.lastPollAt = now;
    this.prune(now - windowSeconds);
    return { time: now, records, added, duplicates: records - added };
  }

  /** The price in force at the latest poll, NaN when EC2 reported none for `type`. */
  price(type: string): number {
    const { times, prices } = this.series(type);
    return times.length === 0 ? NaN : prices[times.length - 1];
  }

  /** The kept changes of `type`, ascending; the first may precede the window (the price then in force). */
  series(type: string): PriceSeries {
    const known = this.changes.get(type);
    const times = Float64Array.from(known?.keys() ?? []).sort();
    const prices = Float64Array.from(times, (time) => known!.get(time)!);
    return { times, prices };
  }

  /** Drops changes before `from` except the one still in force at `from`. */
  private prune(from: number): void {
    for (const known of this.changes.values()) {
      const old = [...known.keys()].filter((time) => time < from).sort((a, b) => a - b);
      for (const time of old.slice(0, -1)) known.delete(time);
    }
  }
}
