import type { Command, Driver, EventSink } from "../../engine/driver.js";
import type { Market, PriceWatch } from "../../engine/types.js";
import type { PricePath } from "../../engine/billing.js";
import { stepSeconds, type DurationMode, type MigrationModelConfig } from "../../engine/migration-model.js";
import type { Random } from "../../util/random.js";
import type { ZoneScenario } from "./markets.js";
import { SimHistory } from "./history.js";
import {
  NOTICE_SECONDS,
  advisorBucketFrequency,
  bidsOf,
  hazardPerHour,
  recordedSpans,
  type InterruptionConfig,
} from "./interruptions.js";

export interface SimDriverOptions {
  readonly scenario: ZoneScenario;
  /** Start of the simulated window: capacity-interruption processes start here. */
  readonly start: number;
  readonly memoryGiB: number;
  readonly demandWork: number;
  readonly migrationModel: MigrationModelConfig;
  readonly durations: DurationMode;
  readonly interruptions: InterruptionConfig;
  readonly historyWindowSeconds: number;
  /** Step durations draw from this stream. */
  readonly durationRandom: Random;
  /**
   * Capacity interruptions (advisor model) draw from this stream: one sub-stream per market, forked
   * in market order, so every policy run on the scenario meets the same interruptions.
   */
  readonly interruptionRandom: Random;
}

/**
 * The simulated world of one zone: replays the zone's price changes on a virtual clock, times the
 * engine's commands with the migration model, and raises interruptions from the configured model.
 * Acquisition is decided when requested, from the known price path: a spot request whose market
 * is above the bid when it would be running fails then (the sim may look ahead; policies may not).
 */
export class SimDriver implements Driver {
  readonly markets: readonly Market[];
  readonly prices: Float64Array;
  readonly unavailable = new Set<number>();
  /** Advisor model with a rebalance lead: markets whose next capacity event is within the lead. */
  readonly rebalance = new Map<number, number>();
  readonly history: SimHistory;
  private cursor = 0;
  private readonly bid: Float64Array;
  private readonly overBid: Uint8Array;
  /** Per market: instances running (or about to) that a bid crossing reclaims. */
  private readonly watched: number[][];
  private readonly runningFrom: number[] = [];
  private readonly noticed: boolean[] = [];
  /** Spot types of the zone the advisor file does not list (never interrupted). */
  readonly advisorMissingTypes = new Set<string>();
  /** Price changes applied so far. */
  eventsReplayed = 0;
  /** Advisor and replay models, per market: its capacity process (null where none applies). */
  private readonly capacity: readonly (Capacity | null)[];
  /** Markets with a capacity process, in id order. */
  private readonly capacityIds: Int32Array;
  /** Per market: when its availability or rebalance recommendation may next change. */
  private readonly capacityCheckAt: Float64Array;
  /** The earliest of `capacityCheckAt`: until then no market's capacity state changes. */
  private nextCapacityCheck = -Infinity;

  constructor(private readonly options: SimDriverOptions) {
    const { scenario } = options;
    this.markets = scenario.markets;
    const count = scenario.markets.length;
    this.prices = new Float64Array(count);
    this.bid = bidsOf(scenario.markets, options.interruptions);
    this.overBid = new Uint8Array(count);
    this.watched = Array.from({ length: count }, () => []);
    for (const market of scenario.markets) {
      this.prices[market.id] = market.lifecycle === "on-demand" ? market.onDemandUsd : NaN;
    }
    this.capacity = scenario.markets.map((market) => {
      const { interruptions } = options;
      if (interruptions.kind === "replay" && market.lifecycle === "spot") {
        const spans = recordedSpans(interruptions.availability, market.zone, market.instanceType);
        if (spans === null) this.advisorMissingTypes.add(market.instanceType);
        return spans === null ? null : new RecordedCapacity(spans);
      }
      if (interruptions.kind !== "advisor" || market.lifecycle !== "spot") return null;
      const stream = options.interruptionRandom.fork();
      const bucket = interruptions.advisor.bucketOfType.get(market.instanceType);
      if (bucket === undefined) {
        this.advisorMissingTypes.add(market.instanceType);
        return null;
      }
      return new CapacityEvents(hazardPerHour(advisorBucketFrequency[bucket]), stream, options.start);
    });
    this.capacityIds = Int32Array.from(
      scenario.markets.filter((market) => this.capacity[market.id] !== null),
      (market) => market.id,
    );
    this.capacityCheckAt = new Float64Array(count).fill(-Infinity);
    if (this.capacityIds.length === 0) this.nextCapacityCheck = Infinity;
    this.history = new SimHistory(
      scenario,
      options.historyWindowSeconds,
      options.memoryGiB,
      options.demandWork,
    );
  }

