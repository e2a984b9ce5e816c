import { describe, expect, it } from "vitest";
import {
  bootstrapMeanCi,
  intervalSeed,
  pairedComparison,
  quantileSorted,
  summarize,
  TIE_TOLERANCE,
} from "../../src/sweep/stats.js";
import { Random } from "../../src/util/random.js";

describe("quantileSorted", () => {
  it("takes quantiles by R's type 2: nearest rank rounded up, the two neighbours' mean when n × p is whole", () => {
    const twenty = Array.from({ length: 20 }, (_, i) => (i + 1) * 10);
    // 20 × 0.05 = 1 (whole) → (10 + 20) / 2; 20 × 0.5 = 10 → (100 + 110) / 2; 20 × 0.95 = 19 → (190 + 200) / 2.
    expect([5, 50, 95].map((p) => quantileSorted(twenty, p))).toEqual([15, 105, 195]);
    // 7 × 0.05 = 0.35 → 1st; 7 × 0.5 = 3.5 → 4th; 7 × 0.95 = 6.65 → 7th; 0 and 100 are the extremes.
    const seven = [1, 2, 4, 8, 16, 32, 64];
    expect([0, 5, 50, 95, 100].map((p) => quantileSorted(seven, p))).toEqual([1, 1, 8, 64, 64]);
    // Linear interpolation (R type 7, simple-statistics 7.12) would give 1.3 and 54.4 for seven's p5 and p95.
    expect(quantileSorted([1, 2, 3, 4], 5)).toBe(1);
  });
});

describe("summarize", () => {
  it("computes mean, sample sd and quantiles of a tiny set by hand, and a bootstrap interval within its range", () => {
    // 1, 2, 3, 4: mean 2.5; squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, sd = √(5/3). Quantiles
    // (simple-statistics): 4 × 0.05 = 0.2 → 1st value; 4 × 0.5 = 2 (whole) → mean of 2nd and 3rd; 3.8 → 4th.
    const stats = summarize([3, null, 1, 4, 2], 9);
    expect(stats.n).toBe(4);
    expect(stats.missing).toBe(1);
    expect(stats.mean).toBe(2.5);
    expect(stats.sd).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(stats.p5).toBe(1);
    expect(stats.p50).toBe(2.5);
    expect(stats.p95).toBe(4);
    const [low, high] = stats.ci95!;
    expect(low).toBeGreaterThanOrEqual(1);
    expect(low).toBeLessThan(2.5);
    expect(high).toBeGreaterThan(2.5);
    expect(high).toBeLessThanOrEqual(4);
    expect(summarize([3, null, 1, 4, 2], 9)).toEqual(stats);
  });

  it("has no spread or interval for one sample, and nothing for none", () => {
    expect(summarize([7], 1)).toEqual({
      n: 1,
      missing: 0,
      mean: 7,
      sd: null,
      p5: 7,
      p50: 7,
      p95: 7,
      ci95: null,
    });
    expect(summarize([null, null], 1)).toEqual({
      n: 0,
      missing: 2,
      mean: null,
      sd: null,
      p5: null,
      p50: null,
      p95: null,
      ci95: null,
    });
  });
});

describe("bootstrapMeanCi", () => {
  it("never goes below zero on a skewed non-negative sample, where Student t would (mean 20, t low −35.5)", () => {
    const skewed = [0, 0, 0, 0, 100];
    // Student t: sd = √(8000/4) = 44.72, half-width 2.7764 × 44.72 / √5 = 55.5 → [−35.5, 75.5].
    for (let seed = 0; seed < 50; seed++) {
      const [low, high] = bootstrapMeanCi(skewed, seed)!;
      expect(low, `seed ${seed}`).toBeGreaterThanOrEqual(0);
      expect(high, `seed ${seed}`).toBeLessThanOrEqual(100);
      expect(high, `seed ${seed}`).toBeGreaterThan(20);
    }
  });

  it("is a point for a constant sample, reproducible by seed, and none below two samples", () => {
    expect(bootstrapMeanCi([3, 3, 3], 1)).toEqual([3, 3]);
    expect(bootstrapMeanCi([1, 5, 2, 8], 4)).toEqual(bootstrapMeanCi([1, 5, 2, 8], 4));
    expect(bootstrapMeanCi([1], 4)).toBeNull();
    expect(intervalSeed(7, 0, "hotspot", "costUsd")).toBe(intervalSeed(7, 0, "hotspot", "costUsd"));
    expect(intervalSeed(7, 0, "hotspot", "costUsd")).not.toBe(intervalSeed(7, 1, "hotspot", "costUsd"));
  });

  it("matches the normal interval mean ± 1.96 sd/√n on a large normal sample, to within 10%", () => {
    const random = new Random(3);
    const values = Array.from({ length: 400 }, () => 10 + 2 * random.normal());
    const stats = summarize(values, 5);
    const half = (1.959964 * stats.sd!) / Math.sqrt(values.length);
    const [low, high] = stats.ci95!;
    expect((high - low) / 2).toBeGreaterThan(half * 0.9);
    expect((high - low) / 2).toBeLessThan(half * 1.1);
    expect((low + high) / 2).toBeCloseTo(stats.mean!, 1);
  });
});

describe("pairedComparison", () => {
  it("pairs window by window: savings 20%, 0%, −10% → mean 3.33%, one win, one tie, one loss", () => {
    const result = pairedComparison(
      { policy: "hotspot", baseline: "spot-stay" },
      [0.8, 1, 1.1, null, 2],
      [1, 1, 1, 1, null],
      1,
    );
    expect(result).toMatchObject({ policy: "hotspot", baseline: "spot-stay", n: 3, missing: 2 });
    expect(result.meanSaving).toBeCloseTo((0.2 + 0 - 0.1) / 3, 12);
    expect([result.wins, result.ties, result.losses]).toEqual([1, 1, 1]);
    expect(result.ci95![0]).toBeGreaterThanOrEqual(1 - 1.1);
    expect(result.ci95![1]).toBeLessThanOrEqual(0.2);
  });

  it("counts differences within the tolerance as ties", () => {
    const result = pairedComparison({ policy: "a", baseline: "b" }, [1 + TIE_TOLERANCE / 2, 1], [1, 1], 1);
    expect([result.wins, result.ties, result.losses]).toEqual([0, 2, 0]);
  });
});
