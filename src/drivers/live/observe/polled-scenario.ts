import type { Market } from "../../../engine/types.js";
import type { ZoneScenario } from "../../sim/markets.js";
import { StepPricePath, constantPath } from "../../../engine/price-paths.js";
import type { PricePoller } from "./price-poller.js";

/** Each market's polled price path: spot from the poller's changes, on-demand constant. */
export function polledPaths(markets: readonly Market[], poller: PricePoller): StepPricePath[] {
  return markets.map((m) => {
    if (m.lifecycle === "on-demand") return constantPath(m.onDemandUsd);
    const { times, prices } = poller.series(m.instanceType);
    return new StepPricePath(times, prices);
  });
}

/** Polled price paths as the sim driver's scenario columns, so the look-back view is the sim's. */
export function scenarioFromPaths(
  zone: string,
  markets: readonly Market[],
  paths: readonly StepPricePath[],
): ZoneScenario {
  const events: Array<{ time: number; market: number; price: number }> = [];
  paths.forEach((path, market) => {
    if (markets[market].lifecycle !== "spot") return;
    path.times.forEach((time, i) => events.push({ time, market, price: path.prices[i] }));
  });
  events.sort((a, b) => a.time - b.time || a.market - b.market);
  return {
    zone,
    markets,
    marketOfSeries: new Int32Array(0),
    eventTime: Float64Array.from(events, (e) => e.time),
    eventMarket: Int32Array.from(events, (e) => e.market),
    eventPrice: Float64Array.from(events, (e) => e.price),
    paths: [...paths],
    skippedTypes: [],
    cpu: null,
  };
}