  /** The next price change of the zone, or the next capacity check, whichever comes first. */
  nextChange(): number {
    const { eventTime } = this.options.scenario;
    const price = this.cursor < eventTime.length ? eventTime[this.cursor] : Infinity;
    return Math.min(price, this.nextCapacityCheck);
  }

  pricePath(marketId: number): PricePath {
    return this.options.scenario.paths[marketId];
  }

  advance(until: number, sink: EventSink): number {
    const stopped = this.replay(until, null, sink);
    return stopped === stopped ? stopped : until;
  }

  advanceWatching(until: number, watch: PriceWatch, sink: EventSink): number {
    // A capacity check may change availability or recommendations: the span ends there.
    const check = this.nextCapacityCheck;
    const stopped = this.replay(Math.min(until, check), watch, sink);
    return stopped === stopped ? stopped : check <= until ? check : Infinity;
  }

  /**
   * Applies the price changes up to `until`, or stops after the changes at the time of the first bid
   * notice raised or, with `watch`, of the first change it does not let pass, and returns that time
   * (NaN: none, `until` reached).
   */
  private replay(until: number, watch: PriceWatch | null, sink: EventSink): number {
    const { eventTime, eventMarket, eventPrice } = this.options.scenario;
    const n = eventTime.length;
    const bid = this.bid;
    const overBid = this.overBid;
    const prices = this.prices;
    const watched = watch !== null;
    const first = watched ? watch.market : -1;
    const second = watched ? watch.other : -1;
    const lowest = watched ? watch.lowest : -1;
    const ceiling = watched ? watch.ceiling : NaN;
    const divisors = watched ? watch.divisors : prices;
    const line = watched ? watch.line : NaN;
    let i = this.cursor;
    let stopAt = NaN;
    while (i < n && eventTime[i] <= until) {
      const market = eventMarket[i];
      const price = eventPrice[i];
      prices[market] = price;
      if (watched && stopAt !== stopAt) {
        const quotient = price / divisors[market];
        if (
          market === first ||
          market === second ||
          (market === lowest ? quotient >= ceiling : quotient <= line)
        )
          stopAt = eventTime[i];
      }
      const over = price > bid[market] ? 1 : 0;
      if (over !== overBid[market]) {
        overBid[market] = over;
        if (over === 1) {
          this.unavailable.add(market);
          if (this.watched[market].length > 0 && this.noticeBidCrossing(market, eventTime[i], sink)) {
            stopAt = eventTime[i];
          }
        } else {
          this.unavailable.delete(market);
        }
      }
      i++;
      if (stopAt === stopAt && (i >= n || eventTime[i] !== stopAt)) break;
    }
    this.eventsReplayed += i - this.cursor;
    this.cursor = i;
    const reached = stopAt === stopAt ? stopAt : until;
    this.updateCapacity(reached);
    this.history.setNow(reached, i);
    return stopAt;
  }

