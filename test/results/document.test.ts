import { describe, expect, it } from "vitest";
import type { PolicyRun } from "../../src/engine/result.js";
import type { EngineResult } from "../../src/engine/result.js";
import type { Market } from "../../src/engine/types.js";
import { buildResultsDocument, p95, RESULTS_VERSION, traceIdentity } from "../../src/results/document.js";
import { serializeResults } from "../../src/results/write.js";
import { handTrace } from "../drivers/sim/fixtures.js";

const markets: Market[] = [
  {
    id: 0,
    zone: "z",
    instanceType: "a.large",
    lifecycle: "spot",
    vcpu: 2,
    memoryGiB: 8,
    work: 10,
    onDemandUsd: 1,
    architecture: "x86_64",
    cpuVendor: "intel",
  },
  {
    id: 1,
    zone: "z",
    instanceType: "a.large",
    lifecycle: "on-demand",
    vcpu: 2,
    memoryGiB: 8,
    work: 10,
    onDemandUsd: 1,
    architecture: "x86_64",
    cpuVendor: "intel",
  },
];

/** A run's outcome written by hand (results arithmetic only; no simulation involved). */
function handRun(
  policy: string,
  zone: string,
  costUsd: number,
  work: number,
  downtimes: number[],
): PolicyRun {
  const result: EngineResult = {
    start: 0,
    end: 36000,
    costUsd,
    onDemand: { marketId: 1, costUsd: 10, work: 100 },
    work,
    lostWork: 1,
    hops: downtimes.length,
    abortedHops: 0,
    restarts: 0,
    revocations: 0,
    notices: 0,
    acquireFailures: 0,
    decisions: 120,
    downtimes,
    finished: false,
    instances: [{ marketId: 0, start: 0, end: 36000, endedBy: "user", costUsd }],
    timeline: [{ time: 0, kind: "place", marketId: 0, price: 0.3, reason: "cheapest" }],
  };
  return { policy, params: {}, zone, markets, result, eventsReplayed: 5, advisorMissingTypes: [] };
}

const trace = handTrace([["z", "a.large", 0, 0.3]], { start: 0, end: 36000 });

function document(runs: PolicyRun[]) {
  return buildResultsDocument({
    trace: traceIdentity(trace, { start: 0, end: 36000 }),
    seed: 3,
    workUnit: "ecu",
    configuration: { billing: "per-second" },
    runs,
  });
}

describe("results document", () => {
  it("takes the nearest-rank 95th percentile of outages", () => {
    expect(p95([])).toBe(0);
    expect(p95([5])).toBe(5);
    expect(p95(Array.from({ length: 20 }, (_, i) => 20 - i))).toBe(19);
    expect(p95(Array.from({ length: 21 }, (_, i) => i + 1))).toBe(20);
  });

  it("prices the delivered work at the on-demand baseline's $ per work-unit-hour", () => {
    const doc = document([handRun("greedy", "z", 2, 80, [30, 40])]);
    const [run] = doc.runs;
    // Baseline: $10 for 100 ECU-h = $0.1 per ECU-h; 80 ECU-h would have cost $8.
    expect(run.onDemandCostUsd).toBeCloseTo(8, 12);
    expect(run.percentOfOnDemand).toBeCloseTo(25, 12);
    expect(run.usdPerEcuHour).toBeCloseTo(2 / 80, 12);
    expect(run.downtimeSeconds).toBe(70);
    expect(run.outageDowntimesSeconds).toEqual([30, 40]);
    expect(run.migrations).toBe(2);
    expect(run.gapToOptimal).toBeNull();
    expect(run.timeline[0]).toEqual({
      time: "1970-01-01T00:00:00.000Z",
      kind: "place",
      instanceType: "a.large",
      lifecycle: "spot",
      price: 0.3,
      reason: "cheapest",
    });
    expect(doc.version).toBe(RESULTS_VERSION);
  });

  it("aggregates zones per policy and measures the gap to the optimum per work-unit-hour", () => {
    const doc = document([
      handRun("greedy", "z1", 2, 80, [30]),
      handRun("optimal", "z1", 1, 50, []),
      handRun("greedy", "z2", 4, 80, [50]),
      handRun("optimal", "z2", 3, 100, [10]),
    ]);
    // z1: greedy 2/80 = 0.025 vs optimal 1/50 = 0.02 → +25%.
    expect(doc.runs[0].gapToOptimal).toBeCloseTo(0.25, 12);
    const greedy = doc.aggregate.find((a) => a.policy === "greedy")!;
    expect(greedy.zones).toEqual(["z1", "z2"]);
    expect(greedy.costUsd).toBe(6);
    expect(greedy.workEcuHours).toBe(160);
    expect(greedy.onDemandCostUsd).toBeCloseTo(16, 12);
    expect(greedy.downtimeP95Seconds).toBe(50);
    // Rates are zone means: greedy (2/80 + 4/80) / 2 = 0.0375, optimal (1/50 + 3/100) / 2 = 0.025.
    expect(greedy.usdPerEcuHour).toBeCloseTo(0.0375, 12);
    expect(greedy.gapToOptimal).toBeCloseTo(0.0375 / 0.025 - 1, 12);
    // % of on-demand: z1 $2 of $8, z2 $4 of $8 → (25 + 50) / 2.
    expect(greedy.percentOfOnDemand).toBeCloseTo(37.5, 12);
    expect(doc.excludedZones).toEqual([]);
  });

  it("leaves a zone where nothing held a server out of the aggregate and names it", () => {
    const empty = (policy: string): PolicyRun => {
      const run = handRun(policy, "z0", 0, 0, []);
      return {
        ...run,
        markets: markets.map((market) => ({ ...market, memoryGiB: 4 })),
        result: { ...run.result, lostWork: 0, onDemand: null, instances: [], timeline: [] },
      };
    };
    const doc = buildResultsDocument({
      trace: traceIdentity(trace, { start: 0, end: 36000 }),
      seed: 3,
      workUnit: "ecu",
      configuration: { memoryGiB: 8 },
      runs: [empty("greedy"), handRun("greedy", "z1", 2, 80, []), handRun("greedy", "z2", 4, 80, [])],
    });
    expect(doc.excludedZones).toEqual([{ zone: "z0", reason: "no market there fits the container's 8 GiB" }]);
    const [greedy] = doc.aggregate;
    expect(greedy.zones).toEqual(["z1", "z2"]);
    expect(greedy.percentOfOnDemand).toBeCloseTo(37.5, 12);
    expect(greedy.costUsd).toBe(6);
  });

  it("serialises deterministically", () => {
    const runs = [handRun("greedy", "z", 2, 80, [30, 40])];
    expect(serializeResults(document(runs))).toBe(serializeResults(document(runs)));
    expect(serializeResults(document(runs)).endsWith("}\n")).toBe(true);
  });
});
