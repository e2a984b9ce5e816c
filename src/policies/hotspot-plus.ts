import { HotspotPolicy, hotspotParams } from "./hotspot.js";
import { definePolicy } from "../engine/policy.js";

/**
 * HotSpot's rule with two changes that close most of its gap to the offline optimum on the volatile
 * era, without look-ahead (docs/study.md, "A better hotspot"): under hourly billing a voluntary hop waits
 * for the last call of the source's paid hour, and the hop goes to the cheapest candidate that pays
 * for itself rather than to the one with the largest net saving. Each can be turned off to measure it.
 */
export const hotspotPlusPolicy = definePolicy({
  name: "hotspot-plus",
  summary:
    "hotspot, but under hourly billing hops only at the last epoch before the source's paid hour renews, and to the cheapest candidate whose saving exceeds its cost",
  params: [
    ...hotspotParams,
    {
      name: "lastCall",
      kind: "flag",
      description:
        "1: when the billing interval is longer than the decision interval, hop only at the last epoch from which the hop ends before the source's paid interval renews; 0: whenever it pays (the paper)",
      default: true,
    },
    {
      name: "lowestCost",
      kind: "flag",
      description:
        "1: hop to the lowest e_i among candidates with a positive net saving; 0: to the largest net saving (the paper)",
      default: true,
    },
  ],
  inputs: [],
  simulationOnly: false,
  create({ epsilon, minHopIntervalSeconds, lastCall, lowestCost }, context) {
    return new HotspotPolicy(epsilon, minHopIntervalSeconds, {
      lastCallIntervalSeconds: lastCall ? context.intervalSeconds : 0,
      lowestEfficiency: lowestCost,
    });
  },
});
