import type { PriceChangeLog, PriceHistoryView } from "../../engine/types.js";
import { deliveredWork, fitsMemory } from "../../engine/candidates.js";
import type { ZoneScenario } from "./markets.js";
import { IndexedMin } from "../../util/indexed-min.js";

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
  private readonly costs: IndexedMin;
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
    this.costs = new IndexedMin(scenario.markets.length);
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
      const best = this.costs.min();
      if (best !== this.cheapest) {
        if (this.cheapest >= 0) this.pushChange(time);
        this.cheapest = best;
      }
    }
  }

  /** As `usdPerWorkHour` computes it, from the work kept per market. */
  private updatePrice(marketId: number, price: number): void {
    const work = this.delivered[marketId];
    if (work === work) this.costs.set(marketId, work > 0 ? price / work : Infinity);
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
