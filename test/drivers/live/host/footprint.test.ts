import { describe, expect, it } from "vitest";
import { MemoryFootprint, memoryExclusions } from "../../../../src/drivers/live/host/footprint.js";
import type { Market } from "../../../../src/engine/types.js";

const MiB = 2 ** 20;
const GiB = 2 ** 30;

function market(id: number, instanceType: string, memoryGiB: number, lifecycle: Market["lifecycle"]): Market {
  return {
    id,
    zone: "us-east-1a",
    instanceType,
    lifecycle,
    vcpu: 2,
    memoryGiB,
    work: 8,
    onDemandUsd: 0.1,
    architecture: "x86_64",
    cpuVendor: "intel",
  };
}

describe("MemoryFootprint: what a server must hold for the container", () => {
  it("is unknown before the first measurement", () => {
    expect(new MemoryFootprint().need()).toBeNull();
  });

  it("no limit: the highest use seen × 1.5 + 0.5 GiB; a restore's fresh, lower peak does not lower it", () => {
    const footprint = new MemoryFootprint();
    footprint.observe({ currentBytes: 2 * GiB, peakBytes: 8 * GiB, limitBytes: null });
    // 8 × 1.5 + 0.5 = 12.5
    expect(footprint.need()).toEqual({ gib: 12.5, basis: "peak 8.00 GiB × 1.5 + 0.5 GiB host" });
    footprint.observe({ currentBytes: 1 * GiB, peakBytes: 1 * GiB, limitBytes: null });
    expect(footprint.need()!.gib).toBe(12.5);
  });

  it("without memory.peak, the highest memory.current seen so far", () => {
    const footprint = new MemoryFootprint(2, 0.25);
    footprint.observe({ currentBytes: 512 * MiB, peakBytes: null, limitBytes: null });
    footprint.observe({ currentBytes: 1536 * MiB, peakBytes: null, limitBytes: null });
    footprint.observe({ currentBytes: 1024 * MiB, peakBytes: null, limitBytes: null });
    // 1.5 GiB × 2 + 0.25 = 3.25
    expect(footprint.need()).toEqual({ gib: 3.25, basis: "peak 1.50 GiB × 2 + 0.25 GiB host" });
  });

  it("a limit, when set, is the need (plus the host's 0.5 GiB), whatever the use", () => {
    const footprint = new MemoryFootprint();
    footprint.observe({ currentBytes: 16 * MiB, peakBytes: 20 * MiB, limitBytes: 2 * GiB });
    expect(footprint.need()).toEqual({ gib: 2.5, basis: "limit 2.00 GiB + 0.5 GiB host" });
  });
});

describe("memoryExclusions: one line per type too small, smallest first", () => {
  const markets = [
    market(0, "m4.large", 8, "spot"),
    market(1, "c4.large", 3.75, "spot"),
    market(2, "c4.large", 3.75, "on-demand"),
    market(3, "c3.large", 3.75, "spot"),
    market(4, "t2.small", 2, "spot"),
    market(5, "m4.xlarge", 16, "spot"),
  ];

  it("names each type once (spot and on-demand alike), with the memory it has and the need's basis", () => {
    expect(memoryExclusions(markets, { gib: 12.5, basis: "peak 8.00 GiB × 1.5 + 0.5 GiB host" })).toEqual([
      "t2.small excluded: 2.00 GiB < 12.50 GiB needed (peak 8.00 GiB × 1.5 + 0.5 GiB host)",
      "c3.large excluded: 3.75 GiB < 12.50 GiB needed (peak 8.00 GiB × 1.5 + 0.5 GiB host)",
      "c4.large excluded: 3.75 GiB < 12.50 GiB needed (peak 8.00 GiB × 1.5 + 0.5 GiB host)",
      "m4.large excluded: 8.00 GiB < 12.50 GiB needed (peak 8.00 GiB × 1.5 + 0.5 GiB host)",
    ]);
  });

  it("a type with exactly the need fits", () => {
    expect(memoryExclusions(markets, { gib: 3.75, basis: "--memory" })).toEqual([
      "t2.small excluded: 2.00 GiB < 3.75 GiB needed (--memory)",
    ]);
  });
});
