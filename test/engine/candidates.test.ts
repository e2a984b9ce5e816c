import { describe, expect, it } from "vitest";
import {
  candidateMarkets,
  cheapestMarket,
  deliveredWork,
  fitsMemory,
  usdPerWorkHour,
} from "../../src/engine/candidates.js";
import { handMarkets, handObservation } from "../support/hand-observation.js";

const markets = handMarkets([
  ["small", "spot", 4, 2, 0.1],
  ["mid", "spot", 8, 8, 0.4],
  ["big", "spot", 16, 40, 2.0],
  ["mid", "on-demand", 8, 8, 0.4],
]);

describe("candidates", () => {
  it("fits by memory and caps delivered work at the demand", () => {
    expect(fitsMemory(markets[0], 8)).toBe(false);
    expect(fitsMemory(markets[1], 8)).toBe(true);
    expect(deliveredWork(markets[2], 10)).toBe(10);
    expect(deliveredWork(markets[1], 10)).toBe(8);
  });

  it("prices a delivered work-unit-hour: p / min(work, demand)", () => {
    expect(usdPerWorkHour(markets[1], 0.2, 10)).toBeCloseTo(0.025, 15);
    expect(usdPerWorkHour(markets[2], 0.3, 10)).toBeCloseTo(0.03, 15);
  });

  it("skips unknown prices, excluded and too-small markets; ties go to the lower id", () => {
    const view = handObservation(markets, [0.001, NaN, 0.25, 0.2], { excluded: [] });
    expect(candidateMarkets(view)).toEqual([2, 3]);
    // big: 0.25 / 10 = 0.025; mid on-demand: 0.2 / 8 = 0.025: tie, lower id wins.
    expect(cheapestMarket(view)).toBe(2);
    expect(cheapestMarket(handObservation(markets, [0.001, NaN, 0.25, 0.2], { excluded: [2] }))).toBe(3);
    expect(cheapestMarket(view, "on-demand")).toBe(3);
    expect(cheapestMarket(handObservation(markets, [0.1, NaN, NaN, NaN]))).toBe(-1);
  });
});
