import type { Decision, Observation } from "../engine/types.js";
import { candidateMarkets } from "./candidates.js";
import {
  costEfficiency,
  expectedSavings,
  expectedUtilisation,
  savingsHorizon,
  transactionCost,
  usedWork,
} from "./hotspot/economics.js";
import { RecoupLedger } from "./hotspot/recoup-ledger.js";
import type { Policy, PolicyDefinition } from "./types.js";

/** Cost-efficiency of every market id at this observation, under one utilisation assumption. */
interface Valuation {
  /** e_i, USD per utilised work-unit-hour (NaN where the price is unknown). */
  readonly efficiency: Float64Array;
  /** u_i × W_i, work units utilised per hour. */
  readonly usedWork: Float64Array;
}

/** Fills `into` (reused across decisions: this runs at every decision epoch) for `observation`. */
function valuate(observation: Observation, work: number, into: Valuation): Valuation {
  const { efficiency, usedWork: used } = into;
  for (const market of observation.markets) {
    const utilisation = expectedUtilisation(work, market.work);
    used[market.id] = utilisation * market.work;
    efficiency[market.id] = costEfficiency(observation.prices[market.id], market.work, utilisation);
  }
  return into;
}

/** The candidate (other than `skip`) with the lowest e_i; ties to the lower id; -1 when none. */
function mostEfficient(candidates: readonly number[], valuation: Valuation, skip: number): number {
  let best = -1;
  for (const id of candidates) {
    if (id === skip) continue;
    if (best === -1 || valuation.efficiency[id] < valuation.efficiency[best]) best = id;
  }
  return best;
}

/** ε: utilisation measurements of a CPU-bound process hover a few percent under 100%. */
const DEFAULT_EPSILON = 0.05;

function usd(value: number): string {
  return `$${value.toFixed(4)}`;
}

class HotspotPolicy implements Policy {
  private readonly ledger = new RecoupLedger();
  private lastMoveAt = -Infinity;
  private buffers: Valuation | null = null;

  constructor(
    private readonly epsilon: number,
    private readonly minHopIntervalSeconds: number,
  ) {}

  decide(observation: Observation): Decision {
    const { current, now } = observation;
    this.ledger.observe(now, current === null ? null : current.marketId);
    const candidates = candidateMarkets(observation);
    if (current === null) return this.place(observation, candidates);

    const c = current.marketId;
    const source = observation.markets[c];
    const { utilisation, demandWork } = observation.workload;
    const valuation = valuate(
      observation,
      usedWork(utilisation, source.work, demandWork, this.epsilon),
      this.buffersFor(observation),
    );
    const ec = valuation.efficiency[c];
    const reference = this.ledger.reference;
    if (reference >= 0 && reference !== c) {
      this.ledger.setSavingsRate((valuation.efficiency[reference] - ec) * valuation.usedWork[c]);
    }

    if (observation.interruptionAt !== null) return this.evacuate(observation, candidates, valuation, c);
    if (Number.isNaN(ec)) return { kind: "stay", reason: "current market's price unknown" };
    if (now - this.lastMoveAt < this.minHopIntervalSeconds) {
      return { kind: "stay", reason: `last move ${now - this.lastMoveAt} s ago, minimum interval not over` };
    }

    const horizon = savingsHorizon(
      observation.billing.intervalSeconds,
      observation.history.meanTimeToChangeOfCheapest(),
      observation.history.windowSeconds,
    );
    const unrecouped = this.ledger.unrecouped;
    const pc = observation.prices[c];
    let best = -1;
    let bestNet = 0;
    let bestCost = 0;
    for (const i of candidates) {
      const ei = valuation.efficiency[i];
      if (i === c || !(ei < ec)) continue;
      const savings = expectedSavings(ec, ei, valuation.usedWork[i], horizon) - unrecouped;
      const cost = transactionCost(
        observation.prices[i],
        pc,
        observation.billing.paidTimeLeft,
        observation.migration(i),
      );
      const net = savings - cost;
      if (net > bestNet) {
        best = i;
        bestNet = net;
        bestCost = cost;
      }
    }
    if (best === -1) {
      return { kind: "stay", reason: "no candidate saves more than its transaction cost" };
    }
    this.ledger.hopChosen(c, best, bestCost);
    this.lastMoveAt = now;
    return {
      kind: "place",
      marketId: best,
      reason: `N = ${usd(bestNet)} > 0 (e ${usd(ec)} -> ${usd(valuation.efficiency[best])}, C ${usd(bestCost)}, unrecouped ${usd(unrecouped)})`,
    };
  }

  private buffersFor(observation: Observation): Valuation {
    const count = observation.markets.length;
    if (this.buffers === null || this.buffers.efficiency.length !== count) {
      this.buffers = { efficiency: new Float64Array(count), usedWork: new Float64Array(count) };
    }
    return this.buffers;
  }

  /**
   * First placement or after a revocation: the lowest e_i. With no server, the engine reports the load
   * level a(t) as the utilisation, so the container would use a(t) × demand work units.
   */
  private place(observation: Observation, candidates: readonly number[]): Decision {
    const { utilisation, demandWork } = observation.workload;
    const valuation = valuate(observation, utilisation * demandWork, this.buffersFor(observation));
    const best = mostEfficient(candidates, valuation, -1);
    this.ledger.forcedMove();
    this.lastMoveAt = observation.now;
    if (best === -1) return { kind: "stay", reason: "no market fits the container" };
    return { kind: "place", marketId: best, reason: `lowest e = ${usd(valuation.efficiency[best])}` };
  }

  /** Interruption notice: leave at once for the lowest e_i, whatever the savings. */
  private evacuate(
    observation: Observation,
    candidates: readonly number[],
    valuation: Valuation,
    c: number,
  ): Decision {
    const best = mostEfficient(candidates, valuation, c);
    this.ledger.forcedMove();
    this.lastMoveAt = observation.now;
    if (best === -1) return { kind: "stay", reason: "interruption notice, but no other market fits" };
    return {
      kind: "place",
      marketId: best,
      reason: `interruption notice: emergency hop, lowest e = ${usd(valuation.efficiency[best])}`,
    };
  }
}

export const hotspotPolicy: PolicyDefinition = {
  name: "hotspot",
  summary:
    "HotSpot (SoCC 2017): hop within the zone to the server with the best cost per utilised work unit when the expected savings exceed the transaction cost",
  params: [
    {
      name: "epsilon",
      description:
        "utilisation slack ε: a current server at u_c ≥ 1 − ε counts as saturated, so every candidate is assumed used up to the declared demand",
      default: DEFAULT_EPSILON,
      min: 0,
      max: 1,
    },
    {
      name: "minHopIntervalSeconds",
      description: "minimum seconds between two moves (0: no minimum, as in the paper)",
      default: 0,
      min: 0,
    },
  ],
  simulationOnly: false,
  create(params) {
    return new HotspotPolicy(params.epsilon ?? DEFAULT_EPSILON, params.minHopIntervalSeconds ?? 0);
  },
};
