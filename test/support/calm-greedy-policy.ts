import { currentUsdPerWorkHour, fitsMemory, usdPerWorkHour } from "../../src/engine/candidates.js";
import { definePolicy } from "../../src/engine/policy.js";
import type { Observation } from "../../src/engine/types.js";

/**
 * The example of docs/architecture.md ("Adding a policy that needs data"), kept as a test so that the
 * walk-through stays true: greedy among the markets the Spot Instance Advisor rates calm. A spot
 * market is a candidate only when its type's interruption-frequency bucket is at most `maxBucket`
 * (types the feed does not list are left out); on-demand markets always are.
 */
export const calmGreedyPolicy = definePolicy({
  name: "calm-greedy",
  summary: "greedy among on-demand markets and spot markets the Spot Advisor rates at most maxBucket",
  params: [
    {
      name: "maxBucket",
      kind: "number",
      unit: "advisor bucket (0: <5% … 4: >20% interrupted a month)",
      description: "the highest interruption-frequency bucket a spot market may have",
      default: 1,
      min: 0,
      max: 4,
    },
  ],
  inputs: ["advisor"],
  simulationOnly: false,
  create({ maxBucket }, context) {
    // Declared in `inputs`: instantiatePolicy refuses a run without it, so it is here.
    const buckets = context.inputs.advisor!.bucketOfType;
    const calm = context.markets.map(
      (market) =>
        market.lifecycle === "on-demand" || (buckets.get(market.instanceType) ?? Infinity) <= maxBucket,
    );
    const cheapestCalm = (observation: Observation): number => {
      let best = -1;
      let bestCost = Infinity;
      for (const market of observation.markets) {
        const price = observation.prices[market.id];
        if (!calm[market.id] || !fitsMemory(market, observation.workload.memoryGiB)) continue;
        if (Number.isNaN(price) || observation.excluded.has(market.id)) continue;
        const cost = usdPerWorkHour(market, price, observation.workload.demandWork);
        if (cost < bestCost) [best, bestCost] = [market.id, cost];
      }
      return best;
    };
    return {
      decide(observation) {
        const best = cheapestCalm(observation);
        if (best < 0) return { kind: "stay", reason: "no calm market available" };
        const current = observation.current;
        if (current === null || observation.trigger === "notice")
          return { kind: "place", marketId: best, reason: "cheapest calm market per unit of work" };
        if (best === current.marketId) return { kind: "stay", reason: "already on the cheapest calm market" };
        return currentUsdPerWorkHour(observation, best) < currentUsdPerWorkHour(observation, current.marketId)
          ? { kind: "place", marketId: best, reason: "cheaper calm market per unit of work" }
          : { kind: "stay", reason: "no cheaper calm market" };
      },
    };
  },
});
