import type { Market } from "./types.js";

/**
 * Shared helpers for policies: which markets may host the container, and what a unit of delivered
 * work costs on each. Every policy ranks markets with these so that "cheaper" means the same thing
 * everywhere (and in the offline optimum).
 */

/** True when the market's instance type has at least the container's memory footprint. */
export function fitsMemory(market: Market, memoryGiB: number): boolean {
  return market.memoryGiB >= memoryGiB;
}

/** Work units per hour the container gets on `market`: its demand, capped by the server's capacity. */
export function deliveredWork(market: Market, demandWork: number): number {
  return Math.min(market.work, demandWork);
}

/**
 * USD per delivered work-unit-hour on `market` at `price` USD/hour (HotSpot's e_i = p_i / (ECU_i × u_i)
 * with u_i = demand / ECU_i capped at 1). NaN when the price is unknown; Infinity when nothing is delivered.
 */
export function usdPerWorkHour(market: Market, price: number, demandWork: number): number {
  const work = deliveredWork(market, demandWork);
  return work > 0 ? price / work : Infinity;
}

/** What a candidate search looks at; an Observation satisfies it. */
export interface CandidateView {
  readonly markets: readonly Market[];
  readonly prices: Float64Array;
  readonly excluded: ReadonlySet<number>;
  readonly workload: { readonly memoryGiB: number; readonly demandWork: number };
}

/** Which lifecycles a search considers. */
export type LifecycleFilter = "any" | "spot" | "on-demand";

/**
 * Ids of markets that may host the container now: memory fits, price known, not excluded, lifecycle
 * allowed. In id order.
 */
export function candidateMarkets(view: CandidateView, lifecycle: LifecycleFilter = "any"): number[] {
  const ids: number[] = [];
  for (const market of view.markets) {
    if (lifecycle !== "any" && market.lifecycle !== lifecycle) continue;
    if (!fitsMemory(market, view.workload.memoryGiB)) continue;
    if (Number.isNaN(view.prices[market.id]) || view.excluded.has(market.id)) continue;
    ids.push(market.id);
  }
  return ids;
}

/**
 * The candidate with the lowest USD per delivered work-unit-hour, or -1 when there is none. Ties go
 * to the lower market id, so the choice is deterministic.
 */
export function cheapestMarket(view: CandidateView, lifecycle: LifecycleFilter = "any"): number {
  let best = -1;
  let bestCost = Infinity;
  const demand = view.workload.demandWork;
  for (const market of view.markets) {
    if (lifecycle !== "any" && market.lifecycle !== lifecycle) continue;
    if (!fitsMemory(market, view.workload.memoryGiB)) continue;
    const price = view.prices[market.id];
    if (Number.isNaN(price) || view.excluded.has(market.id)) continue;
    const cost = usdPerWorkHour(market, price, demand);
    if (cost < bestCost) {
      bestCost = cost;
      best = market.id;
    }
  }
  return best;
}

/** USD per delivered work-unit-hour of market `id` at the view's current price (NaN if unknown). */
export function currentUsdPerWorkHour(view: CandidateView, id: number): number {
  return usdPerWorkHour(view.markets[id], view.prices[id], view.workload.demandWork);
}
