import { describe, expect, it } from "vitest";
import { greedyPolicy } from "../../src/policies/greedy.js";
import { handMarkets, handObservation } from "../support/hand-observation.js";

const markets = handMarkets([
  ["a", "spot", 8, 10, 1],
  ["b", "spot", 8, 10, 1],
  ["a", "on-demand", 8, 10, 1],
]);
const greedy = (minSaving = 0) => greedyPolicy.create({ minSaving: minSaving }, {} as never);

describe("greedy", () => {
  it("places on the cheapest market per unit of work", () => {
    expect(greedy().decide(handObservation(markets, [0.3, 0.2, 1]))).toMatchObject({
      kind: "place",
      marketId: 1,
    });
  });

  it("hops on any saving, ignoring transaction costs", () => {
    const decision = greedy().decide(handObservation(markets, [0.3, 0.2999, 1], { current: 0 }));
    expect(decision).toMatchObject({ kind: "place", marketId: 1 });
  });

  it("stays when already on the cheapest, or when the saving is below minSaving", () => {
    expect(greedy().decide(handObservation(markets, [0.2, 0.3, 1], { current: 0 })).kind).toBe("stay");
    // 0.3 → 0.28 saves 6.7% < 10%.
    expect(greedy(0.1).decide(handObservation(markets, [0.3, 0.28, 1], { current: 0 })).kind).toBe("stay");
    expect(greedy(0.1).decide(handObservation(markets, [0.3, 0.26, 1], { current: 0 }))).toMatchObject({
      marketId: 1,
    });
  });

  it("on a notice moves to the cheapest, even a fresh server of the same market", () => {
    const decision = greedy().decide(
      handObservation(markets, [0.2, 0.3, 1], { current: 0, trigger: "notice" }),
    );
    expect(decision).toMatchObject({ kind: "place", marketId: 0 });
  });
});
