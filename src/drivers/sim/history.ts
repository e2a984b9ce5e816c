import type { PriceChangeLog, PriceHistoryView } from "../../engine/types.js";
import { deliveredWork, fitsMemory } from "../../engine/candidates.js";
import type { ZoneScenario } from "./markets.js";

/**
 * The look-back view policies get. Counts come from the price paths by binary search; the history of
 * which market is cheapest per delivered work-hour is built lazily, only as far as a policy asks, so
 * policies that never ask cost nothing. The change log is the scenario's event column up to now.
 */
export class SimHistory implements PriceHistoryView {
  private now = -Infinity;
  private cursor = 0;
  readonly changeLog: PriceChangeLog;
  private readonly log: EventLog;
  /** USD per delivered work-hour of each market that fits the memory (Infinity otherwise). */
  private readonly costs: Float64Array;
  /** The lowest of `costs`, ties to the lower id (-1: none finite), kept as prices change. */
  private lowest = -1;
  private lowestCost = Infinity;
  /** The lowest one's cost rose: the lowest is found again by a scan once its time is replayed. */
  private stale = false;
  private cheapest = -1;
  /** Per market: work units delivered per hour, or NaN when it does not fit the memory. */
  private readonly delivered: Float64Array;
  private changeTimes = new Float64Array(64);
  private changeCount = 0;

  constructor(
    private readonly scenario: ZoneScenario,
    readonly windowSeconds: number,
    memoryGiB: number,
    demandWork: number,
  ) {
    this.changeLog = this.log = new EventLog(scenario.eventMarket);
    this.costs = new Float64Array(scenario.markets.length).fill(Infinity);
    this.delivered = Float64Array.from(scenario.markets, (market) =>
      fitsMemory(market, memoryGiB) ? deliveredWork(market, demandWork) : NaN,
    );
    for (const market of scenario.markets) {
      if (market.lifecycle === "on-demand") this.updatePrice(market.id, market.onDemandUsd);
    }
  }

  /**
   * The driver moves the view's present forward. `logged`: how many of the scenario's events have a
   * time at or before it, when the caller knows (the sim driver's replay cursor); else counted here.
   */
  setNow(now: number, logged?: number): void {
    this.now = now;
    if (logged !== undefined) {
      this.log.logged = logged;
      return;
    }
    const times = this.scenario.eventTime;
    let count = this.log.logged;
    while (count < times.length && times[count] <= now) count++;
    this.log.logged = count;
  }

  changes(marketId: number): number {
    return this.scenario.paths[marketId].changesIn(this.now - this.windowSeconds, this.now);
  }

  meanTimeToChangeOfCheapest(): number {
    const first = this.firstInWindow();
    const changes = this.changeCount - first;
    return changes === 0 ? Infinity : this.windowSeconds / changes;
  }

  priceAt(marketId: number, time: number): number {
    return this.scenario.paths[marketId].priceAt(Math.min(time, this.now));
  }

  nextPriceChange(marketId: number, time: number): number {
    const next = this.scenario.paths[marketId].nextChange(time);
    return next <= this.now ? next : Infinity;
  }

  cheapestChangeLeavesAt(): number {
    const first = this.firstInWindow();
    return first < this.changeCount ? this.changeTimes[first] + this.windowSeconds : Infinity;
  }

  /** Index of the first change of the cheapest within (now - windowSeconds, now]. */
  private firstInWindow(): number {
    this.catchUp();
    const from = this.now - this.windowSeconds;
    let lo = 0;
    let hi = this.changeCount;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.changeTimes[mid] <= from) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private catchUp(): void {
    const { eventTime, eventMarket, eventPrice } = this.scenario;
    while (this.cursor < eventTime.length && eventTime[this.cursor] <= this.now) {
      const time = eventTime[this.cursor];
      while (this.cursor < eventTime.length && eventTime[this.cursor] === time) {
        this.updatePrice(eventMarket[this.cursor], eventPrice[this.cursor]);
        this.cursor++;
      }
      const best = this.lowestNow();
      if (best !== this.cheapest) {
        if (this.cheapest >= 0) this.pushChange(time);
        this.cheapest = best;
      }
    }
  }

  /**
   * As `usdPerWorkHour` computes it, from the work kept per market (NaN counts as Infinity); the
   * lowest follows, as the envelope loop keeps it: one comparison per change, a scan only when the
   * lowest one's cost rose.
   */
  private updatePrice(marketId: number, price: number): void {
    const work = this.delivered[marketId];
    if (work !== work) return;
    const quotient = work > 0 ? price / work : Infinity;
    const cost = quotient === quotient ? quotient : Infinity;
    this.costs[marketId] = cost;
    if (this.stale) return;
    const lowest = this.lowest;
    if (marketId === lowest) {
      if (cost > this.lowestCost) this.stale = true;
      else this.lowestCost = cost;
    } else if (
      cost < this.lowestCost ||
      (cost === this.lowestCost && cost !== Infinity && marketId < lowest)
    ) {
      this.lowest = marketId;
      this.lowestCost = cost;
    }
  }

  /** The market with the lowest cost now (ties to the lower id), or -1 when none is finite. */
  private lowestNow(): number {
    if (!this.stale) return this.lowest;
    const costs = this.costs;
    let lowest = -1;
    let lowestCost = Infinity;
    for (let id = 0; id < costs.length; id++) {
      if (costs[id] < lowestCost) {
        lowest = id;
        lowestCost = costs[id];
      }
    }
    this.lowest = lowest;
    this.lowestCost = lowestCost;
    this.stale = false;
    return lowest;
  }

  private pushChange(time: number): void {
    if (this.changeCount === this.changeTimes.length) {
      const grown = new Float64Array(this.changeTimes.length * 2);
      grown.set(this.changeTimes);
      this.changeTimes = grown;
    }
    this.changeTimes[this.changeCount++] = time;
  }
}

/** The scenario's price events up to the view's present, as a change log. */
class EventLog implements PriceChangeLog {
  /** Events with time ≤ now: the driver's replay cursor, set with the present. */
  logged = 0;

  constructor(private readonly markets: Int32Array) {}

  get length(): number {
    return this.logged;
  }

  marketAt(index: number): number {
    return this.markets[index];
  }
}
