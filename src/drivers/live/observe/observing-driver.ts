import type { Command, Driver, EngineEvent, EventSink } from "../../../engine/driver.js";
import type { StepPricePath } from "../../../engine/price-paths.js";
import type { Market, Placement, PriceHistoryView } from "../../../engine/types.js";
import { HotspotError } from "../../../errors.js";
import { SimHistory } from "../../sim/history.js";
import { nowSeconds, type Clock } from "../../../util/clock.js";
import type { NoticePoller, NoticeState } from "./notice-poller.js";
import { polledPaths, scenarioFromPaths } from "./polled-scenario.js";
import type { PollReport, PricePoller } from "./price-poller.js";

export interface ObservingDriverOptions {
  readonly zone: string;
  /** The zone's candidate markets, as `liveMarkets` builds them from the first poll. */
  readonly markets: readonly Market[];
  /** Polled once already, at the run's start (the markets came from that poll). */
  readonly poller: PricePoller;
  readonly firstPoll: PollReport;
  readonly clock: Clock;
  readonly historyWindowSeconds: number;
  readonly memoryGiB: number;
  readonly demandWork: number;
  /** Where the container is assumed to run (the engine's adopted instance 0); null: nowhere yet. */
  readonly placement: Placement | null;
  /** Metadata of the assumed server, watched for interruption notices; absent: not watched. */
  readonly metadata?: NoticePoller;
  /** Epoch seconds at which watching ends (`stop` aborts then). */
  readonly until: number;
  /** Told of every command: what the run would do now. */
  readonly onCommand: (command: Command) => void;
  /** Called before the world moves on: the engine has acted on everything it decided so far. */
  readonly beforeAdvance: () => void;
}

const NOT_LAUNCHED = "dry run: nothing is launched";

/**
 * The dry run's driver: it observes as the live driver does (spot prices polled before every
 * decision, the assumed server's metadata watched for notices) and never acts. Every command is told
 * to `onCommand` and answered as not done, so the engine's placement stays the assumed one: a hop's
 * acquire fails at once (the container stays where it is); a first placement's acquire fails at the
 * engine's next decision time, where the engine asks again (failing it at once would ask again at
 * the same instant, without end).
 */
export class ObservingDriver implements Driver {
  readonly markets: readonly Market[];
  readonly prices: Float64Array;
  readonly unavailable = new Set<number>();
  /** The assumed server's market, with the time of its rebalance recommendation, while there is one. */
  readonly rebalance = new Map<number, number>();
  private paths: StepPricePath[] = [];
  private historyView: SimHistory;
  private readonly stopper = new AbortController();
  private reached = -Infinity;
  private notice: NoticeState = { interruptionAt: null, action: null, rebalanceAt: null };
  /** The engine instance of a first placement, answered at the next decision time; -1: none. */
  private pendingPlacement = -1;
  private pollCount = 1;
  private recordCount: number;
  private duplicateCount: number;

  constructor(private readonly options: ObservingDriverOptions) {
    this.markets = options.markets;
    this.prices = new Float64Array(options.markets.length);
    this.recordCount = options.firstPoll.records;
    this.duplicateCount = options.firstPoll.duplicates;
    this.historyView = this.absorbPoll();
  }

  /** Aborted once the clock reaches `until`: the engine's run ends there. */
  get stop(): AbortSignal {
    return this.stopper.signal;
  }

  /** Price polls so far (the first included), the records they returned, and those already known. */
  get polls(): { readonly polls: number; readonly records: number; readonly duplicates: number } {
    return { polls: this.pollCount, records: this.recordCount, duplicates: this.duplicateCount };
  }

  /** The latest rebalance recommendation the metadata showed (epoch seconds), or null. */
  get rebalanceAt(): number | null {
    return this.notice.rebalanceAt;
  }

  get history(): PriceHistoryView {
    return this.historyView;
  }

  pricePath(marketId: number): StepPricePath {
    return this.paths[marketId];
  }

