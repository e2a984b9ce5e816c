import type { Decision, Market, MigrationEstimate, Observation, PriceHistoryView } from "../engine/types.js";
import { candidateMarkets, fitsMemory } from "../engine/candidates.js";
import {
  costEfficiency,
  expectedSavings,
  expectedUtilisation,
  savingsHorizon,
  transactionCost,
  usedWork,
} from "./hotspot/economics.js";
import { RecoupLedger } from "./hotspot/recoup-ledger.js";
import { AscendingOrder, ChangeReader, watchedStay, type WatchedStay } from "./ranking.js";
import { definePolicy, type Policy, type PolicyParam } from "../engine/policy.js";

/** Cost-efficiency of every market id at this observation, under one utilisation assumption. */
interface Valuation {
  /** e_i, USD per utilised work-unit-hour (NaN where the price is unknown). */
  readonly efficiency: Float64Array;
  /** u_i × W_i, work units utilised per hour. */
  readonly usedWork: Float64Array;
  /** u_i. */
  readonly utilisation: Float64Array;
}

function valuation(count: number): Valuation {
  return {
    efficiency: new Float64Array(count),
    usedWork: new Float64Array(count),
    utilisation: new Float64Array(count),
  };
}

/** Fills `into` (reused across decisions: this runs at every decision epoch) for `observation`. */
function valuate(observation: Observation, work: number, into: Valuation): Valuation {
  const { efficiency, usedWork: used, utilisation: utilisations } = into;
  for (const market of observation.markets) {
    const utilisation = expectedUtilisation(work, market.work);
    utilisations[market.id] = utilisation;
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

/**
 * The valuation at one used-work level w, kept between decisions: e_i and u_i × W_i of every market,
 * and the fitting markets in ascending e_i. A price change re-values one market; a new w (after a
 * hop, or a changing load) re-values all.
 */
class Ranking {
  private readonly changes = new ChangeReader();
  readonly valuation: Valuation;
  readonly order: AscendingOrder;
  private work = NaN;
  private memoryGiB = NaN;
  /** Per market: 1 when it fits `memoryGiB`. */
  private readonly fits: Uint8Array;
  /** The largest u_i × W_i of a fitting market: bounds every candidate's savings. */
  maxUsedWork = 0;
  /** Per market: u_i × W_i where it fits, else NaN (e_i = p_i / it: a watch's divisors). */
  readonly fittingUsedWork: Float64Array;

  constructor(count: number) {
    this.valuation = valuation(count);
    this.order = new AscendingOrder(count);
    this.fits = new Uint8Array(count);
    this.fittingUsedWork = new Float64Array(count);
  }

  update(observation: Observation, work: number): void {
    const changed = this.changes.collect(observation);
    const { memoryGiB } = observation.workload;
    if (changed < 0 || work !== this.work || memoryGiB !== this.memoryGiB) {
      this.work = work;
      this.memoryGiB = memoryGiB;
      valuate(observation, work, this.valuation);
      let max = 0;
      for (const market of observation.markets) {
        const fits = fitsMemory(market, memoryGiB);
        this.fits[market.id] = fits ? 1 : 0;
        this.fittingUsedWork[market.id] = fits ? this.valuation.usedWork[market.id] : NaN;
        if (fits) max = Math.max(max, this.valuation.usedWork[market.id]);
      }
      this.maxUsedWork = max;
      this.assignAll();
      return;
    }
    const ids = this.changes.changed;
    const { efficiency, utilisation } = this.valuation;
    const { markets, prices } = observation;
    for (let k = 0; k < changed; k++) {
      const id = ids[k];
      // u_i depends on w only: kept from the last full valuation.
      const value = costEfficiency(prices[id], markets[id].work, utilisation[id]);
      efficiency[id] = value;
      this.order.set(id, this.fits[id] === 1 ? value : Infinity);
    }
  }

  /** Its own method: the closure's context would otherwise be allocated at every decision. */
  private assignAll(): void {
    this.order.assign((id) => this.key(id));
  }

  private key(id: number): number {
    return this.fits[id] === 1 ? this.valuation.efficiency[id] : Infinity;
  }
}

/** A candidate now: fits (ranked below Infinity or at it), price known, not excluded. */
function isCandidate(observation: Observation, id: number, memoryGiB: number): boolean {
  return (
    fitsMemory(observation.markets[id], memoryGiB) &&
    !Number.isNaN(observation.prices[id]) &&
    !observation.excluded.has(id)
  );
}

/** ε: utilisation measurements of a CPU-bound process hover a few percent under 100%. */
export const DEFAULT_EPSILON = 0.05;

/** Relative rounding allowance when a bound on the net savings stops the search early. */
const BOUND_SLACK = 1e-9;
/** Relative rounding allowance of a stay's promise: it ends a little early, never late. */
const PROMISE_SLACK = 1e-9;

// Stays are returned at almost every decision: one object each, never rebuilt. Those that depend on
// the prices, exclusions, recommendations, placement and used work only hold until one of them changes;
// those that weighed candidates also depend on the clock (paid time left, the savings horizon, the
// debt being recouped) and promise nothing.
const STAY_PRICE_UNKNOWN: Decision = {
  kind: "stay",
  reason: "current market's price unknown",
  until: Infinity,
};
const NO_SAVING = "no candidate saves more than its transaction cost";
const STAY_NO_SAVING: Decision = { kind: "stay", reason: NO_SAVING };
const REBALANCE = "rebalance recommendation, but no cheaper candidate without one";
const STAY_REBALANCE: Decision = { kind: "stay", reason: REBALANCE };

function usd(value: number): string {
  return `$${value.toFixed(4)}`;
}

/**
 * Where hotspot-plus departs from the paper's rule (src/policies/hotspot-plus.ts); the paper's
 * `hotspot` keeps both off.
 */
export interface HopRules {
  /**
   * Seconds between decision epochs, or 0 for the paper's rule. When a billing interval is longer
   * (hourly), a voluntary hop is taken only at its last call: the last epoch from which it still ends
   * (T_a + T_d + T_k) before the source's paid interval renews. Earlier, the source's time is paid and
   * leaving wastes it; later, the source is billed a whole new interval.
   */
  readonly lastCallIntervalSeconds: number;
  /**
   * Among candidates whose net saving N_i is positive, hop to the lowest e_i instead of the largest
   * N_i: against a current market whose price spiked, N_i grows with u_i × W_i and the paper's rule
   * picks the biggest server however poor its own cost.
   */
  readonly lowestEfficiency: boolean;
}

/** The paper's rule: no last-call timing, the largest N_i. */
export const PAPER_RULES: HopRules = { lastCallIntervalSeconds: 0, lowestEfficiency: false };

export class HotspotPolicy implements Policy {
  private readonly ledger = new RecoupLedger();
  private lastMoveAt = -Infinity;
  private buffers: Valuation | null = null;
  private ranking: Ranking | null = null;
  /** One market of each lifecycle, to ask the migration model for the cheapest hop's timeline. */
  private lifecycleSamples: number[] = [];
  // With nothing to weigh, a stay holds while the current market stays below the next most efficient
  // and no other market falls to that; while the ledger recoups a debt, the current and reference
  // markets' prices set its rate.
  private readonly stayNoCandidate = watchedStay(NO_SAVING);
  private readonly stayRebalanceNoCandidate = watchedStay(REBALANCE);
  private readonly stayNoSaving = watchedStay(NO_SAVING);
  /** The last stay's look-back for the recoup rate at the epochs it covers (null: the rate holds). */
  private rateHistory: PriceHistoryView | null = null;
  private rateMarkets: readonly Market[] = [];
  private rateCurrent = -1;

  constructor(
    private readonly epsilon: number,
    private readonly minHopIntervalSeconds: number,
    private readonly rules: HopRules = PAPER_RULES,
  ) {}

  decide(observation: Observation): Decision {
    const { current, now } = observation;
    this.ledger.observe(now, current === null ? null : current.marketId);
    this.rateHistory = null;
    if (current === null) return this.place(observation);

    const c = current.marketId;
    const source = observation.markets[c];
    const { utilisation, demandWork, memoryGiB } = observation.workload;
    const ranking = this.rankingFor(observation);
    ranking.update(observation, usedWork(utilisation, source.work, demandWork, this.epsilon));
    const valuation = ranking.valuation;
    const ec = valuation.efficiency[c];
    const reference = this.ledger.reference;
    if (reference >= 0 && reference !== c) {
      this.ledger.setSavingsRate((valuation.efficiency[reference] - ec) * valuation.usedWork[c]);
    }

    if (observation.interruptionAt !== null)
      return this.evacuate(observation, ranking, c, "interruption notice");
    // Live: the container outgrew its server (its measured footprint rose).
    if (!fitsMemory(source, memoryGiB)) return this.evacuate(observation, ranking, c, "server too small");
    if (Number.isNaN(ec)) return STAY_PRICE_UNKNOWN;
    // A rebalance recommendation here: the interruption it warns of would force a hop anyway, so a hop's
    // cost and the costs not yet recouped count as sunk and any cheaper candidate is worth leaving for.
    const sunk = observation.rebalance.has(c);
    if (!sunk && now - this.lastMoveAt < this.minHopIntervalSeconds) {
      return { kind: "stay", reason: `last move ${now - this.lastMoveAt} s ago, minimum interval not over` };
    }

    const order = ranking.order.order;
    // Already the most efficient: no candidate to weigh (the common case), so nothing else to compute.
    if (!(valuation.efficiency[order[0]] < ec)) {
      const stay = sunk ? this.stayRebalanceNoCandidate : this.stayNoCandidate;
      const { watch } = stay;
      const next = order.length > 1 ? (order[0] === c ? order[1] : order[0]) : -1;
      this.watchLedger(stay, observation, c);
      watch.lowest = c;
      watch.divisors = ranking.fittingUsedWork;
      // Halfway to the next lowest: its market may rise, the others fall, that far.
      const nextKey = next < 0 ? Infinity : ranking.order.key(next);
      watch.line = nextKey === Infinity ? Infinity : ec + (nextKey - ec) / 2;
      watch.ceiling = watch.line;
      return stay;
    }
    const horizon = savingsHorizon(
      observation.billing.intervalSeconds,
      observation.history.meanTimeToChangeOfCheapest(),
      observation.history.windowSeconds,
    );
    const unrecouped = sunk ? 0 : this.ledger.unrecouped;
    const pc = observation.prices[c];
    const paidTimeLeft = observation.billing.paidTimeLeft;
    const lastCall = !sunk && this.waitsForLastCall(observation);
    if (lastCall && !this.someLastCall(observation, paidTimeLeft)) {
      return { kind: "stay", reason: `paid interval runs ${paidTimeLeft} s more: not its last call` };
    }
    // Every candidate's net is at most (e_c − e_i) × max(u × W) × T / 3600 − unrecouped − the source's
    // least billing: in ascending e_i the bound only falls, so the search stops once it cannot win.
    const costFloor = sunk ? 0 : (pc * Math.max(paidTimeLeft, this.shortestHopSeconds(observation))) / 3600;
    const gainScale = (ranking.maxUsedWork * horizon) / 3600;
    const slack = BOUND_SLACK * (Math.abs(ec * gainScale) + unrecouped + costFloor);
    let best = -1;
    let bestNet = 0;
    let bestCost = 0;
    for (let rank = 0; rank < order.length; rank++) {
      const i = order[rank];
      const ei = valuation.efficiency[i];
      if (!(ei < ec)) break;
      // A market with a recommendation of its own is no place to hop to.
      if (i === c || !isCandidate(observation, i, memoryGiB) || observation.rebalance.has(i)) continue;
      if (lastCall && !this.isLastCall(observation.migration(i), paidTimeLeft)) continue;
      const bound = (ec - ei) * gainScale - unrecouped - costFloor + slack;
      if (bound <= 0 || bound < bestNet) break;
      const savings = expectedSavings(ec, ei, valuation.usedWork[i], horizon) - unrecouped;
      const cost = sunk
        ? 0
        : transactionCost(observation.prices[i], pc, paidTimeLeft, observation.migration(i));
      const net = savings - cost;
      // The first in id order among equal nets, as a scan in id order would choose.
      if (net > bestNet || (net === bestNet && best >= 0 && i < best)) {
        best = i;
        bestNet = net;
        bestCost = cost;
        // Ascending e_i: the first candidate that pays for its hop is the cheapest one that does.
        if (this.rules.lowestEfficiency) break;
      }
    }
    if (best === -1) return sunk ? STAY_REBALANCE : this.noSavingStay(observation, ranking, c, ec, horizon);
    this.lastMoveAt = now;
    if (sunk) {
      this.ledger.forcedMove();
      return {
        kind: "place",
        marketId: best,
        reason: `rebalance recommendation: S = ${usd(bestNet)} with hop costs sunk (e ${usd(ec)} -> ${usd(valuation.efficiency[best])})`,
      };
    }
    this.ledger.hopChosen(c, best, bestCost);
    return {
      kind: "place",
      marketId: best,
      reason: `N = ${usd(bestNet)} > 0 (e ${usd(ec)} -> ${usd(valuation.efficiency[best])}, C ${usd(bestCost)}, unrecouped ${usd(unrecouped)})`,
    };
  }

  /**
   * The stay after weighing the candidates and finding none worth its hop (costs not sunk). It holds
   * while none could pay even with no debt left: until the paid time left T_r falls to what the
   * closest needs (it falls a second a second and rises at a renewal) or a change of the cheapest
   * leaves the look-back window (before then the horizon can only shorten); and across the price
   * changes that leave every other market above the e at which one could pay and do not raise e_c.
   * Both bounds are linear in p_c, and nothing pays at p_c = 0, so a lower e_c keeps them.
   */
  private noSavingStay(
    observation: Observation,
    ranking: Ranking,
    c: number,
    ec: number,
    horizon: number,
  ): Decision {
    const { now, prices, history } = observation;
    const leavesAt = history.cheapestChangeLeavesAt?.() ?? -Infinity;
    if (!(leavesAt > now)) return STAY_NO_SAVING;
    const { efficiency, usedWork } = ranking.valuation;
    const order = ranking.order.order;
    const pc = prices[c];
    const { memoryGiB } = observation.workload;
    // Candidate i's net S_i − C_i ≤ 0 while p_c × max(T_r, T_a + T_d + T_k) ≥ 3600 × S_i − p_i × T_d.
    let needed = 0;
    for (let rank = 0; rank < order.length; rank++) {
      const i = order[rank];
      const ei = efficiency[i];
      if (!(ei < ec)) break;
      if (i === c || !isCandidate(observation, i, memoryGiB) || observation.rebalance.has(i)) continue;
      const hop = observation.migration(i);
      const seconds =
        (3600 * expectedSavings(ec, ei, usedWork[i], horizon) - prices[i] * hop.downtimeSeconds) / pc;
      const withSlack = seconds + PROMISE_SLACK * (Math.abs(seconds) + 1);
      if (withSlack > hop.acquireSeconds + hop.downtimeSeconds + hop.terminateSeconds)
        needed = Math.max(needed, withSlack);
    }
    const paidTimeLeft = observation.billing.paidTimeLeft;
    // One is held back by the debt alone: it may pay as soon as that is recouped.
    if (needed > 0 && !(paidTimeLeft > needed)) return STAY_NO_SAVING;
    // Any other market pays only at e ≤ e*: (e_c − e) × U × T − e × U × T_d ≤ p_c × max(T_r, T_hop)
    // for every U up to the largest u × W, with the quickest hop's times.
    const floorCost = pc * Math.max(needed, this.shortestHopSeconds(observation));
    const downtime = this.shortestDowntimeSeconds(observation);
    const eStar = (ec * horizon - floorCost / ranking.maxUsedWork) / (horizon + downtime);
    const line = eStar + PROMISE_SLACK * (Math.abs(eStar) + ec);
    if (!(line === line)) return STAY_NO_SAVING;
    const stay = this.stayNoSaving;
    stay.until = Math.min(leavesAt, needed > 0 ? now + (paidTimeLeft - needed) : Infinity);
    const { watch } = stay;
    this.watchLedger(stay, observation, c);
    watch.lowest = c;
    watch.ceiling = ec;
    watch.divisors = ranking.fittingUsedWork;
    watch.line = line;
    return stay;
  }

  /**
   * While the ledger recoups a debt, its rate follows the current and reference markets' prices: a
   * watched stay lets their changes pass when the look-back can tell past prices (`skipped` finds the
   * rate at each epoch from them), else every one of their changes matters.
   */
  private watchLedger(stay: WatchedStay, observation: Observation, c: number): void {
    const reference = this.ledger.reference;
    const recouping = this.ledger.unrecouped > 0 && reference >= 0 && reference !== c;
    const { history } = observation;
    const lookBack = recouping && history.priceAt !== undefined && history.nextPriceChange !== undefined;
    this.rateHistory = lookBack ? history : null;
    this.rateMarkets = observation.markets;
    this.rateCurrent = c;
    stay.watch.market = recouping && !lookBack ? c : -1;
    stay.watch.other = recouping && !lookBack ? reference : -1;
  }

  /** Epochs a stay of `decide` covered: the debt is recouped as those decisions would have. */
  skipped(from: number, count: number, intervalSeconds: number): void {
    const history = this.rateHistory;
    const ledger = this.ledger;
    let now = from;
    let k = 0;
    if (history !== null) {
      const c = this.rateCurrent;
      const reference = ledger.reference;
      // The rate holds until either market's price changes, and matters no more once the debt is paid.
      let rateUntil = -Infinity;
      for (; k < count && ledger.unrecouped > 0; k++, now += intervalSeconds) {
        ledger.idle(now);
        if (now < rateUntil) continue;
        ledger.setSavingsRate(this.savingsRateAt(history, c, reference, now));
        rateUntil = Math.min(history.nextPriceChange!(c, now), history.nextPriceChange!(reference, now));
      }
    }
    for (; k < count; k++, now += intervalSeconds) ledger.idle(now);
  }

  /** (e_ref − e_c) × u_c × W_c at `time`'s prices, as `decide` computes it. */
  private savingsRateAt(history: PriceHistoryView, c: number, reference: number, time: number): number {
    const markets = this.rateMarkets;
    const { utilisation, usedWork: used } = this.ranking!.valuation;
    const ec = costEfficiency(history.priceAt!(c, time), markets[c].work, utilisation[c]);
    const eReference = costEfficiency(
      history.priceAt!(reference, time),
      markets[reference].work,
      utilisation[reference],
    );
    return (eReference - ec) * used[c];
  }

  /** Whether voluntary hops wait for the last call of the source's paid interval (rules only). */
  private waitsForLastCall(observation: Observation): boolean {
    const interval = this.rules.lastCallIntervalSeconds;
    return interval > 0 && observation.billing.intervalSeconds > interval;
  }

  /** T_r lets a hop of this timeline end before renewal now, and no longer at the next epoch. */
  private isLastCall(hop: MigrationEstimate, paidTimeLeft: number): boolean {
    const seconds = hop.acquireSeconds + hop.downtimeSeconds + hop.terminateSeconds;
    return paidTimeLeft >= seconds && paidTimeLeft - this.rules.lastCallIntervalSeconds < seconds;
  }

  /** Whether this epoch is the last call for a hop to some lifecycle. */
  private someLastCall(observation: Observation, paidTimeLeft: number): boolean {
    for (const id of this.lifecycleSamples) {
      if (this.isLastCall(observation.migration(id), paidTimeLeft)) return true;
    }
    return false;
  }

  private rankingFor(observation: Observation): Ranking {
    const count = observation.markets.length;
    if (this.ranking === null || this.ranking.order.size !== count) {
      this.ranking = new Ranking(count);
      const seen = new Set<string>();
      this.lifecycleSamples = [];
      for (const market of observation.markets) {
        if (!seen.has(market.lifecycle)) {
          seen.add(market.lifecycle);
          this.lifecycleSamples.push(market.id);
        }
      }
    }
    return this.ranking;
  }

  /** T_a + T_d + T_k of the quickest hop (over target lifecycles): what any hop bills the source at least. */
  private shortestHopSeconds(observation: Observation): number {
    let shortest = Infinity;
    for (const id of this.lifecycleSamples) {
      const hop = observation.migration(id);
      shortest = Math.min(shortest, hop.acquireSeconds + hop.downtimeSeconds + hop.terminateSeconds);
    }
    return shortest;
  }

  /** T_d of the quickest downtime over target lifecycles. */
  private shortestDowntimeSeconds(observation: Observation): number {
    let shortest = Infinity;
    for (const id of this.lifecycleSamples)
      shortest = Math.min(shortest, observation.migration(id).downtimeSeconds);
    return shortest;
  }

  private buffersFor(observation: Observation): Valuation {
    const count = observation.markets.length;
    if (this.buffers === null || this.buffers.efficiency.length !== count) this.buffers = valuation(count);
    return this.buffers;
  }

  /**
   * First placement or after a revocation: the lowest e_i. With no server, the engine reports the load
   * level a(t) as the utilisation, so the container would use a(t) × demand work units.
   */
  private place(observation: Observation): Decision {
    const { utilisation, demandWork } = observation.workload;
    const valuation = valuate(observation, utilisation * demandWork, this.buffersFor(observation));
    const best = mostEfficient(candidateMarkets(observation), valuation, -1);
    this.ledger.forcedMove();
    this.lastMoveAt = observation.now;
    if (best === -1) return { kind: "stay", reason: "no market fits the container" };
    return { kind: "place", marketId: best, reason: `lowest e = ${usd(valuation.efficiency[best])}` };
  }

  /**
   * Interruption notice (or a server the container outgrew): leave at once for the lowest e_i, whatever
   * the savings.
   */
  private evacuate(observation: Observation, ranking: Ranking, c: number, why: string): Decision {
    const { memoryGiB } = observation.workload;
    let best = -1;
    for (const i of ranking.order.order) {
      if (i !== c && isCandidate(observation, i, memoryGiB)) {
        best = i;
        break;
      }
    }
    this.ledger.forcedMove();
    this.lastMoveAt = observation.now;
    if (best === -1) return { kind: "stay", reason: `${why}, but no other market fits` };
    return {
      kind: "place",
      marketId: best,
      reason: `${why}: emergency hop, lowest e = ${usd(ranking.valuation.efficiency[best])}`,
    };
  }
}

/** The paper's parameters, which hotspot-plus shares. */
export const hotspotParams = [
  {
    name: "epsilon",
    kind: "number",
    unit: "fraction",
    description:
      "utilisation slack ε: a current server at u_c ≥ 1 − ε counts as saturated, so every candidate is assumed used up to the declared demand",
    default: DEFAULT_EPSILON,
    min: 0,
    max: 1,
  },
  {
    name: "minHopIntervalSeconds",
    kind: "number",
    unit: "seconds",
    description: "minimum seconds between two moves (0: no minimum, as in the paper)",
    default: 0,
    min: 0,
  },
] as const satisfies readonly PolicyParam[];

export const hotspotPolicy = definePolicy({
  name: "hotspot",
  summary:
    "HotSpot (SoCC 2017): hop within the zone to the server with the best cost per utilised work unit when the expected savings exceed the transaction cost",
  params: hotspotParams,
  inputs: [],
  simulationOnly: false,
  create({ epsilon, minHopIntervalSeconds }) {
    return new HotspotPolicy(epsilon, minHopIntervalSeconds);
  },
});
