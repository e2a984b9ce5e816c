import type { Decision, Observation } from "../engine/types.js";
import { IndexedMin } from "../util/indexed-min.js";
import { cheapestMarket, currentUsdPerWorkHour, fitsMemory, usdPerWorkHour } from "../engine/candidates.js";
import { ChangeReader } from "./ranking.js";
import { definePolicy, type Policy } from "../engine/policy.js";

/**
 * `cheapestMarket` kept up to date between decisions: every fitting market's USD per delivered
 * work-unit-hour in a tournament tree, re-ranked only where the price changed.
 */
class CheapestTracker {
  private readonly changes = new ChangeReader();
  private costs: IndexedMin | null = null;
  private memoryGiB = NaN;
  private demandWork = NaN;

  cheapest(observation: Observation): number {
    const { markets, workload, excluded } = observation;
    const changed = this.changes.collect(observation);
    let costs = this.costs;
    if (costs === null || costs.count !== markets.length) costs = this.costs = new IndexedMin(markets.length);
    if (changed < 0 || workload.memoryGiB !== this.memoryGiB || workload.demandWork !== this.demandWork) {
      this.memoryGiB = workload.memoryGiB;
      this.demandWork = workload.demandWork;
      this.assignAll(costs, observation);
    } else {
      const ids = this.changes.changed;
      for (let k = 0; k < changed; k++) costs.set(ids[k], this.cost(observation, ids[k]));
    }
    const best = costs.min();
    // Excluded markets stay in the tree; when one is the cheapest, the full search decides.
    return best >= 0 && excluded.size > 0 && excluded.has(best) ? cheapestMarket(observation) : best;
  }

  /** Its own method: the closure's context would otherwise be allocated at every decision. */
  private assignAll(costs: IndexedMin, observation: Observation): void {
    costs.assign(observation.markets.length, (id) => this.cost(observation, id));
  }

  private cost(observation: Observation, id: number): number {
    const market = observation.markets[id];
    return fitsMemory(market, this.memoryGiB)
      ? usdPerWorkHour(market, observation.prices[id], this.demandWork)
      : Infinity;
  }
}

// Stays are returned at almost every decision: one object each, never rebuilt. Each depends on the
// prices, exclusions and placement only, so it holds until one of them changes.
const STAY_NONE: Decision = { kind: "stay", reason: "no market available", until: Infinity };
const STAY_CHEAPEST: Decision = { kind: "stay", reason: "already on the cheapest", until: Infinity };
const STAY_SMALL_SAVING: Decision = { kind: "stay", reason: "saving below minSaving", until: Infinity };

/**
 * Hops whenever another fitting market (spot or on-demand) is cheaper per delivered work-unit-hour
 * than the current one by more than `minSaving` (a fraction), ignoring transaction costs.
 */
export const greedyPolicy = definePolicy({
  name: "greedy",
  summary:
    "hops to the cheapest market per unit of work whenever it beats the current one (no transaction costs)",
  params: [
    {
      name: "minSaving",
      kind: "number",
      unit: "fraction",
      description:
        "hop only when the cheapest is at least this fraction cheaper per unit of work (0 = any saving)",
      default: 0,
      min: 0,
      max: 1,
    },
  ],
  inputs: [],
  simulationOnly: false,
  create({ minSaving }): Policy {
    const tracker = new CheapestTracker();
    return {
      decide(observation) {
        const best = tracker.cheapest(observation);
        if (best < 0) return STAY_NONE;
        const current = observation.current;
        if (current === null) return { kind: "place", marketId: best, reason: "cheapest per unit of work" };
        // A noticed server is lost anyway: move, even to a fresh server of the same market.
        if (observation.trigger === "notice")
          return { kind: "place", marketId: best, reason: "interruption notice" };
        if (best === current.marketId) return STAY_CHEAPEST;
        // The container outgrew its server (live: its measured footprint): leave whatever the price.
        if (!fitsMemory(observation.markets[current.marketId], observation.workload.memoryGiB))
          return {
            kind: "place",
            marketId: best,
            reason: "current server too small for the container's memory",
          };
        const here = currentUsdPerWorkHour(observation, current.marketId);
        const there = currentUsdPerWorkHour(observation, best);
        if (there < here * (1 - minSaving))
          return { kind: "place", marketId: best, reason: "cheaper per unit of work" };
        return STAY_SMALL_SAVING;
      },
    };
  },
});
