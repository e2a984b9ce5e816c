import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { expandGrid, parseVary, varyKeys, type SweepSettings } from "../../src/sweep/settings.js";

const base: SweepSettings = {
  intervalSeconds: 300,
  billing: "per-second",
  memoryGiB: 8,
  demandWork: 6.5,
  utilisation: 1,
  transfer: "network",
  bandwidthGbps: 10,
  durations: "mean",
  interruptions: "auto",
  bidMultiple: 1,
  historyWindowSeconds: 86400,
};

describe("parseVary", () => {
  it("turns KEY=list flags into typed values, durations in seconds", () => {
    expect(parseVary(["memory-gib=1,4,16,64", "interval=60,5m", "billing=hourly,per-second"])).toEqual([
      { key: "memory-gib", values: [1, 4, 16, 64] },
      { key: "interval", values: [60, 300] },
      { key: "billing", values: ["hourly", "per-second"] },
    ]);
  });

  it("rejects an unknown key, listing the valid ones", () => {
    expect(() => parseVary(["memory=1,2"])).toThrow(UsageError);
    expect(() => parseVary(["memory=1,2"])).toThrow(
      `--vary: expected a key among ${Object.keys(varyKeys).join(", ")}, found "memory"`,
    );
  });

  it("rejects a bad value naming the key, a repeated key, repeated values and a missing =", () => {
    expect(() => parseVary(["utilisation=0.5,2"])).toThrow(
      '--vary utilisation: expected a number ≥ 0 and ≤ 1, found "2"',
    );
    expect(() => parseVary(["interval=60", "interval=300"])).toThrow("each key once");
    expect(() => parseVary(["memory-gib=4,4"])).toThrow("distinct values");
    expect(() => parseVary(["memory-gib"])).toThrow("KEY=v1,v2");
  });
});

describe("expandGrid", () => {
  it("is every combination, the last axis varying fastest, with the settings filled in", () => {
    const grid = expandGrid(base, parseVary(["memory-gib=1,64", "interval=60,300,900"]));
    expect(grid.map((point) => point.varied)).toEqual([
      { "memory-gib": 1, interval: 60 },
      { "memory-gib": 1, interval: 300 },
      { "memory-gib": 1, interval: 900 },
      { "memory-gib": 64, interval: 60 },
      { "memory-gib": 64, interval: 300 },
      { "memory-gib": 64, interval: 900 },
    ]);
    expect(grid.map((point) => point.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(grid[5].settings).toEqual({ ...base, memoryGiB: 64, intervalSeconds: 900 });
  });

  it("is the base alone when nothing varies", () => {
    expect(expandGrid(base, [])).toEqual([{ index: 0, varied: {}, settings: base }]);
  });
});
