import { mean, sampleStandardDeviation } from "simple-statistics";
import { Random } from "../util/random.js";

/** Resamples of every bootstrap interval: the percentiles move by well under 1% of the width between seeds. */
export const BOOTSTRAP_RESAMPLES = 2000;

/** Summary of one metric over a sweep's windows. Samples that had no value (null) are left out and counted. */
export interface MetricStats {
  /** Samples summarised. */
  readonly n: number;
  /** Samples without a value (e.g. no on-demand baseline). */
  readonly missing: number;
  readonly mean: number | null;
  /** Sample standard deviation (n − 1); null below 2 samples. */
  readonly sd: number | null;
  /** simple-statistics quantiles of the sorted samples. */
  readonly p5: number | null;
  readonly p50: number | null;
  readonly p95: number | null;
  /**
   * 95% percentile-bootstrap interval of the mean (seeded, BOOTSTRAP_RESAMPLES resamples); null below 2
   * samples. It lies within the samples' range, so the interval of a non-negative metric is never
   * below zero (a Student t interval on skewed samples can be).
   */
  readonly ci95: readonly [number, number] | null;
}

/** A seed for one interval, from the sweep's seed and the interval's coordinates (FNV-1a over them). */
export function intervalSeed(...parts: readonly (number | string)[]): number {
  let hash = 0x811c9dc5;
  for (const char of parts.join("/")) {
    hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  }
  return hash >>> 0;
}

/**
 * The `percent` quantile of ascending `sorted` (non-empty) by R's type 2: rank r = n × percent / 100;
 * the r-th smallest value rounded up when r is fractional, the mean of the r-th and (r + 1)-th when it is
 * whole. Every quantile is a sample or the midpoint of two neighbours, never interpolated between windows.
 * Written here so a library upgrade cannot move sweep results (simple-statistics 7.12 switched its
 * quantileSorted from this to linear interpolation).
 */
export function quantileSorted(sorted: readonly number[], percent: number): number {
  const rank = (sorted.length * percent) / 100;
  if (rank <= 0) return sorted[0];
  if (rank >= sorted.length) return sorted[sorted.length - 1];
  if (!Number.isInteger(rank)) return sorted[Math.ceil(rank) - 1];
  return (sorted[rank - 1] + sorted[rank]) / 2;
}

/** The 2.5% and 97.5% percentiles of the means of `resamples` resamples (with replacement) of `values`. */
export function bootstrapMeanCi(
  values: readonly number[],
  seed: number,
  resamples = BOOTSTRAP_RESAMPLES,
): readonly [number, number] | null {
  const n = values.length;
  if (n < 2) return null;
  const random = new Random(seed);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[Math.floor(random.next() * n)];
    means[r] = sum / n;
  }
  means.sort();
  const sorted = Array.from(means);
  return [quantileSorted(sorted, 2.5), quantileSorted(sorted, 97.5)];
}

/** Statistics of `samples`; `seed` makes the bootstrap interval reproducible. */
export function summarize(samples: readonly (number | null)[], seed: number): MetricStats {
  const values = samples.filter((value): value is number => value !== null);
  const missing = samples.length - values.length;
  if (values.length === 0) {
    return { n: 0, missing, mean: null, sd: null, p5: null, p50: null, p95: null, ci95: null };
  }
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: values.length,
    missing,
    mean: mean(values),
    sd: values.length < 2 ? null : sampleStandardDeviation(values),
    p5: quantileSorted(sorted, 5),
    p50: quantileSorted(sorted, 50),
    p95: quantileSorted(sorted, 95),
    ci95: bootstrapMeanCi(values, seed),
  };
}

/** Relative differences this small count as ties (floating-point noise, not a saving). */
export const TIE_TOLERANCE = 1e-9;

/**
 * One policy against the baseline on the same windows: per window the saving 1 − policy / baseline
 * (of $ per unit of work delivered; positive = cheaper than the baseline), its mean with a bootstrap
 * 95% CI, and how many windows the policy won, tied or lost.
 */
export interface PairedComparison {
  readonly policy: string;
  readonly baseline: string;
  /** Windows where both had a value. */
  readonly n: number;
  /** Windows where either had none (e.g. delivered no work). */
  readonly missing: number;
  /** Mean saving as a fraction of the baseline's value. */
  readonly meanSaving: number | null;
  readonly ci95: readonly [number, number] | null;
  /** Cheaper than the baseline by more than TIE_TOLERANCE. */
  readonly wins: number;
  readonly ties: number;
  readonly losses: number;
}

/** Compares `values[i]` with `baseline[i]` window by window (lower is better); `seed` fixes the interval. */
export function pairedComparison(
  names: { readonly policy: string; readonly baseline: string },
  values: readonly (number | null)[],
  baseline: readonly (number | null)[],
  seed: number,
): PairedComparison {
  const savings: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const mine = values[i];
    const theirs = baseline[i];
    if (mine === null || theirs === null || !(theirs > 0)) continue;
    savings.push(1 - mine / theirs);
  }
  const wins = savings.filter((saving) => saving > TIE_TOLERANCE).length;
  const losses = savings.filter((saving) => saving < -TIE_TOLERANCE).length;
  return {
    ...names,
    n: savings.length,
    missing: values.length - savings.length,
    meanSaving: savings.length === 0 ? null : mean(savings),
    ci95: bootstrapMeanCi(savings, seed),
    wins,
    ties: savings.length - wins - losses,
    losses,
  };
}
