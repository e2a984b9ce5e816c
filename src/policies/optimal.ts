import type { Decision, Observation } from "../engine/types.js";
import { candidateMarkets, currentUsdPerWorkHour } from "../engine/candidates.js";
import { planRun, type RunPlan } from "./optimal/plan.js";
import type { Objective } from "./optimal/ratio.js";
import { definePolicy, type Policy, type PolicyContext } from "../engine/policy.js";
import { priceBlindStay, type WatchedStay } from "./ranking.js";

/** The market that may host the container now, other than `skip`, cheapest by `objective`; -1 when none. */
function cheapestNow(observation: Observation, skip: number, objective: Objective): number {
  const cost = (id: number) =>
    objective === "usd" ? observation.prices[id] : currentUsdPerWorkHour(observation, id);
  let best = -1;
  for (const id of candidateMarkets(observation)) {
    if (id !== skip && (best < 0 || cost(id) < cost(best))) best = id;
  }
  return best;
}

/**
 * Replays the precomputed plan: at epoch k it places the container where the plan says, and after an
 * unforeseen move (a notice it could not know of) it returns to the plan's market at the next epoch.
 */
class OptimalPolicy implements Policy {
  private cursor = 0;
  /** The market the plan has the container on as of the last epoch passed (-1 before the first). */
  private intended = -1;
  /** The first epoch after the last decision at which the plan places (monotone: time only advances). */
  private nextPlacement = 0;
  // Their watches let every price change pass: the plan is fixed, and only an event can move it.
  private readonly offEpoch: WatchedStay;
  private readonly planStays: WatchedStay;

  constructor(
    private readonly plan: RunPlan,
    private readonly objective: Objective,
    markets: number,
  ) {
    this.offEpoch = priceBlindStay("not a decision epoch of the plan", markets);
    this.planStays = priceBlindStay("the plan stays", markets);
  }

  /** The epoch at exactly `now`, or -1 (decisions between epochs are not the plan's). */
  private epochAt(now: number): number {
    const { epochTimes: times, placeAt } = this.plan;
    while (this.cursor < times.length && times[this.cursor] < now) {
      if (placeAt[this.cursor] >= 0) this.intended = placeAt[this.cursor];
      this.cursor++;
    }
    if (this.cursor >= times.length || times[this.cursor] !== now) return -1;
    if (placeAt[this.cursor] >= 0) this.intended = placeAt[this.cursor];
    return this.cursor;
  }

  decide(observation: Observation): Decision {
    const k = this.epochAt(observation.now);
    const current = observation.current?.marketId ?? -1;
    const unforeseen = observation.trigger === "notice" || observation.trigger === "revoked";
    if (unforeseen || (observation.trigger === "start" && k < 0)) {
      return this.fallback(observation, current, `${observation.trigger} off the plan`);
    }
    if (k < 0 || (observation.trigger !== "start" && observation.trigger !== "interval")) {
      return this.promised(this.offEpoch, observation.now, current);
    }
    const target = this.intended;
    if (target < 0 || target === current) return this.promised(this.planStays, observation.now, current);
    if (observation.excluded.has(target) || Number.isNaN(observation.prices[target])) {
      return this.fallback(observation, current, `the plan's market ${target} is unavailable`);
    }
    const why = this.plan.placeAt[k] === target ? "offline optimum" : "back to the offline optimum's plan";
    return {
      kind: "place",
      marketId: target,
      reason: `${why} (plan total $${this.plan.costUsd.toFixed(4)})`,
    };
  }

  /**
   * `stay` promising the same answer at every epoch before the plan's next placement, so a replay skips
   * them; none when the container is off the plan's market (the next epoch returns to it).
   */
  private promised(stay: WatchedStay, now: number, current: number): Decision {
    if (this.intended >= 0 && this.intended !== current) return { kind: "stay", reason: stay.reason };
    const { epochTimes: times, placeAt } = this.plan;
    let j = this.nextPlacement;
    while (j < times.length && (times[j] <= now || placeAt[j] < 0)) j++;
    this.nextPlacement = j;
    stay.until = j < times.length ? times[j] : Infinity;
    return stay;
  }

  /** Outside the optimum's conditions (an interruption, a market it could not know was unavailable). */
  private fallback(observation: Observation, current: number, why: string): Decision {
    const skip = observation.interruptionAt === null ? -1 : current;
    const target = cheapestNow(observation, skip, this.objective);
    if (target < 0 || target === current)
      return { kind: "stay", reason: `${why}; nothing better to move to` };
    return { kind: "place", marketId: target, reason: `${why}: cheapest market now` };
  }
}

/**
 * The optimum for a run; `bidUsd` (per market id, Infinity for none) when spot markets are revoked above
 * a bid, so that the plan is never caught. The PolicyContext does not carry bids yet.
 */
export function createOptimalPolicy(
  objective: Objective,
  context: PolicyContext,
  bidUsd?: Float64Array,
): Policy {
  return new OptimalPolicy(planRun(context, objective, bidUsd), objective, context.markets.length);
}

export const optimalPolicy = definePolicy({
  name: "optimal",
  summary:
    "offline optimum (simulation only): the plan with the least USD per work-unit-hour (or least USD) over the whole trace, by dynamic programming over decision epochs, markets and billing phases",
  params: [
    {
      name: "usdOnly",
      kind: "flag",
      description:
        "1: minimise total USD whatever work is delivered; 0: minimise USD per delivered work-unit-hour (what results compare)",
      default: false,
    },
  ],
  inputs: [],
  simulationOnly: true,
  create({ usdOnly }, context) {
    return createOptimalPolicy(usdOnly ? "usd" : "usd-per-work", context, context.bidUsd);
  },
});
