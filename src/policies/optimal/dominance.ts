import type { StepPricePath } from "../../engine/price-paths.js";

/**
 * The markets an optimal plan may need under per-second billing without bids, in their order. Market
 * m is dominated by d when hops to either take the same time (one hop group), d delivers at least m's
 * work rate, and over [start, end) d's price is known whenever m's is and never above it. Then every
 * cost table entry of d is at most m's and every work entry at least, so putting d wherever a plan
 * puts m costs no more per work (a hop between d and m becomes staying on d, which bills the same span
 * once instead of overlapping two instances and loses no work to downtime). Of markets that dominate
 * each other (the same prices and rate) the first is kept.
 */
export function undominatedMarkets(
  paths: readonly StepPricePath[],
  groupOf: Int32Array,
  rates: Float64Array,
  start: number,
  end: number,
): number[] {
  const count = paths.length;
  const kept: number[] = [];
  for (let m = 0; m < count; m++) {
    let dominated = false;
    for (let d = 0; d < count && !dominated; d++) {
      if (d === m || groupOf[d] !== groupOf[m] || rates[d] < rates[m]) continue;
      if (!atMost(paths[d], paths[m], start, end)) continue;
      // Mutual dominance (same prices, same rate): the first of them stays.
      dominated = d < m || rates[d] > rates[m] || !atMost(paths[m], paths[d], start, end);
    }
    if (!dominated) kept.push(m);
  }
  return kept;
}

/** Whether over [start, end) `a` is known wherever `b` is and its price never exceeds b's (a merge of both paths' changes). */
function atMost(a: StepPricePath, b: StepPricePath, start: number, end: number): boolean {
  let i = a.indexAt(start);
  let j = b.indexAt(start);
  for (;;) {
    const priceB = j < 0 ? NaN : b.prices[j];
    if (!Number.isNaN(priceB)) {
      const priceA = i < 0 ? NaN : a.prices[i];
      if (!(priceA <= priceB)) return false;
    }
    const next = Math.min(
      i + 1 < a.times.length ? a.times[i + 1] : Infinity,
      j + 1 < b.times.length ? b.times[j + 1] : Infinity,
    );
    if (next >= end) return true;
    while (i + 1 < a.times.length && a.times[i + 1] <= next) i++;
    while (j + 1 < b.times.length && b.times[j + 1] <= next) j++;
  }
}
