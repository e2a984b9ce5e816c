import { cheapestMarket } from "../engine/candidates.js";
import { definePolicy } from "../engine/policy.js";
import type { Decision } from "../engine/types.js";
import { priceBlindStay } from "./ranking.js";

// Off spot it holds until the placement or the prices change.
const STAY_NO_SPOT: Decision = { kind: "stay", reason: "no better spot market", until: Infinity };

/**
 * A single spot market (SpotFleet-like): the spot market cheapest per delivered work-unit-hour that
 * fits at start; stays until revoked or noticed, then the cheapest again. With `fallback` = 1 it
 * takes the cheapest on-demand market when no spot market is available, also on a notice when no
 * other spot market fits (staying would lose the server and the work since the last checkpoint).
 */
export const spotStayPolicy = definePolicy({
  name: "spot-stay",
  summary: "cheapest spot market per unit of work at start; stays until revoked, then the cheapest again",
  params: [
    {
      name: "fallback",
      kind: "flag",
      description: "1: use the cheapest on-demand market when no spot market is available; 0: wait",
      default: true,
    },
  ],
  inputs: [],
  simulationOnly: false,
  create({ fallback }, context) {
    // On its spot market (or without a fallback) it stays whatever the prices do, until a notice.
    const stay = priceBlindStay("spot-stay stays until revoked", context.markets.length);
    return {
      decide(observation) {
        const { current, trigger } = observation;
        const onSpot = current !== null && observation.markets[current.marketId].lifecycle === "spot";
        if (current !== null && trigger !== "notice" && (onSpot || !fallback)) {
          return stay;
        }
        const spot = cheapestMarket(observation, "spot");
        if (spot >= 0 && (spot !== current?.marketId || trigger === "notice")) {
          return { kind: "place", marketId: spot, reason: "cheapest spot per unit of work" };
        }
        // A noticed server is lost anyway: without another spot market, the fallback is the only refuge.
        if (current !== null && !(trigger === "notice" && fallback)) return STAY_NO_SPOT;
        const onDemand = fallback ? cheapestMarket(observation, "on-demand") : -1;
        if (onDemand >= 0) return { kind: "place", marketId: onDemand, reason: "no spot market available" };
        return { kind: "stay", reason: "no market available" };
      },
    };
  },
});
