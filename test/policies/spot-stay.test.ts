import { describe, expect, it } from "vitest";
import type { PolicyContext } from "../../src/engine/policy.js";
import { spotStayPolicy } from "../../src/policies/spot-stay.js";
import { handMarkets, handObservation } from "../support/hand-observation.js";

const markets = handMarkets([
  ["a", "spot", 8, 10, 1],
  ["b", "spot", 8, 10, 1],
  ["a", "on-demand", 8, 10, 1],
]);
const stay = (fallback = 1) => spotStayPolicy.create({ fallback }, { markets } as unknown as PolicyContext);

describe("spot-stay", () => {
  it("starts on the cheapest spot market and stays while prices move", () => {
    expect(stay().decide(handObservation(markets, [0.3, 0.2, 1]))).toMatchObject({ marketId: 1 });
    // On spot no price change can move it: its watch lets every change pass.
    expect(stay().decide(handObservation(markets, [0.1, 0.9, 1], { current: 1 }))).toMatchObject({
      kind: "stay",
      until: Infinity,
      watch: { market: -1, other: -1, lowest: -1, divisors: Float64Array.of(NaN, NaN, NaN) },
    });
    // On on-demand without a spot market, any spot price that comes back would move it: no watch.
    expect(stay().decide(handObservation(markets, [NaN, NaN, 1], { current: 2 }))).toStrictEqual({
      kind: "stay",
      reason: "no better spot market",
      until: Infinity,
    });
  });

  it("after a revocation or on a notice takes the cheapest spot market again", () => {
    expect(
      stay().decide(handObservation(markets, [0.3, 0.2, 1], { current: null, trigger: "revoked" })),
    ).toMatchObject({ marketId: 1 });
    expect(
      stay().decide(
        handObservation(markets, [0.3, 0.2, 1], { current: 0, trigger: "notice", excluded: [0] }),
      ),
    ).toMatchObject({ marketId: 1 });
  });

  it("falls back to on-demand when no spot market is available, and returns to spot", () => {
    expect(stay().decide(handObservation(markets, [NaN, NaN, 1]))).toMatchObject({ marketId: 2 });
    expect(stay(0).decide(handObservation(markets, [NaN, NaN, 1])).kind).toBe("stay");
    expect(stay().decide(handObservation(markets, [0.5, NaN, 1], { current: 2 }))).toMatchObject({
      marketId: 0,
    });
  });

  it("on a notice with no other spot market, honours the fallback (on-demand) or waits when it is 0", () => {
    const noticed = { current: 0, trigger: "notice" as const, excluded: [0] };
    expect(stay().decide(handObservation(markets, [0.3, NaN, 1], noticed))).toMatchObject({
      kind: "place",
      marketId: 2,
    });
    expect(stay(0).decide(handObservation(markets, [0.3, NaN, 1], noticed)).kind).toBe("stay");
    // A noticed on-demand fallback with no spot market available takes a fresh on-demand server.
    expect(
      stay().decide(handObservation(markets, [NaN, NaN, 1], { current: 2, trigger: "notice" })),
    ).toMatchObject({ kind: "place", marketId: 2 });
  });
});
