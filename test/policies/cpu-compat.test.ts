import { describe, expect, it } from "vitest";
import { buildZoneScenario } from "../../src/drivers/sim/markets.js";
import { simulateZone } from "../../src/drivers/sim/run.js";
import { policyByName } from "../../src/policies/index.js";
import {
  cpuCompatible,
  cpuCompatRules,
  liveCpuCompatRules,
  originMarket,
  type CpuCompat,
} from "../../src/policies/cpu-compat.js";
import type { Market } from "../../src/engine/types.js";
import { handResolution, handTrace, simConfig, type HandType } from "../drivers/sim/fixtures.js";

const zone = "us-east-1a";
const H = 3600;

/** Intel, AMD and Graviton types of equal size; the AMD one gets cheapest at 2 h, the Graviton one at 4 h. */
const types: readonly HandType[] = [
  { type: "m4.large", memoryGiB: 8, work: 10, onDemand: 1 },
  {
    type: "m5a.large",
    memoryGiB: 8,
    work: 10,
    onDemand: 1,
    cpu: { architecture: "x86_64", cpuVendor: "amd" },
  },
  {
    type: "m6g.large",
    memoryGiB: 8,
    work: 10,
    onDemand: 1,
    cpu: { architecture: "arm64", cpuVendor: "aws" },
  },
];
const trace = handTrace(
  [
    [zone, "m4.large", 0, 0.05],
    [zone, "m5a.large", 0, 0.08],
    [zone, "m6g.large", 0, 0.09],
    [zone, "m5a.large", 2 * H, 0.02],
    [zone, "m6g.large", 4 * H, 0.01],
  ],
  { start: 0, end: 8 * H },
);
const resolution = handResolution(types);

async function greedy(rule: CpuCompat) {
  const config = simConfig({ cpuCompat: rule });
  const scenario = buildZoneScenario(trace, zone, resolution, {
    rule,
    start: 0,
    memoryGiB: config.memoryGiB,
    demandWork: config.demandWork,
  });
  const run = await simulateZone(trace, scenario, config, policyByName("greedy"), { minSaving: 0 });
  const placed = run.result.instances.map((i) => run.markets[i.marketId]);
  return { scenario, run, placed };
}

describe("the CPU-compatibility rule in simulation (hand-made trace: Intel, AMD, Graviton)", () => {
  it("none: greedy follows the price onto AMD, then Graviton (two architectures: what the rule prevents)", async () => {
    const { scenario, placed } = await greedy("none");
    expect(scenario.cpu).toEqual({ rule: "none", origin: "m4.large", excludedTypes: [] });
    expect([...new Set(placed.map((m) => m.instanceType))]).toEqual(["m4.large", "m5a.large", "m6g.large"]);
  });

  it("same-arch and any-x86: Intel and AMD, never arm64", async () => {
    for (const rule of ["same-arch", "any-x86"] as const) {
      const { scenario, placed } = await greedy(rule);
      expect(scenario.cpu).toEqual({ rule, origin: "m4.large", excludedTypes: ["m6g.large"] });
      expect([...new Set(placed.map((m) => m.instanceType))]).toEqual(["m4.large", "m5a.large"]);
      expect(new Set(placed.map((m) => m.architecture))).toEqual(new Set(["x86_64"]));
    }
  });

  it("same-vendor (the default): one vendor, one architecture, and it costs what the cheaper CPUs would have saved", async () => {
    const { scenario, run, placed } = await greedy("same-vendor");
    expect(scenario.cpu).toEqual({
      rule: "same-vendor",
      origin: "m4.large",
      excludedTypes: ["m5a.large", "m6g.large"],
    });
    expect(scenario.markets.map((m) => `${m.instanceType} ${m.lifecycle}`)).toEqual([
      "m4.large spot",
      "m4.large on-demand",
    ]);
    expect(new Set(placed.map((m) => `${m.architecture} ${m.cpuVendor}`))).toEqual(new Set(["x86_64 intel"]));
    // Stays on m4.large spot at $0.05/h for the 8 h, billed from the end of its 67 s spot acquire.
    expect(run.result.hops).toBe(0);
    expect(run.result.costUsd).toBeCloseTo((0.05 * (8 * H - 67)) / H, 9);
    expect(run.result.costUsd).toBeGreaterThan((await greedy("none")).run.result.costUsd);
  });
});

describe("the rules, CPU by CPU", () => {
  const intel = { architecture: "x86_64", cpuVendor: "intel" } as const;
  const amd = { architecture: "x86_64", cpuVendor: "amd" } as const;
  const graviton = { architecture: "arm64", cpuVendor: "aws" } as const;

  it("same-vendor keeps vendor and architecture, same-arch the architecture, any-x86 x86-64, none anything", () => {
    const table = (Object.keys(cpuCompatRules) as CpuCompat[]).map((rule) => [
      rule,
      cpuCompatible(rule, intel, intel),
      cpuCompatible(rule, intel, amd),
      cpuCompatible(rule, intel, graviton),
      cpuCompatible(rule, graviton, graviton),
    ]);
    expect(table).toEqual([
      ["same-vendor", true, false, false, true],
      ["same-arch", true, true, false, true],
      ["any-x86", true, true, false, false],
      ["none", true, true, true, true],
    ]);
    expect(Object.keys(liveCpuCompatRules)).toEqual(["same-vendor", "same-arch", "any-x86"]);
  });
});

describe("originMarket", () => {
  const m = (id: number, memoryGiB: number, work: number, architecture: "x86_64" | "arm64"): Market => ({
    id,
    zone: "z",
    instanceType: `t${id}.large`,
    lifecycle: "spot",
    vcpu: 2,
    memoryGiB,
    work,
    onDemandUsd: 1,
    architecture,
    cpuVendor: architecture === "arm64" ? "aws" : "intel",
  });
  // USD per delivered work-hour at a demand of 10: 0.2/10, 0.15/5, 0.1/10 (arm64), 0.01/10 (too small).
  const markets = [m(0, 8, 10, "x86_64"), m(1, 8, 5, "x86_64"), m(2, 8, 20, "arm64"), m(3, 2, 10, "x86_64")];
  const prices = [0.2, 0.15, 0.1, 0.01];

  it("is the cheapest per delivered work-hour among those that fit, x86-64 only under any-x86", () => {
    expect(originMarket("same-vendor", markets, (id) => prices[id], 8, 10)).toBe(2);
    expect(originMarket("any-x86", markets, (id) => prices[id], 8, 10)).toBe(0);
    expect(originMarket("none", markets, (id) => prices[id], 1, 10)).toBe(3);
  });

  it("ties go to the lower id; no price at all gives -1", () => {
    expect(originMarket("same-arch", markets.slice(0, 2), () => 0.1, 8, 5)).toBe(0);
    expect(originMarket("same-arch", markets, () => NaN, 8, 10)).toBe(-1);
    expect(originMarket("same-arch", markets, (id) => prices[id], 64, 10)).toBe(-1);
  });
});
