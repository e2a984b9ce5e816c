import { describe, expect, it } from "vitest";
import { LatencyModel, TABLE2_LATENCIES } from "../../../src/cloud/local/latency.js";

describe("LatencyModel", () => {
  it("scales every duration by the factor, 1/100 by default", () => {
    expect(new LatencyModel().factor).toBe(0.01);
    // The spot notice is a fixed 120 s: 120 000 ms × 0.01.
    expect(new LatencyModel().draw("spotNotice")).toBe(1200);
    expect(new LatencyModel({ factor: 1 }).draw("spotNotice")).toBe(120_000);
    expect(new LatencyModel({ factor: 0 }).draw("onDemandAcquire")).toBe(0);
    expect(new LatencyModel({ factor: 0.5 }).scaled(30)).toBe(15_000);
  });

  it("draws within the paper's Table 2 ranges, the same draws for the same seed", () => {
    const a = new LatencyModel({ factor: 1, seed: 7 });
    const b = new LatencyModel({ factor: 1, seed: 7 });
    const c = new LatencyModel({ factor: 1, seed: 8 });
    const drawsA = Array.from({ length: 200 }, () => a.draw("spotAcquire"));
    const drawsB = Array.from({ length: 200 }, () => b.draw("spotAcquire"));
    const drawsC = Array.from({ length: 200 }, () => c.draw("spotAcquire"));
    expect(drawsA).toEqual(drawsB);
    expect(drawsA).not.toEqual(drawsC);
    const { min, max } = TABLE2_LATENCIES.spotAcquire;
    for (const ms of drawsA) {
      expect(ms).toBeGreaterThanOrEqual(min * 1000);
      expect(ms).toBeLessThanOrEqual(max * 1000);
    }
  });

  it("takes overridden ranges", () => {
    const model = new LatencyModel({ factor: 1, ranges: { attach: { min: 5, max: 5 } } });
    expect(model.draw("attach")).toBe(5000);
    expect(model.draw("spotNotice")).toBe(120_000);
  });

  it("refuses a negative or infinite factor and an inverted range", () => {
    expect(() => new LatencyModel({ factor: -1 })).toThrow(
      "latency factor: expected a finite number >= 0, found -1",
    );
    expect(() => new LatencyModel({ factor: Infinity })).toThrow(
      "latency factor: expected a finite number >= 0, found Infinity",
    );
    expect(() => new LatencyModel({ ranges: { detach: { min: 10, max: 2 } } })).toThrow(
      "latency detach: expected 0 <= min <= max, found min 10, max 2",
    );
  });
});
