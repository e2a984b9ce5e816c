import { describe, expect, it } from "vitest";
import { buildZoneScenario } from "../../../src/drivers/sim/markets.js";
import { simulateZone, simulationWindow } from "../../../src/drivers/sim/run.js";
import { runStudy } from "../../../src/drivers/sim/study.js";
import { policyByName, resolveParams } from "../../../src/policies/index.js";
import { handResolution, handTrace, simConfig, twoTypes } from "./fixtures.js";

const H = 3600;
const trace = handTrace(
  [
    ["z-a", "a.large", 0, 0.3],
    ["z-a", "b.large", 0, 0.2],
    ["z-a", "a.large", 2 * H, 0.1],
    ["z-b", "a.large", 0, 0.5],
    ["z-b", "b.large", 0, 0.4],
  ],
  { start: 0, end: 4 * H },
);
const resolution = handResolution(twoTypes);
const studied = ["spot-stay", "greedy"].map((name) => {
  const definition = policyByName(name);
  return { definition, params: resolveParams(definition, {}) };
});
const config = simConfig();

describe("runStudy", () => {
  it("runs every policy on every zone, in that order, each run what simulateZone gives on the zone's scenario", async () => {
    const progress: string[] = [];
    const document = await runStudy({
      trace,
      resolution,
      catalogDescription: "hand-made",
      policies: studied,
      config,
      workloadDescription: "constant 1",
      onProgress: (done, total, label) => progress.push(`${done}/${total} ${label}`),
    });
    expect(progress).toEqual(["1/4 z-a spot-stay", "2/4 z-a greedy", "3/4 z-b spot-stay", "4/4 z-b greedy"]);
    expect(document.runs.map((run) => `${run.zone} ${run.policy}`)).toEqual(progress.map((p) => p.slice(4)));
    const window = simulationWindow(trace);
    const cpu = { rule: config.cpuCompat, start: window.start, memoryGiB: 8, demandWork: 10 };
    const scenario = buildZoneScenario(trace, "z-a", resolution, cpu);
    const direct = await simulateZone(
      trace,
      scenario,
      config,
      studied[1].definition,
      studied[1].params,
      window,
    );
    expect(document.runs[1].costUsd).toBe(direct.result.costUsd);
    expect(document.runs[1].migrations).toBe(direct.result.hops);
    expect(document.prices).toBeUndefined();
  });

  it("records the configuration, each zone's CPU restriction, and the prices when asked", async () => {
    const document = await runStudy({
      trace,
      resolution,
      catalogDescription: "hand-made",
      policies: studied.slice(0, 1),
      config,
      workloadDescription: "constant 1",
      recordPrices: true,
    });
    expect(document.configuration).toMatchObject({
      intervalSeconds: 300,
      billing: "per-second",
      interruptions: { kind: "none" },
      memoryGiB: 8,
      demandWork: 10,
      cpuCompat: "same-vendor",
      utilisation: "constant 1",
      catalog: "hand-made",
      region: "us-east-1",
      skippedTypes: [],
      policies: [{ name: "spot-stay", params: studied[0].params }],
    });
    const restrictions = document.configuration.cpuRestrictions as Record<string, { origin: string } | null>;
    expect(Object.keys(restrictions)).toEqual(["z-a", "z-b"]);
    expect([restrictions["z-a"]?.origin, restrictions["z-b"]?.origin]).toEqual(["b.large", "b.large"]);
    expect(document.prices?.map((zone) => zone.zone)).toEqual(["z-a", "z-b"]);
    expect([document.trace.start, document.trace.end]).toEqual([
      "1970-01-01T00:00:00.000Z",
      "1970-01-01T04:00:00.000Z",
    ]);
  });
});
