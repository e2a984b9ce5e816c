import { describe, expect, it } from "vitest";
import { Random } from "../../src/util/random.js";

describe("Random", () => {
  it("repeats the same stream for the same seed and differs for another", () => {
    const a = new Random(7);
    const b = new Random(7);
    const c = new Random(8);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
  });
  it("stays in range with the expected mean (law of large numbers)", () => {
    const r = new Random(1);
    let sum = 0;
    let expSum = 0;
    let outOfRange = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const x = r.next();
      if (!(x >= 0 && x < 1)) outOfRange++;
      sum += x;
      expSum += r.exponential(10);
    }
    expect(outOfRange).toBe(0);
    // Standard error of the uniform mean is 0.289/sqrt(n) ≈ 0.00065; of the exponential mean 10/sqrt(n) ≈ 0.022.
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.004);
    expect(Math.abs(expSum / n - 10)).toBeLessThan(0.15);
  });
  it("integer covers both ends", () => {
    const r = new Random(3);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(r.integer(1, 3));
    expect([...seen].sort()).toEqual([1, 2, 3]);
  });
});
