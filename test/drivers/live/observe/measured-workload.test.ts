import { describe, expect, it } from "vitest";
import { MeasuredWorkload } from "../../../../src/drivers/live/observe/measured-workload.js";

describe("MeasuredWorkload", () => {
  it("holds each measured level until the next, from the initial level on", () => {
    const w = new MeasuredWorkload(10, 1);
    w.record(100, 0.5);
    w.record(200, 0.2);
    expect([w.levelAt(0), w.levelAt(150), w.levelAt(250)]).toEqual([1, 0.5, 0.2]);
    // On 8 work units: min(10, 8) for 100 s, then 5 for 100 s, then 2 for 100 s.
    expect(w.workBetween(0, 300, 8)).toBeCloseTo((800 + 500 + 200) / 3600, 12);
    // 1 work-unit-hour from 200 s at 2 units/h: 1800 s.
    expect(w.timeToDeliver(200, 8, 1)).toBeCloseTo(2000, 9);
  });

  it("clamps levels to [0, 1] and refuses a sample before the previous one", () => {
    const w = new MeasuredWorkload(10, 0.3);
    w.record(50, 1.7);
    w.record(60, -0.1);
    expect([w.levelAt(55), w.levelAt(60)]).toEqual([1, 0]);
    expect(() => w.record(40, 0.5)).toThrow("workload sample at 40 is before the previous one");
  });
});
