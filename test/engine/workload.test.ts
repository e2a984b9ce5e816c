import { describe, expect, it } from "vitest";
import { StepWorkload } from "../../src/engine/workload.js";

describe("StepWorkload", () => {
  // demand 10; level 1 until 3600, 0.5 until 7200, then 0.
  const profile = new StepWorkload(10, Float64Array.of(0, 3600, 7200), Float64Array.of(1, 0.5, 0));

  it("integrates min(level × demand, capacity) in work-unit-hours", () => {
    expect(profile.workBetween(0, 7200, 100)).toBeCloseTo(10 + 5, 12);
    expect(profile.workBetween(0, 7200, 6)).toBeCloseTo(6 + 5, 12);
    expect(profile.workBetween(1800, 9000, 100)).toBeCloseTo(5 + 5, 12);
    expect(StepWorkload.constant(26.75, 1).workBetween(0, 7200, 53.5)).toBeCloseTo(53.5, 12);
  });

  it("finds when an amount of work is done, or Infinity", () => {
    expect(profile.timeToDeliver(0, 100, 12.5)).toBeCloseTo(3600 + 1800 * 1, 9);
    expect(profile.timeToDeliver(0, 100, 16)).toBe(Infinity);
    expect(StepWorkload.constant(10, 1).timeToDeliver(100, 5, 5)).toBeCloseTo(3700, 9);
  });
});
