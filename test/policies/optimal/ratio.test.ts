import { describe, expect, it } from "vitest";
import { evaluatePlan } from "../../../src/policies/optimal/dp.js";
import { solvePlan } from "../../../src/policies/optimal/ratio.js";
import { Random } from "../../../src/util/random.js";
import { enumeratePlans, randomModel } from "../../support/optimal-tables.js";

describe("solvePlan (Dinkelbach's method)", () => {
  it("reaches the least USD per work of every plan, by enumeration on random models", () => {
    // The same 300 random models as the DP's brute-force test (the same draws, seed 7).
    const random = new Random(7);
    for (let trial = 0; trial < 300; trial++) {
      const model = randomModel(random);
      random.uniform(0, 2);
      let bestRatio = Infinity;
      for (const placeAt of enumeratePlans(model)) {
        const { costUsd, work } = evaluatePlan(model, placeAt);
        if (work > 0) bestRatio = Math.min(bestRatio, costUsd / work);
      }
      const ratio = solvePlan(model, "usd-per-work");
      expect(ratio.costUsd / ratio.work, `trial ${trial}: ratio`).toBeCloseTo(bestRatio, 9);
    }
  });
});
