import { DEFAULT_EPSILON, HotspotPolicy, hotspotPolicy } from "./hotspot.js";
import type { PolicyDefinition } from "../engine/policy.js";

/**
 * HotSpot's rule with two changes that close most of its gap to the offline optimum on the volatile
 * era, without look-ahead (docs/study-hotspot-plus.md): under hourly billing a voluntary hop waits
 * for the last call of the source's paid hour, and the hop goes to the cheapest candidate that pays
 * for itself rather than to the one with the largest net saving. Each can be turned off to measure it.
 */
export const hotspotPlusPolicy: PolicyDefinition = {
  name: "hotspot-plus",
  summary:
    "hotspot, but under hourly billing hops only at the last epoch before the source's paid hour renews, and to the cheapest candidate whose saving exceeds its cost",
  params: [
    ...hotspotPolicy.params,
    {
      name: "lastCall",
      description:
        "1: when the billing interval is longer than the decision interval, hop only at the last epoch from which the hop ends before the source's paid interval renews; 0: whenever it pays (the paper)",
      default: 1,
      min: 0,
      max: 1,
    },
    {
      name: "lowestCost",
      description:
        "1: hop to the lowest e_i among candidates with a positive net saving; 0: to the largest net saving (the paper)",
      default: 1,
      min: 0,
      max: 1,
    },
  ],
  simulationOnly: false,
  create(params, context) {
    return new HotspotPolicy(params.epsilon ?? DEFAULT_EPSILON, params.minHopIntervalSeconds ?? 0, {
      lastCallIntervalSeconds: (params.lastCall ?? 1) === 1 ? context.intervalSeconds : 0,
      lowestEfficiency: (params.lowestCost ?? 1) === 1,
    });
  },
};