  async advance(until: number, sink: EventSink): Promise<number> {
    const { clock, metadata } = this.options;
    this.options.beforeAdvance();
    if (this.reached === -Infinity) {
      // The start, polled already: a notice pending now is the first news.
      if (await this.checkNotice()) sink.schedule(until, this.noticeEvent());
      return this.reach(until);
    }
    // Asked again for a time it reached (the engine's first tick): nothing new to observe.
    if (until <= this.reached) return this.reached;
    for (;;) {
      const now = nowSeconds(clock);
      if (now >= this.options.until) {
        this.stopper.abort();
        return this.reached;
      }
      if (now >= until) {
        await this.poll();
        if (this.pendingPlacement >= 0) {
          const instance = this.pendingPlacement;
          this.pendingPlacement = -1;
          sink.schedule(until, { kind: "acquire-failed", instance, reason: NOT_LAUNCHED });
        }
        return this.reach(until);
      }
      const wake = Math.min(until, this.options.until) - now;
      const step = metadata === undefined ? wake : Math.min(metadata.intervalSeconds, wake);
      if (step > 0) await clock.sleep(step * 1000);
      if (await this.checkNotice()) {
        await this.poll();
        const at = nowSeconds(clock);
        sink.schedule(at, this.noticeEvent());
        return this.reach(at);
      }
    }
  }

  execute(command: Command, now: number, sink: EventSink): void {
    this.options.onCommand(command);
    if (command.kind !== "acquire") {
      // Every other command follows an acquired instance, and none ever is.
      throw new HotspotError(
        "HOTSPOT_LIVE_STATE",
        `the dry run acquired nothing, yet the engine asked to ${command.kind}`,
      );
    }
    if (this.options.placement === null) this.pendingPlacement = command.instance;
    else sink.schedule(now, { kind: "acquire-failed", instance: command.instance, reason: NOT_LAUNCHED });
  }

  private reach(time: number): number {
    this.reached = time;
    this.historyView.setNow(time);
    return time;
  }

  private async poll(): Promise<void> {
    const report = await this.options.poller.poll();
    this.pollCount++;
    this.recordCount += report.records;
    this.duplicateCount += report.duplicates;
    this.historyView = this.absorbPoll();
  }

  /** Prices and price paths from the poller, and the look-back view over them. */
  private absorbPoll(): SimHistory {
    const { zone, poller, historyWindowSeconds, memoryGiB, demandWork } = this.options;
    this.paths = polledPaths(this.markets, poller);
    this.unavailable.clear();
    this.markets.forEach((m, id) => {
      this.prices[id] = m.lifecycle === "spot" ? poller.price(m.instanceType) : m.onDemandUsd;
      if (Number.isNaN(this.prices[id])) this.unavailable.add(id);
    });
    // Its present is the decision's, set as the engine reaches it (`reach`).
    return new SimHistory(
      scenarioFromPaths(zone, this.markets, this.paths),
      historyWindowSeconds,
      memoryGiB,
      demandWork,
    );
  }

  /** True when a new interruption notice for the assumed server arrived. */
  private async checkNotice(): Promise<boolean> {
    const { metadata, placement } = this.options;
    if (metadata === undefined) return false;
    const seen = await metadata.check();
    const fresh = seen.interruptionAt !== null && seen.interruptionAt !== this.notice.interruptionAt;
    this.notice = seen;
    // As the live driver: a recommendation for the server marks its market.
    this.rebalance.clear();
    if (placement !== null && seen.rebalanceAt !== null)
      this.rebalance.set(placement.marketId, seen.rebalanceAt);
    return fresh && placement !== null;
  }

  private noticeEvent(): EngineEvent {
    return {
      kind: "notice",
      instance: 0,
      reclaimAt: this.notice.interruptionAt!,
      reason: `spot interruption notice (${this.notice.action ?? "terminate"})`,
    };
  }
}
