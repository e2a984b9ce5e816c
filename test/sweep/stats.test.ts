import { describe, expect, it } from "vitest";
import { summarize, tQuantile975 } from "../../src/sweep/stats.js";

describe("summarize", () => {
  it("computes mean, sample sd, quantiles and the t interval of a tiny set by hand", () => {
    // 1, 2, 3, 4: mean 2.5; squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, sd = √(5/3).
    // t(0.975, 3) = 3.1824, half-width = 3.1824 × √(5/3) / 2. Quantiles (simple-statistics): 4 × 0.05 = 0.2
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
