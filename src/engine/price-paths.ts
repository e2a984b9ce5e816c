import type { PricePath } from "./billing.js";

/** One market's price as a step function over sorted change times; NaN before the first change. */
export class StepPricePath implements PricePath {
  constructor(
    readonly times: Float64Array,
    readonly prices: Float64Array,
  ) {}

  /** Index of the last change at or before `t`, or -1. */
  indexAt(t: number): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.times[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  priceAt(t: number): number {
    const i = this.indexAt(t);
    return i < 0 ? NaN : this.prices[i];
  }

  nextChange(t: number): number {
    const i = this.indexAt(t) + 1;
    return i < this.times.length ? this.times[i] : Infinity;
  }

  /** Number of changes in (from, to]. */
  changesIn(from: number, to: number): number {
    return this.indexAt(to) - this.indexAt(from);
  }
}

/** A constant price (on-demand). */
export function constantPath(price: number): StepPricePath {
  return new StepPricePath(Float64Array.of(-Infinity), Float64Array.of(price));
}
