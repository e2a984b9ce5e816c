import { describe, expect, it } from "vitest";
import type { Market } from "../../../../src/engine/types.js";
import { polledPaths, scenarioFromPaths } from "../../../../src/drivers/live/observe/polled-scenario.js";
import type { PricePoller } from "../../../../src/drivers/live/observe/price-poller.js";

const market = (id: number, instanceType: string, lifecycle: Market["lifecycle"]): Market => ({
  id,
  zone: "z",
  instanceType,
  lifecycle,
  vcpu: 2,
  memoryGiB: 8,
  work: 10,
  onDemandUsd: lifecycle === "spot" ? 1 : 0.5,
  architecture: "x86_64",
  cpuVendor: "intel",
});
const markets = [
  market(0, "a.large", "spot"),
  market(1, "b.large", "spot"),
  market(2, "a.large", "on-demand"),
];
// Only `series` is read: a.large changed at 10 and 30 s, b.large at 20 s.
const poller = {
  series: (type: string) =>
    type === "a.large"
      ? { times: Float64Array.of(10, 30), prices: Float64Array.of(0.2, 0.1) }
      : { times: Float64Array.of(20), prices: Float64Array.of(0.3) },
} as unknown as PricePoller;

describe("polledPaths", () => {
  it("gives spot markets the poller's changes and on-demand markets their constant price", () => {
    const paths = polledPaths(markets, poller);
    expect([paths[0].priceAt(9), paths[0].priceAt(10), paths[0].priceAt(31)]).toEqual([NaN, 0.2, 0.1]);
    expect(paths[1].priceAt(25)).toBe(0.3);
    expect([paths[2].priceAt(0), paths[2].nextChange(0)]).toEqual([0.5, Infinity]);
  });
});

describe("scenarioFromPaths", () => {
  it("lays the spot changes out as the sim's event columns, by time then market; on-demand has none", () => {
    const paths = polledPaths(markets, poller);
    const scenario = scenarioFromPaths("z", markets, paths);
    expect([...scenario.eventTime]).toEqual([10, 20, 30]);
    expect([...scenario.eventMarket]).toEqual([0, 1, 0]);
    expect([...scenario.eventPrice]).toEqual([0.2, 0.3, 0.1]);
    expect(scenario.paths).toEqual(paths);
    expect([scenario.zone, scenario.markets, scenario.skippedTypes, scenario.cpu]).toEqual([
      "z",
      markets,
      [],
      null,
    ]);
  });
});