  /**
   * Advisor model: a market is unavailable from an interruption's notice until the reclamation (the
   * pool is short of capacity), for every policy alike.
   */
  private updateCapacity(now: number): void {
    if (now < this.nextCapacityCheck) return;
    const { interruptions } = this.options;
    const lead = interruptions.kind === "advisor" ? (interruptions.rebalanceLeadSeconds ?? 0) : 0;
    const checkAt = this.capacityCheckAt;
    let next = Infinity;
    for (const id of this.capacityIds) {
      if (checkAt[id] <= now) {
        const capacity = this.capacity[id]!;
        if (capacity.availableAt(now)) this.unavailable.delete(id);
        else this.unavailable.add(id);
        let at = capacity.changesAfter(now);
        if (lead > 0) {
          // The policy learns only that the market is at risk since then, never when the event comes.
          const recommendedAt = capacity.reclaimAfter(now) - lead;
          if (recommendedAt <= now) this.rebalance.set(id, Math.max(recommendedAt, this.options.start));
          else {
            this.rebalance.delete(id);
            at = Math.min(at, recommendedAt);
          }
        }
        checkAt[id] = at;
      }
      next = Math.min(next, checkAt[id]);
    }
    this.nextCapacityCheck = next;
  }

  /** Notices for every running instance of `market` at `time`; true if any was raised. */
  private noticeBidCrossing(market: number, time: number, sink: EventSink): boolean {
    let raised = false;
    for (const instance of this.watched[market]) {
      if (this.runningFrom[instance] > time || this.noticed[instance]) continue;
      this.noticed[instance] = true;
      const reclaimAt = time + NOTICE_SECONDS;
      sink.schedule(time, { kind: "notice", instance, reclaimAt, reason: "spot price above the bid" });
      sink.schedule(reclaimAt, { kind: "revoked", instance });
      raised = true;
    }
    return raised;
  }

  execute(command: Command, now: number, sink: EventSink): void {
    switch (command.kind) {
      case "acquire":
        return this.acquire(command.instance, command.marketId, now, sink);
      case "terminate": {
        this.unwatch(command.instance);
        const done = now + this.duration("terminate", "on-demand");
        sink.schedule(done, { kind: "terminated", instance: command.instance });
        return;
      }
      case "checkpoint":
      case "transfer":
      case "move":
      case "restore": {
        const done = now + this.duration(command.kind, "on-demand");
        const kind = (
          { checkpoint: "checkpointed", transfer: "transferred", move: "moved", restore: "restored" } as const
        )[command.kind];
        sink.schedule(done, { kind, migration: command.migration });
        return;
      }
    }
  }

  private duration(step: Parameters<typeof stepSeconds>[1], lifecycle: Market["lifecycle"]): number {
    const { migrationModel, memoryGiB, durations, durationRandom } = this.options;
    return stepSeconds(migrationModel, step, memoryGiB, lifecycle, durations, durationRandom);
  }

  private acquire(instance: number, marketId: number, now: number, sink: EventSink): void {
    const market = this.markets[marketId];
    const runningAt = now + this.duration("acquire", market.lifecycle);
    const path = this.options.scenario.paths[marketId];
    if (path.priceAt(runningAt) > this.bid[marketId]) {
      sink.schedule(runningAt, { kind: "acquire-failed", instance, reason: "spot price above the bid" });
      return;
    }
    const capacity = this.capacity[marketId];
    const reclaimAt = capacity === null ? Infinity : capacity.reclaimAfter(runningAt);
    if (capacity !== null && !capacity.availableAt(runningAt)) {
      sink.schedule(runningAt, { kind: "acquire-failed", instance, reason: "insufficient spot capacity" });
      return;
    }
    sink.schedule(runningAt, { kind: "acquired", instance });
    if (market.lifecycle !== "spot") return;
    if (this.options.interruptions.kind === "bid") {
      this.runningFrom[instance] = runningAt;
      this.noticed[instance] = false;
      this.watched[marketId].push(instance);
    } else if (reclaimAt !== Infinity) {
      const noticeAt = reclaimAt - NOTICE_SECONDS;
      sink.schedule(noticeAt, {
        kind: "notice",
        instance,
        reclaimAt,
        reason:
          this.options.interruptions.kind === "replay"
            ? "recorded spot capacity unavailable"
            : "capacity interruption (advisor hazard)",
      });
      sink.schedule(reclaimAt, { kind: "revoked", instance });
    }
  }

