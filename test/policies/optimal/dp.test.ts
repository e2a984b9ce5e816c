import { describe, expect, it } from "vitest";
import { evaluatePlan, solveOptimalPlan } from "../../../src/policies/optimal/dp.js";
import { Random } from "../../../src/util/random.js";
import { enumeratePlans, randomModel, tableModel } from "../../support/optimal-tables.js";

describe("optimal DP core (explicit tables)", () => {
  it("finds the hand-computed cheapest plan", () => {
    // Epoch prices m0 [1, 5, 1], m1 [3, 1, 3], leaving costs 0.5 (the target pays its epoch).
    // Place m0 (1), hop to m1 at 1 (0.5 + 1), hop back at 2 (0.5 + 1): 4.0. Alternatives: m0 throughout 7,
    // m1 throughout 7, m0 then m1 5.5, m1 then m0 at 2: 3 + 1 + 1.5 = 5.5.
    const model = tableModel(
      [
        [1, 3],
        [5, 1],
        [1, 3],
      ],
      0.5,
    );
    const plan = solveOptimalPlan(model);
    expect(plan.value).toBe(4);
    expect(Array.from(plan.placeAt)).toEqual([0, 1, 0]);
    expect(evaluatePlan(model, plan.placeAt)).toEqual({ costUsd: 4, work: 3 });
  });

  it("does not hop when leaving costs more than it saves", () => {
    // Same prices, leaving costs 3: m0 throughout (7) beats 1 + 3.5 + 3.5 = 8 and 1 + 3.5 + 3 = 7.5.
    const plan = solveOptimalPlan(
      tableModel(
        [
          [1, 3],
          [5, 1],
          [1, 3],
        ],
        3,
      ),
    );
    expect(plan.value).toBe(7);
    expect(Array.from(plan.placeAt)).toEqual([0, -1, -1]);
  });

  it("matches brute-force enumeration of every plan on random models", () => {
    const random = new Random(7);
    for (let trial = 0; trial < 300; trial++) {
      const model = randomModel(random);
      const plans = enumeratePlans(model);
      const workPrice = random.uniform(0, 2);
      let bestValue = Infinity;
      let bestRatio = Infinity;
      for (const placeAt of plans) {
        const { costUsd, work } = evaluatePlan(model, placeAt);
        bestValue = Math.min(bestValue, costUsd - workPrice * work);
        if (work > 0) bestRatio = Math.min(bestRatio, costUsd / work);
      }
      const solved = solveOptimalPlan(model, workPrice);
      expect(solved.value, `trial ${trial}`).toBeCloseTo(bestValue, 9);
      const totals = evaluatePlan(model, solved.placeAt);
      expect(totals.costUsd - workPrice * totals.work, `trial ${trial}: plan`).toBeCloseTo(bestValue, 9);
    }
  });
});
