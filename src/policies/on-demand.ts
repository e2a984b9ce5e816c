import { cheapestMarket } from "../engine/candidates.js";
import { definePolicy } from "../engine/policy.js";
import { priceBlindStay } from "./ranking.js";

/**
 * The baseline: the on-demand market cheapest per delivered work-unit-hour among those that fit the
 * memory, chosen once and never left (re-placed the same way only if the container was lost).
 */
export const onDemandPolicy = definePolicy({
  name: "on-demand",
  summary: "cheapest on-demand market per unit of work that fits the memory; never moves (the baseline)",
  params: [],
  inputs: [],
  simulationOnly: false,
  create(_params, context) {
    // Whatever happens short of losing the server, prices included: asked again only when that happened.
    const stay = priceBlindStay("on-demand never moves", context.markets.length);
    return {
      decide(observation) {
        if (observation.current !== null) return stay;
        const marketId = cheapestMarket(observation, "on-demand");
        if (marketId < 0) return { kind: "stay", reason: "no on-demand market fits" };
        return { kind: "place", marketId, reason: "cheapest on-demand per unit of work" };
      },
    };
  },
});
