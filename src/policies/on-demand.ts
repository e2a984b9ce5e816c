import { cheapestMarket } from "../engine/candidates.js";
import { definePolicy } from "../engine/policy.js";

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
  create() {
    return {
      decide(observation) {
        if (observation.current !== null) return { kind: "stay", reason: "on-demand never moves" };
        const marketId = cheapestMarket(observation, "on-demand");
        if (marketId < 0) return { kind: "stay", reason: "no on-demand market fits" };
        return { kind: "place", marketId, reason: "cheapest on-demand per unit of work" };
      },
    };
  },
});
