import type { Observation } from "../engine/types.js";
import { IndexedMin } from "../util/indexed-min.js";
import { cheapestMarket, currentUsdPerWorkHour, deliveredWork, fitsMemory } from "../engine/candidates.js";
import { ChangeReader, watchedStay, type WatchedStay } from "./ranking.js";
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
  /** Per market: work units delivered per hour, NaN when it does not fit (a watch's divisors). */
  delivered = new Float64Array(0);

  cheapest(observation: Observation): number {
    const { markets, workload, excluded } = observation;
    const changed = this.changes.collect(observation);
    let costs = this.costs;
    if (costs === null || costs.count !== markets.length) {
      costs = this.costs = new IndexedMin(markets.length);
      this.delivered = new Float64Array(markets.length);
      this.memoryGiB = NaN;
    }
    if (changed < 0 || workload.memoryGiB !== this.memoryGiB || workload.demandWork !== this.demandWork) {
      this.memoryGiB = workload.memoryGiB;
      this.demandWork = workload.demandWork;
      for (const market of markets)
        this.delivered[market.id] = fitsMemory(market, this.memoryGiB)
          ? deliveredWork(market, this.demandWork)
          : NaN;
      this.assignAll(costs, observation);
    } else {
      const ids = this.changes.changed;
      for (let k = 0; k < changed; k++) costs.set(ids[k], this.cost(observation.prices, ids[k]));
    }
    const best = costs.min();
    // Excluded markets stay in the tree; when one is the cheapest, the full search decides.
    return best >= 0 && excluded.size > 0 && excluded.has(best) ? cheapestMarket(observation) : best;
  }

  /** Its own method: the closure's context would otherwise be allocated at every decision. */
  private assignAll(costs: IndexedMin, observation: Observation): void {
    costs.assign(observation.markets.length, (id) => this.cost(observation.prices, id));
  }

  /**
   * When `id` is the tree's cheapest: the lowest cost of the other markets (Infinity: none has one);
   * else NaN.
   */
  nextCheapest(id: number): number {
    const costs = this.costs!;
    if (costs.min() !== id) return NaN;
    const next = costs.minExcept(id);
    return next < 0 ? Infinity : costs.value(next);
  }

  /** As `usdPerWorkHour` computes it (Infinity where the market does not fit). */
  cost(prices: Float64Array, id: number): number {
    const work = this.delivered[id];
    return work === work ? (work > 0 ? prices[id] / work : Infinity) : Infinity;
  }
}

// A stay depends on the prices, exclusions and placement only: it holds until one of them changes,
// and a price change matters only when it may change which market is the cheapest per unit of work.

/** `stay` with its watch set (see PriceWatch). */
function watching(
  stay: WatchedStay,
  divisors: Float64Array,
  market: number,
  other: number,
  lowest: number,
  line: number,
): WatchedStay {
  const { watch } = stay;
  watch.market = market;
  watch.other = other;
  watch.lowest = lowest;
  // Its market is the lowest while it stays below the line.
  watch.ceiling = line;
  watch.divisors = divisors;
  watch.line = line;
  return stay;
}

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
    const stayNone = watchedStay("no market available");
    const stayCheapest = watchedStay("already on the cheapest");
    const staySmallSaving = watchedStay("saving below minSaving");
    return {
      decide(observation) {
        const best = tracker.cheapest(observation);
        const { delivered } = tracker;
        // Any price of a market that fits may make one available.
        if (best < 0) return watching(stayNone, delivered, -1, -1, -1, Infinity);
        const current = observation.current;
        if (current === null) return { kind: "place", marketId: best, reason: "cheapest per unit of work" };
        // A noticed server is lost anyway: move, even to a fresh server of the same market.
        if (observation.trigger === "notice")
          return { kind: "place", marketId: best, reason: "interruption notice" };
        const c = current.marketId;
        if (best === c) {
          // The cheapest of the tree: it stays so while it is below the next cheapest and no other
          // market falls to that. Else (a cheaper market excluded) any change of its price matters.
          const next = tracker.nextCheapest(c);
          const here = tracker.cost(observation.prices, c);
          // Halfway to the next cheapest: its market may rise, the others fall, that far.
          return next === next
            ? watching(
                stayCheapest,
                delivered,
                -1,
                -1,
                c,
                next === Infinity ? next : here + (next - here) / 2,
              )
            : watching(stayCheapest, delivered, c, -1, -1, here);
        }
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
        return watching(staySmallSaving, delivered, c, best, -1, tracker.cost(observation.prices, best));
      },
    };
  },
});
