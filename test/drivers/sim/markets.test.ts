import { describe, expect, it } from "vitest";
import { buildZoneScenario, ScenarioCache } from "../../../src/drivers/sim/markets.js";
import { handResolution, handTrace, twoTypes } from "./fixtures.js";

const zone = "us-east-1a";
const trace = handTrace(
  [
    [zone, "a.large", 0, 0.3],
    [zone, "b.large", 0, 0.4],
    [zone, "a.large", 600, 0.2],
    ["us-east-1b", "a.large", 0, 0.5],
  ],
  { start: 0, end: 3600 },
);

describe("a zone's scenario, kept between a sweep's items", () => {
  it("is built once per zone and resolution, and equals a fresh build", () => {
    const cache = new ScenarioCache();
    const resolution = handResolution(twoTypes);
    const first = buildZoneScenario(trace, zone, resolution, undefined, cache);
    // Another window of the same columns (as a sweep's item), and a resolution equal in every field.
    const again = buildZoneScenario(
      { ...trace, window: { start: 600, end: 3600 } },
      zone,
      handResolution(twoTypes),
      undefined,
      cache,
    );
    expect(again).toBe(first);
    expect(first).toEqual(buildZoneScenario(trace, zone, resolution));
    expect([...first.eventTime]).toEqual([0, 0, 600]);
    expect(first.markets.map((m) => `${m.instanceType} ${m.lifecycle}`)).toEqual([
      "a.large spot",
      "b.large spot",
      "a.large on-demand",
      "b.large on-demand",
    ]);
  });

  it("is built again for another zone, another on-demand price, or another trace's columns", () => {
    const cache = new ScenarioCache();
    const first = buildZoneScenario(trace, zone, handResolution(twoTypes), undefined, cache);
    expect(buildZoneScenario(trace, "us-east-1b", handResolution(twoTypes), undefined, cache)).not.toBe(
      first,
    );
    const dearer = handResolution(twoTypes.map((t) => ({ ...t, onDemand: t.onDemand * 2 })));
    const repriced = buildZoneScenario(trace, zone, dearer, undefined, cache);
    expect(repriced).not.toBe(first);
    expect(repriced.markets[2].onDemandUsd).toBe(2);
    const copy = { ...trace, time: Float64Array.from(trace.time) };
    expect(buildZoneScenario(copy, zone, handResolution(twoTypes), undefined, cache)).not.toBe(first);
  });
});
