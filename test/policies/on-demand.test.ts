import { describe, expect, it } from "vitest";
import type { PolicyContext } from "../../src/engine/policy.js";
import { onDemandPolicy } from "../../src/policies/on-demand.js";
import { handMarkets, handObservation } from "../support/hand-observation.js";

const markets = handMarkets([
  ["a", "spot", 8, 10, 1],
  ["a", "on-demand", 8, 10, 1],
  ["big", "on-demand", 16, 40, 2],
  ["tiny", "on-demand", 4, 10, 0.01],
]);

describe("on-demand", () => {
  it("places on the fitting on-demand market cheapest per unit of work and never moves", () => {
    const policy = onDemandPolicy.create({}, { markets } as unknown as PolicyContext);
    // a: 1/10 = 0.1; big: 2/10 (demand 10) = 0.2; tiny does not fit 8 GiB; spot is never chosen.
    expect(policy.decide(handObservation(markets, [0.01, 1, 2, 0.01]))).toMatchObject({ marketId: 1 });
    const stay = policy.decide(handObservation(markets, [0.01, 1, 0.5, 0.01], { current: 1 }));
    // A stay no price can change: until the end, every price change passing its watch (a NaN divisor
    // per market, none read past the array).
    expect(stay).toMatchObject({
      kind: "stay",
      until: Infinity,
      watch: { market: -1, other: -1, lowest: -1 },
    });
    expect(stay.kind === "stay" && Array.from(stay.watch!.divisors)).toEqual(markets.map(() => NaN));
  });
});
