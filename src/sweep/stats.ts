import { mean, sampleStandardDeviation } from "simple-statistics";

/** Summary of one metric over a sweep's windows. Samples that had no value (null) are left out and counted. */
export interface MetricStats {
  /** Samples summarised. */
  readonly n: number;
  /** Samples without a value (e.g. no on-demand baseline). */
  readonly missing: number;
  readonly mean: number | null;
  /** Sample standard deviation (n − 1); null below 2 samples. */
  readonly sd: number | null;
  /** Quantiles of the samples by {@link quantileSorted}. */
  readonly p5: number | null;
  readonly p50: number | null;
  readonly p95: number | null;
  /** 95% confidence interval of the mean, Student t with n − 1 degrees of freedom; null below 2 samples. */
  readonly ci95: readonly [number, number] | null;
}

/** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom. */
const tTable = [
  12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.306, 2.2622, 2.2281, 2.201, 2.1788, 2.1604,
  2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.093, 2.086, 2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555,
  2.0518, 2.0484, 2.0452, 2.0423,
];
const z975 = 1.959964;

/** t(0.975, df): the table up to 30, then the Cornish–Fisher expansion around the normal quantile. */
export function tQuantile975(df: number): number {
  if (df <= tTable.length) return tTable[df - 1];
  const z = z975;
  return (
    z +
    (z ** 3 + z) / (4 * df) +
    (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2) +
    (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / (384 * df ** 3)
  );
}

/**
 * The `percent` quantile of ascending `sorted` (non-empty) by R's type 2: rank r = n × percent / 100;
 * the r-th smallest value rounded up when r is fractional, the mean of the r-th and (r + 1)-th when it is
 * whole. Every quantile is a sample or the midpoint of two neighbours, never interpolated between windows.
 * Written here so a library upgrade cannot move sweep results (simple-statistics 7.12 switched its
 * quantileSorted from this to linear interpolation); integer percents keep the wholeness test exact.
 */
export function quantileSorted(sorted: readonly number[], percent: number): number {
  const rank = (sorted.length * percent) / 100;
  if (rank <= 0) return sorted[0];
  if (rank >= sorted.length) return sorted[sorted.length - 1];
  if (!Number.isInteger(rank)) return sorted[Math.ceil(rank) - 1];
  return (sorted[rank - 1] + sorted[rank]) / 2;
}

export function summarize(samples: readonly (number | null)[]): MetricStats {
  const values = samples.filter((value): value is number => value !== null);
  const missing = samples.length - values.length;
  if (values.length === 0) {
    return { n: 0, missing, mean: null, sd: null, p5: null, p50: null, p95: null, ci95: null };
  }
  const sorted = [...values].sort((a, b) => a - b);
  const average = mean(values);
  const sd = values.length < 2 ? null : sampleStandardDeviation(values);
  const half = sd === null ? null : (tQuantile975(values.length - 1) * sd) / Math.sqrt(values.length);
  return {
    n: values.length,
    missing,
    mean: average,
    sd,
    p5: quantileSorted(sorted, 5),
    p50: quantileSorted(sorted, 50),
    p95: quantileSorted(sorted, 95),
    ci95: half === null ? null : [average - half, average + half],
  };
}