  private unwatch(instance: number): void {
    for (const list of this.watched) {
      const at = list.indexOf(instance);
      if (at >= 0) {
        list.splice(at, 1);
        return;
      }
    }
  }
}

/** When a market has spot capacity, and when a server started on it is reclaimed. */
interface Capacity {
  /** Whether a server may start (or be chosen) on the market at `t`. */
  availableAt(t: number): boolean;
  /** When a server running from `t` is reclaimed (noticed NOTICE_SECONDS before); Infinity: never. */
  reclaimAfter(t: number): number;
  /** The first time after `t` at which `availableAt` or `reclaimAfter` may answer otherwise; Infinity: never. */
  changesAfter(t: number): number;
}

/**
 * Recorded availability: the market has no spot capacity during its spans [from, to). A server running
 * when a span begins is noticed then and reclaimed NOTICE_SECONDS later.
 */
class RecordedCapacity implements Capacity {
  /** `spans` flattened [from0, to0, from1, to1, …], sorted and disjoint. */
  constructor(private readonly spans: Float64Array) {}

  /** Index of the first span whose start is after `t` (binary search over the starts). */
  private firstStartAfter(t: number): number {
    let lo = 0;
    let hi = this.spans.length / 2;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.spans[2 * mid] > t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  availableAt(t: number): boolean {
    const next = this.firstStartAfter(t);
    return next === 0 || this.spans[2 * (next - 1) + 1] <= t;
  }

  reclaimAfter(t: number): number {
    const next = this.firstStartAfter(t);
    return next < this.spans.length / 2 ? this.spans[2 * next] + NOTICE_SECONDS : Infinity;
  }

  /** The end of the span `t` lies in, else the next span's start. */
  changesAfter(t: number): number {
    const next = this.firstStartAfter(t);
    if (next > 0 && this.spans[2 * (next - 1) + 1] > t) return this.spans[2 * (next - 1) + 1];
    return next < this.spans.length / 2 ? this.spans[2 * next] : Infinity;
  }
}

/**
 * A market's capacity interruptions: a Poisson process of rate λ per hour, drawn lazily and in time
 * order. Every instance running on the market at an event is reclaimed then (noticed 2 minutes
 * before; no new instance starts in those 2 minutes), so an instance's lifetime is exponential with
 * mean 1/λ from its start, and all policies meet the same events.
 */
class CapacityEvents implements Capacity {
  private readonly times: number[] = [];

  constructor(
    private readonly perHour: number,
    private readonly random: Random,
    private last: number,
  ) {}

  /** Unavailable from an event's notice to the event. */
  availableAt(t: number): boolean {
    return this.firstAfter(t) - NOTICE_SECONDS > t;
  }

  reclaimAfter(t: number): number {
    return this.firstAfter(t);
  }

  /** The next event's notice, else the event itself. */
  changesAfter(t: number): number {
    const event = this.firstAfter(t);
    return event - NOTICE_SECONDS > t ? event - NOTICE_SECONDS : event;
  }

  /** The first event strictly after `t`. */
  private firstAfter(t: number): number {
    while (this.times.length === 0 || this.times[this.times.length - 1] <= t) {
      this.last += this.random.exponential(1 / this.perHour) * 3600;
      this.times.push(this.last);
    }
    let lo = 0;
    let hi = this.times.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.times[mid] > t) hi = mid;
      else lo = mid + 1;
    }
    return this.times[lo];
  }
}
