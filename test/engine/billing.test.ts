import { describe, expect, it } from "vitest";
import { instanceCost, integrate, paidTimeLeft, type PricePath } from "../../src/engine/billing.js";

/** A step function from [time, price] pairs (price per hour), sorted by time. */
function steps(points: Array<[number, number]>): PricePath {
  return {
    priceAt: (t) => {
      let price = NaN;
      for (const [time, value] of points) if (time <= t) price = value;
      return price;
    },
    nextChange: (t) => points.find(([time]) => time > t)?.[0] ?? Infinity,
  };
}

const path = steps([
  [0, 0.36],
  [1800, 0.72],
  [5400, 0.18],
]);

describe("integrate", () => {
  it("sums price × time across steps", () => {
    // 1800 s at 0.36 + 3600 s at 0.72 + 1800 s at 0.18 = 0.18 + 0.72 + 0.09
    expect(integrate(path, 0, 7200)).toBeCloseTo(0.99, 12);
  });
});

describe("per-second billing", () => {
  it("charges the integral with a 60 s minimum", () => {
    expect(instanceCost("per-second", path, "spot", 0, 3600, "user")).toBeCloseTo(0.18 + 0.36, 12);
    // 10 s used, 60 s billed at 0.36/h.
    expect(instanceCost("per-second", path, "spot", 0, 10, "user")).toBeCloseTo(0.006, 12);
  });
  it("does not charge a spot instance interrupted in its first hour, but does after it", () => {
    expect(instanceCost("per-second", path, "spot", 0, 3599, "interruption")).toBe(0);
    expect(instanceCost("per-second", path, "spot", 0, 7200, "interruption")).toBeCloseTo(0.99, 12);
    expect(instanceCost("per-second", path, "on-demand", 0, 1800, "interruption")).toBeCloseTo(0.18, 12);
  });
});

describe("hourly billing", () => {
  it("charges the price at the start of each started hour", () => {
    // Hours start at 0 (0.36) and 3600 (0.72); the second is partial but user-ended, so charged.
    expect(instanceCost("hourly", path, "spot", 0, 4000, "user")).toBeCloseTo(1.08, 12);
    // Start at 1000: hours at 1000 (0.36), 4600 (0.72), 8200 (0.18).
    expect(instanceCost("hourly", path, "spot", 1000, 8300, "user")).toBeCloseTo(1.26, 12);
  });
  it("does not charge a revoked partial hour", () => {
    expect(instanceCost("hourly", path, "spot", 0, 4000, "interruption")).toBeCloseTo(0.36, 12);
    expect(instanceCost("hourly", path, "spot", 0, 3000, "interruption")).toBe(0);
  });
});

describe("paidTimeLeft", () => {
  it("is the rest of the hour (hourly) or of the minute minimum (per second)", () => {
    expect(paidTimeLeft("hourly", 100, 100)).toBe(3600);
    expect(paidTimeLeft("hourly", 100, 1000)).toBe(2700);
    expect(paidTimeLeft("hourly", 100, 3700)).toBe(0);
    expect(paidTimeLeft("per-second", 100, 130)).toBe(30);
    expect(paidTimeLeft("per-second", 100, 500)).toBe(0);
  });
});
