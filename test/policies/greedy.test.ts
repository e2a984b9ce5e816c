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

  it("a stay watches the prices that could change its answer", () => {
    // Each market delivers 10 work units: $0.02, 0.03 and 0.1 per unit. On the cheapest, a price change
    // matters when it puts a at 0.025 (halfway to b's 0.03) or above, or another market at it or below.
    const divisors = Float64Array.of(10, 10, 10);
    const halfway = 0.2 / 10 + (0.3 / 10 - 0.2 / 10) / 2;
    expect(greedy().decide(handObservation(markets, [0.2, 0.3, 1], { current: 0 }))).toEqual({
      kind: "stay",
      reason: "already on the cheapest",
      until: Infinity,
      watch: { market: -1, other: -1, lowest: 0, ceiling: halfway, divisors, line: halfway },
    });
    // b cheaper but excluded: the full search chose a; any change of a's price matters, and another
    // market's at a's $0.03 or below.
    const excluded = handObservation(markets, [0.3, 0.2, 1], { current: 0, excluded: [1] });
    expect(greedy().decide(excluded)).toMatchObject({
      watch: { market: 0, other: -1, lowest: -1, line: 0.3 / 10 },
    });
    // Below minSaving: a's and b's changes matter, and any market at b's $0.028 or below.
    const small = greedy(0.1).decide(handObservation(markets, [0.3, 0.28, 1], { current: 0 }));
    expect(small).toMatchObject({ watch: { market: 0, other: 1, lowest: -1, line: 0.28 / 10 } });
    // Nothing available: a change of any market that fits matters.
    const none = greedy().decide(
      handObservation(markets, [0.3, 0.28, 1], { current: 0, excluded: [0, 1, 2] }),
    );
    expect(none).toMatchObject({ watch: { market: -1, other: -1, lowest: -1, line: Infinity } });
  });
});
