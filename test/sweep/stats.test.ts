import { describe, expect, it } from "vitest";
import { quantileSorted, summarize, tQuantile975 } from "../../src/sweep/stats.js";

describe("summarize", () => {
  it("computes mean, sample sd, quantiles and the t interval of a tiny set by hand", () => {
    // 1, 2, 3, 4: mean 2.5; squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, sd = √(5/3).
    // t(0.975, 3) = 3.1824, half-width = 3.1824 × √(5/3) / 2. Quantiles (R type 2): 4 × 0.05 = 0.2
    // → 1st value; 4 × 0.5 = 2 (whole) → mean of 2nd and 3rd; 4 × 0.95 = 3.8 → 4th value.
    const stats = summarize([3, null, 1, 4, 2]);
    const sd = Math.sqrt(5 / 3);
    const half = (3.1824 * sd) / 2;
    expect(stats.n).toBe(4);
    expect(stats.missing).toBe(1);
    expect(stats.mean).toBe(2.5);
    expect(stats.sd).toBeCloseTo(sd, 12);
    expect(stats.p5).toBe(1);
    expect(stats.p50).toBe(2.5);
    expect(stats.p95).toBe(4);
    expect(stats.ci95![0]).toBeCloseTo(2.5 - half, 12);
    expect(stats.ci95![1]).toBeCloseTo(2.5 + half, 12);
  });

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

  it("has no spread or interval for one sample, and nothing for none", () => {
    expect(summarize([7])).toEqual({
      n: 1,
      missing: 0,
      mean: 7,
      sd: null,
      p5: 7,
      p50: 7,
      p95: 7,
      ci95: null,
    });
    expect(summarize([null, null])).toEqual({
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

describe("tQuantile975", () => {
  it("matches Student's t tables at 1, 19 and 30 degrees of freedom and beyond the table", () => {
    expect(tQuantile975(1)).toBe(12.7062);
    expect(tQuantile975(19)).toBe(2.093);
    expect(tQuantile975(30)).toBe(2.0423);
    // Tables: t(0.975, 40) = 2.0211, t(0.975, 60) = 2.0003, t(0.975, 120) = 1.9799.
    expect(tQuantile975(40)).toBeCloseTo(2.0211, 4);
    expect(tQuantile975(60)).toBeCloseTo(2.0003, 4);
    expect(tQuantile975(120)).toBeCloseTo(1.9799, 4);
  });
});
