import { describe, expect, it } from "vitest";
import { SimHistory } from "../../../src/drivers/sim/history.js";
import { buildZoneScenario } from "../../../src/drivers/sim/markets.js";
import { handResolution, handTrace, twoTypes } from "./fixtures.js";

describe("SimHistory", () => {
  const zone = "us-east-1a";
  const trace = handTrace(
    [
      [zone, "a.large", 0, 0.3],
      [zone, "b.large", 0, 0.4],
      [zone, "a.large", 3600, 0.5],
      [zone, "a.large", 5400, 0.45],
      [zone, "a.large", 7200, 0.3],
    ],
    { start: 0, end: 20000 },
  );
  const scenario = buildZoneScenario(trace, zone, handResolution(twoTypes));

  it("counts a market's changes in the look-back window", () => {
    const history = new SimHistory(scenario, 3600, 8, 10);
    history.setNow(7200);
    // (3600, 7200]: changes at 5400 and 7200.
    expect(history.changes(0)).toBe(2);
    expect(history.changes(1)).toBe(0);
  });

  it("gives the mean time between changes of the cheapest market, Infinity without one", () => {
    const history = new SimHistory(scenario, 10000, 8, 10);
    history.setNow(3000);
    expect(history.meanTimeToChangeOfCheapest()).toBe(Infinity);
    // Cheapest: a, then b at 3600 (a 0.5), still b at 5400 (a 0.45), a again at 7200: two changes.
    history.setNow(8000);
    expect(history.meanTimeToChangeOfCheapest()).toBe(5000);
  });

  it("says when the oldest change of the cheapest it counts leaves the window", () => {
    const history = new SimHistory(scenario, 10000, 8, 10);
    history.setNow(3000);
    expect(history.cheapestChangeLeavesAt()).toBe(Infinity);
    // Changes at 3600 and 7200: the one at 3600 is counted until 13600, then the one at 7200 until 17200.
    history.setNow(8000);
    expect(history.cheapestChangeLeavesAt()).toBe(13600);
    history.setNow(13600);
    expect([history.cheapestChangeLeavesAt(), history.meanTimeToChangeOfCheapest()]).toEqual([17200, 10000]);
    history.setNow(17200);
    expect(history.cheapestChangeLeavesAt()).toBe(Infinity);
  });

  it("tells a market's past prices and changes, never beyond the present", () => {
    const history = new SimHistory(scenario, 3600, 8, 10);
    history.setNow(6000);
    // a.large: 0.3 from 0, 0.5 from 3600, 0.45 from 5400 (0.3 again at 7200, after now).
    expect([history.priceAt(0, 100), history.priceAt(0, 3600), history.priceAt(0, 9000)]).toEqual([
      0.3, 0.5, 0.45,
    ]);
    expect([history.nextPriceChange(0, 100), history.nextPriceChange(0, 5400)]).toEqual([3600, Infinity]);
  });
});
