import { describe, expect, it } from "vitest";
import { integrate } from "../../src/engine/billing.js";
import { constantPath, StepPricePath } from "../../src/engine/price-paths.js";
import { Random } from "../../src/util/random.js";

/** $0.30 from 100, $0.50 from 400, $0.20 from 1000. */
const path = new StepPricePath(Float64Array.of(100, 400, 1000), Float64Array.of(0.3, 0.5, 0.2));

describe("StepPricePath", () => {
  it("is NaN before its first change and takes each price at its change time", () => {
    expect(path.priceAt(99)).toBeNaN();
    expect([100, 399, 400, 999.5, 1000, 1e9].map((t) => path.priceAt(t))).toEqual([
      0.3, 0.3, 0.5, 0.5, 0.2, 0.2,
    ]);
  });

  it("finds the index of the last change at or before t, -1 before the first", () => {
    expect([0, 99.9, 100, 100.1, 400, 999, 1000, 5000].map((t) => path.indexAt(t))).toEqual([
      -1, -1, 0, 0, 1, 1, 2, 2,
    ]);
  });

  it("gives the first change strictly after t, Infinity after the last", () => {
    expect([0, 100, 399, 400, 1000, 2000].map((t) => path.nextChange(t))).toEqual([
      100,
      400,
      400,
      1000,
      Infinity,
      Infinity,
    ]);
  });

  it("counts the changes in (from, to]: a change at `from` is out, one at `to` is in", () => {
    expect(path.changesIn(0, 99)).toBe(0);
    expect(path.changesIn(0, 100)).toBe(1);
    expect(path.changesIn(100, 400)).toBe(1);
    expect(path.changesIn(99, 1000)).toBe(3);
    expect(path.changesIn(1000, 9000)).toBe(0);
  });

  it("integrates by hand: 300 s at $0.30 + 600 s at $0.50 + 800 s at $0.20 = $0.15 from 100 to 1800", () => {
    // (0.3 × 300 + 0.5 × 600 + 0.2 × 800) / 3600 = 550 / 3600.
    expect(integrate(path, 100, 1800)).toBeCloseTo(550 / 3600, 15);
  });

  it("agrees with a linear scan at every change time, its neighbours and random times (seed 7, 50 paths)", () => {
    const random = new Random(7);
    for (let n = 0; n < 50; n++) {
      const count = random.integer(1, 30);
      const times = Float64Array.from({ length: count }, () => random.integer(0, 2000)).sort();
      const prices = Float64Array.from({ length: count }, () => random.uniform(0.01, 2));
      const p = new StepPricePath(times, prices);
      const scan = [...times];
      const probes = [...scan.flatMap((t) => [t - 0.5, t, t + 0.5]), random.uniform(-10, 2010)];
      for (const t of probes) {
        const last = scan.reduce((found, x, i) => (x <= t ? i : found), -1);
        const next = scan.find((x) => x > t) ?? Infinity;
        expect(p.indexAt(t)).toBe(last);
        expect(p.priceAt(t)).toBe(last < 0 ? NaN : prices[last]);
        expect(p.nextChange(t)).toBe(next);
      }
    }
  });
});

describe("constantPath", () => {
  it("holds one price at every time, never changes, and integrates to price × hours", () => {
    const onDemand = constantPath(0.096);
    expect([-1e12, 0, 1e12].map((t) => onDemand.priceAt(t))).toEqual([0.096, 0.096, 0.096]);
    expect(onDemand.nextChange(0)).toBe(Infinity);
    expect(onDemand.changesIn(-1e12, 1e12)).toBe(0);
    // 2.5 hours at $0.096: $0.24.
    expect(integrate(onDemand, 0, 9000)).toBeCloseTo(0.24, 15);
  });
});
