import { describe, expect, it } from "vitest";
import {
  defaultMigrationModel,
  migrationEstimate,
  sampleDuration,
  transferSeconds,
} from "../../src/engine/migration-model.js";
import { Random } from "../../src/util/random.js";

describe("migration model", () => {
  it("moves memory at 10 Gbit/s, or ~200 s per 32 GiB via EBS", () => {
    expect(transferSeconds(defaultMigrationModel, 32)).toBeCloseTo((32 * 8 * 1024 ** 3) / 1e10, 12);
    expect(transferSeconds({ ...defaultMigrationModel, transfer: "ebs" }, 32)).toBeCloseTo(200, 12);
  });

  it("estimates a hop with the paper's means: downtime = checkpoint + transfer + move + restore", () => {
    const spot = migrationEstimate(defaultMigrationModel, 8, "spot");
    expect(spot.acquireSeconds).toBe(67);
    expect(spot.downtimeSeconds).toBeCloseTo(2 + (8 * 8 * 1024 ** 3) / 1e10 + 28 + 2, 12);
    expect(spot.terminateSeconds).toBe(38.5);
    expect(migrationEstimate(defaultMigrationModel, 8, "on-demand").acquireSeconds).toBe(28);
  });

  it("samples within the range with the configured mean", () => {
    const random = new Random(11);
    const range = defaultMigrationModel.acquireSpot;
    let sum = 0;
    let low = Infinity;
    let high = -Infinity;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const x = sampleDuration(range, random);
      low = Math.min(low, x);
      high = Math.max(high, x);
      sum += x;
    }
    expect(low).toBeGreaterThanOrEqual(31);
    expect(high).toBeLessThanOrEqual(167);
    // Standard error of the mean is ~0.1 s here; 1 s is ten of them.
    expect(Math.abs(sum / n - 67)).toBeLessThan(1);
  });
});
