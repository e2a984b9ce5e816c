import { cheapestMarket, currentUsdPerWorkHour } from "./candidates.js";
import type { PolicyDefinition } from "./types.js";

/**
 * Hops whenever another fitting market (spot or on-demand) is cheaper per delivered work-unit-hour
 * than the current one by more than `min-saving` (a fraction), ignoring transaction costs.
 */
export const greedyPolicy: PolicyDefinition = {
  name: "greedy",
  summary:
    "hops to the cheapest market per unit of work whenever it beats the current one (no transaction costs)",
  params: [
    {
      name: "min-saving",
      description:
        "hop only when the cheapest is at least this fraction cheaper per unit of work (0 = any saving)",
      default: 0,
      min: 0,
      max: 1,
    },
  ],
  simulationOnly: false,
  create(params) {
    const minSaving = params["min-saving"];
    return {
      decide(observation) {
        const best = cheapestMarket(observation);
        if (best < 0) return { kind: "stay", reason: "no market available" };
        const current = observation.current;
        if (current === null) return { kind: "place", marketId: best, reason: "cheapest per unit of work" };
        // A noticed server is lost anyway: move, even to a fresh server of the same market.
        if (observation.trigger === "notice")
          return { kind: "place", marketId: best, reason: "interruption notice" };
        if (best === current.marketId) return { kind: "stay", reason: "already on the cheapest" };
        const here = currentUsdPerWorkHour(observation, current.marketId);
        const there = currentUsdPerWorkHour(observation, best);
        if (there < here * (1 - minSaving))
          return { kind: "place", marketId: best, reason: "cheaper per unit of work" };
        return { kind: "stay", reason: "saving below min-saving" };
      },
    };
  },
};
