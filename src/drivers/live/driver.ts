import type { Command, Driver, EngineEvent, EventSink } from "../../engine/driver.js";
import type { Market, PriceHistoryView } from "../../engine/types.js";
import { HotspotError } from "../../errors.js";
import { SimHistory } from "../sim/history.js";
import { StepPricePath, constantPath } from "../../engine/price-paths.js";
import { nowSeconds, type Clock } from "../../util/clock.js";
import { ContainerLostError, CpuMismatchError, HostSideError, InstanceLostError } from "./errors.js";
import type { ContainerUsage } from "./host/container-host.js";
import { isGone } from "./hop/instance-state.js";
import type { HopExecutor } from "./hop/hop.js";
import type { MeasuredWorkload } from "./observe/measured-workload.js";
import type { MemoryFootprint, MemoryNeed } from "./host/footprint.js";
import type { HopRecord, HopStep } from "./hop/journal.js";
import type { NoticePoller, NoticeState } from "./observe/notice-poller.js";
import { withRetry, type RetryPolicy } from "./retry.js";
import { polledPaths, scenarioFromPaths } from "./observe/polled-scenario.js";
import { STILL_ON_SOURCE } from "./hop/resume.js";
import type { PricePoller } from "./observe/price-poller.js";

export interface LiveDriverOptions {
  readonly zone: string;
  /** The zone's candidate markets, as `liveMarkets` builds them from a first poll. */
  readonly markets: readonly Market[];
  /** Polled already once (the markets came from that poll). */
  readonly poller: PricePoller;
  readonly executor: HopExecutor;
  readonly clock: Clock;
  readonly historyWindowSeconds: number;
  /** GiB a market must hold: `--memory`, or until the first measurement when `footprint` is given. */
  readonly memoryGiB: number;
  /** Measured at every price poll from the container's cgroup; absent: `memoryGiB` holds throughout. */
  readonly footprint?: MemoryFootprint;
  /** Called with what a market must hold after each measurement of `footprint`. */
  readonly onMemory?: (need: MemoryNeed) => void;
  readonly demandWork: number;
  /** Seconds between price polls besides the one before every decision. */
  readonly pricePollSeconds: number;
  /** Seconds a market that failed (no capacity, target lost) stays unavailable to the policy. */
  readonly cooldownSeconds: number;
  /** The metadata service of the container's current home, watched for interruption notices. */
  readonly notices?: (instanceId: string) => NoticePoller;
  /** Ends waits early; the engine stops once no hop is in flight. */
  readonly stop?: AbortSignal;
  /** Called when a market is excluded for a cool-down. */
  readonly onExcluded?: (market: Market, until: number, reason: string) => void;
  /** Called when a market is left out for the rest of the run: its type's CPU cannot run the container. */
  readonly onCpuExcluded?: (market: Market, reason: string) => void;
  readonly retry?: RetryPolicy;
  /** Something the run survives but the user should know (e.g. the metadata service did not answer). */
  readonly onWarning?: (text: string) => void;
  /**
   * A rebalance recommendation for the home: the policy sees it in its next observation (`rebalance`,
   * on the home's market); it is not a trigger of its own, as the policy is asked every interval.
   */
  readonly onRebalance?: (market: Market, instanceId: string, at: number) => void;
  /**
   * Self-migrating (the controller runs on the source): instead of moving volume and ENI itself, the
   * run hands off after the checkpoint (HopExecutor.handOff) and ends the engine's run with a
   * `handed-off` event (the target is `handedOffTo`); this is called first, while the volume that
   * holds journal and ledger is still here.
   */
  readonly beforeHandOff?: (hopId: string) => Promise<void>;
  /**
   * Called before each hop's acquire with its target market (preflight: the container host's checks
   * and the attachments); a throw launches nothing and ends the run.
   */
  readonly beforeAcquire?: (market: Market) => Promise<void>;
  /** The market the home runs on when the run begins (engine instance 0). */
  readonly homeMarketId: number;
  /** Fed with the container's measured demand at every price poll; absent: not measured. */
  readonly measured?: MeasuredWorkload;
  /** Called with each measurement: utilisation of the home in [0, 1] and memory in use. */
  readonly onUsage?: (market: Market, utilisation: number, memoryBytes: number) => void;
}

/** The engine phase a command asks for, as steps of the journaled hop. */
const PHASE_STEPS: Readonly<Record<"checkpoint" | "move" | "restore", readonly HopStep[]>> = {
  checkpoint: ["checkpoint"],
  move: ["detach-source", "attach-target"],
  restore: ["restore"],
};

/**
 * The live driver: the engine's commands become steps of a journaled hop (HopExecutor) on EC2 and the
 * container host; prices come from DescribeSpotPriceHistory polls, notices from the home's metadata.
 * Engine time is the clock's, in seconds. Commands run one at a time, in the order given; a command's
 * completion wakes the engine's wait in `advance`.
 *
 * Mapping: acquire = acquire + wait-running + cpu-check; checkpoint = checkpoint (CRIU writes the image straight to
 * the volume, so transfer completes at once); move = detach-source + attach-target; restore = restore;
 * terminate of the hop's source = terminate-source, after which the hop is done. A hop the executor
 * rolled back or fell back becomes `acquire-failed` or `hop-aborted` with its market excluded for a
 * cool-down (not when the container host failed: see `failed`) and the policy asked again. What no step can settle (the container lost with its host, a
 * hop left open) is fatal: `advance` throws it and `hotspot live --resume` takes over from the journal.
 */
export class LiveDriver implements Driver {
  readonly markets: readonly Market[];
  readonly prices: Float64Array;
  readonly unavailable = new Set<number>();
  /** The home's market, with the time of the home's rebalance recommendation, once one came. */
  readonly rebalance = new Map<number, number>();
  private historyView: SimHistory;
  /** Every spot change seen since the run began, per market (the look-back included), for billing. */
  private readonly logs: Array<{ times: number[]; prices: number[] }>;
  private readonly cooldowns = new Map<number, number>();
  /** EC2 id per engine instance index; index 0 is the home the run began on. */
  private readonly ids: Array<string | null>;
  private readonly hopsByInstance = new Map<number, HopRecord>();
  /** Market per engine instance index. */
  private readonly marketOfInstance: number[];
  private lastUsage: { readonly at: number; readonly usage: ContainerUsage } | null = null;
  private readonly completed: EngineEvent[] = [];
  private chain: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private fatal: unknown = null;
  /** The instance whose controller took the container over (self-migrating), once handed off. */
  handedOffTo: string | null = null;
  private wake: (() => void) | null = null;
  private reached = -Infinity;
  private nextPoll: number;
  private nextNotice = -Infinity;
  private noticed: number | null = null;
  private rebalanced: number | null = null;
  private watcher: { readonly home: string; readonly poller: NoticePoller } | null = null;
  /** Hops undone in a row because the container host failed; the second stops the run. */
  private hostFailures = 0;
  /** Fatal once the events completed so far reached the engine. */
  private stopAfter: unknown = null;

  constructor(private readonly options: LiveDriverOptions) {
    this.markets = options.markets;
    this.prices = new Float64Array(options.markets.length);
    this.logs = options.markets.map(() => ({ times: [], prices: [] }));
    this.ids = [options.executor.deps.journal.home];
    this.marketOfInstance = [options.homeMarketId];
    this.nextPoll = nowSeconds(options.clock) + options.pricePollSeconds;
    this.absorbPoll();
    this.coolDownFromJournal();
    this.historyView = this.buildHistory();
    options.stop?.addEventListener("abort", () => this.wake?.(), { once: true });
  }

  get history(): PriceHistoryView {
    return this.historyView;
  }

  memoryNeededGiB(): number {
    return this.options.footprint?.need()?.gib ?? this.options.memoryGiB;
  }

  pricePath(marketId: number): StepPricePath {
    const market = this.markets[marketId];
    if (market.lifecycle === "on-demand") return constantPath(market.onDemandUsd);
    const log = this.logs[marketId];
    return new StepPricePath(Float64Array.from(log.times), Float64Array.from(log.prices));
  }

  async advance(until: number, sink: EventSink): Promise<number> {
    const { clock, stop } = this.options;
    for (;;) {
      if (this.fatal !== null) throw this.fatal;
      const now = Math.max(nowSeconds(clock), this.reached);
      if (this.completed.length > 0) {
        for (const event of this.completed.splice(0)) sink.schedule(now, event);
        // The run stops once the engine has the event that stopped it (its ledger shows why).
        this.fatal = this.stopAfter;
        return this.reach(now);
      }
      if (stop?.aborted && this.inFlight === 0) return this.reach(Math.min(now, until));
      if (now >= until) {
        await this.pollPrices();
        return this.reach(until);
      }
      if (now >= this.nextPoll) await this.pollPrices();
      if (now >= this.nextNotice) await this.checkNotice();
      if (this.completed.length > 0) continue;
      const wakeAt = Math.min(until, this.nextPoll, this.nextNotice);
      await this.sleepOrWake(Math.max(0, (wakeAt - nowSeconds(clock)) * 1000));
    }
  }

  execute(command: Command, _now: number, _sink: EventSink): void {
    this.inFlight++;
    this.chain = this.chain
      // Nothing more is done here once the run failed, stopped or handed the container off.
      .then(() =>
        this.fatal === null && this.stopAfter === null && this.handedOffTo === null
          ? this.perform(command)
          : undefined,
      )
      .then(
        (event) => {
          if (event !== undefined) this.completed.push(event);
        },
        (error: unknown) => {
          this.fatal ??= error;
        },
      )
      .finally(() => {
        this.inFlight--;
        this.wake?.();
      });
  }

  private async perform(command: Command): Promise<EngineEvent | undefined> {
    const { executor } = this.options;
    switch (command.kind) {
      case "acquire": {
        if (command.instance === 0 || this.ids.length !== command.instance) {
          throw new ContainerLostError(
            "the engine asked to place the container afresh; a live run only hops a running container",
          );
        }
        this.ids.push(null);
        this.marketOfInstance.push(command.marketId);
        const market = this.markets[command.marketId];
        await this.options.beforeAcquire?.(market);
        const hop = await executor.begin({
          instanceType: market.instanceType,
          zone: market.zone,
          lifecycle: market.lifecycle,
        });
        this.hopsByInstance.set(command.instance, hop);
        try {
          await executor.run(hop, ["acquire", "wait-running", "cpu-check"]);
        } catch (error) {
          return this.failed(hop, command.marketId, error, (retry) => ({
            kind: "acquire-failed",
            instance: command.instance,
            reason: message(error),
            retry,
          }));
        }
        this.ids[command.instance] = hop.targetInstanceId;
        return { kind: "acquired", instance: command.instance };
      }
      case "transfer":
        return { kind: "transferred", migration: command.migration };
      case "checkpoint":
      case "move":
      case "restore": {
        const hop = this.hopOf(command.target);
        if (command.kind === "move" && this.options.beforeHandOff !== undefined) {
          await this.options.beforeHandOff(hop.id);
          this.handedOffTo = await executor.handOff(hop);
          return { kind: "handed-off" };
        }
        try {
          await executor.run(hop, PHASE_STEPS[command.kind]);
        } catch (error) {
          const lostTarget = error instanceof InstanceLostError && error.instanceId !== hop.source;
          return this.failed(hop, this.marketOf(command.target), error, (retry) => ({
            kind: "hop-aborted",
            migration: command.migration,
            reason: message(error),
            targetEndedBy: lostTarget ? "interruption" : "user",
            retry,
            containerStopped: hop.outcome === "fell-back",
          }));
        }
        if (command.kind === "restore") this.hostFailures = 0;
        const done = { checkpoint: "checkpointed", move: "moved", restore: "restored" } as const;
        return { kind: done[command.kind], migration: command.migration } as EngineEvent;
      }
      case "terminate": {
        const id = this.ids[command.instance];
        const hop = [...this.hopsByInstance.values()].find((h) => h.outcome === null && h.source === id);
        if (hop !== undefined) {
          await executor.run(hop, ["terminate-source"]);
          await executor.complete(hop);
          this.noticed = null;
        } else if (id !== null && id !== undefined) {
          await executor.deps.compute.terminateInstance(id);
        }
        // A source the cloud reclaimed during the hop is billed as an interruption, not as ended by us.
        const view = id ? await executor.deps.compute.describeInstance(id) : null;
        const reclaimed = view?.stateReason === "Server.SpotInstanceTermination";
        return { kind: reclaimed ? "revoked" : "terminated", instance: command.instance };
      }
    }
  }

  /**
   * A hop the executor settled becomes `event` with its market cooled down; an unsettled one is fatal.
   * A failure of the container host cools no market down (the market is not at fault); the second in
   * a row ends the run, its journal kept, instead of launching target after target for a container
   * that cannot move.
   */
  private failed(
    hop: HopRecord,
    marketId: number,
    error: unknown,
    event: (retry: boolean) => EngineEvent,
  ): EngineEvent {
    if (hop.outcome === null) throw error;
    if (error instanceof CpuMismatchError) {
      this.excludeType(hop.target.instanceType, `${hop.id} ${hop.outcome}: ${message(error)}`);
      return event(true);
    }
    if (!(error instanceof HostSideError)) {
      this.hostFailures = 0;
      this.exclude(marketId, `${hop.id} ${hop.outcome}: ${message(error)}`);
      return event(true);
    }
    if (++this.hostFailures < 2) return event(true);
    this.stopAfter = new HotspotError(
      "HOTSPOT_LIVE_HOST_FAILED",
      `two hops in a row failed on the container host, the last (${hop.id}, ${hop.outcome}): ${message(error)}; the run stops, its journal kept at ${this.options.executor.deps.journal.path}`,
      { cause: error },
    );
    return event(false);
  }

  private hopOf(target: number): HopRecord {
    const hop = this.hopsByInstance.get(target);
    if (hop === undefined) {
      throw new HotspotError(
        "HOTSPOT_LIVE_STATE",
        `no hop of the journal launched engine instance ${target}`,
      );
    }
    return hop;
  }

  private marketOf(instance: number): number {
    return this.marketOfTarget(this.hopOf(instance).target);
  }

  /** The market a hop's target was launched on, or -1 when this run does not offer it. */
  private marketOfTarget({ instanceType, lifecycle }: HopRecord["target"]): number {
    return this.markets.findIndex((m) => m.instanceType === instanceType && m.lifecycle === lifecycle);
  }

  private exclude(marketId: number, reason: string, until?: number): void {
    if (marketId < 0) return;
    const end = until ?? nowSeconds(this.options.clock) + this.options.cooldownSeconds;
    this.cooldowns.set(marketId, end);
    this.refreshUnavailable();
    this.options.onExcluded?.(this.markets[marketId], end, reason);
  }

  /** Every market of `instanceType`, for the rest of the run (a CPU that cannot run the container). */
  private excludeType(instanceType: string, reason: string): void {
    this.markets.forEach((market, id) => {
      if (market.instanceType !== instanceType || this.cooldowns.get(id) === Infinity) return;
      this.cooldowns.set(id, Infinity);
      this.options.onCpuExcluded?.(market, reason);
    });
    this.refreshUnavailable();
  }

  /**
   * Cool-downs outlive the controller: a hop its market or target undid within the cool-down (before
   * a restart, or a self-migrating fall-back) still keeps that market away; a crash's roll-back does not.
   */
  private coolDownFromJournal(): void {
    const now = nowSeconds(this.options.clock);
    for (const hop of this.options.executor.deps.journal.hops) {
      if (hop.cpuMismatch === true)
        this.excludeType(hop.target.instanceType, `${hop.id} (journal): ${hop.reason}`);
      const undone = hop.outcome === "fell-back" || hop.outcome === "rolled-back";
      if (!undone || hop.reason === STILL_ON_SOURCE || hop.hostSide === true) continue;
      const last = hop.entries[hop.entries.length - 1];
      if (last === undefined) continue;
      const until = last.at / 1000 + this.options.cooldownSeconds;
      if (until > now)
        this.exclude(this.marketOfTarget(hop.target), `${hop.id} ${hop.outcome} (journal)`, until);
    }
  }

  private reach(time: number): number {
    this.reached = Math.max(this.reached, time);
    this.refreshUnavailable();
    this.historyView.setNow(this.reached);
    return this.reached;
  }

  private async pollPrices(): Promise<void> {
    const { poller, clock, retry, executor } = this.options;
    const report = await withRetry(() => poller.poll(), clock, retry);
    if (this.inFlight === 0) {
      await this.sampleUsage(report.time);
      const home = executor.deps.journal.home;
      const view = await withRetry(() => executor.deps.compute.describeInstance(home), clock, retry);
      if (isGone(view)) {
        throw new ContainerLostError(
          `its home ${home} is ${view?.state ?? "gone"}${view?.stateReason ? ` (${view.stateReason})` : ""} with no hop in flight; its memory is lost, restart it from the volume`,
        );
      }
    }
    this.nextPoll = report.time + this.options.pricePollSeconds;
    this.absorbPoll();
    this.historyView = this.buildHistory();
  }

  /** Current prices from the poller, and its new changes appended to the billing logs. */
  private absorbPoll(): void {
    const paths = polledPaths(this.markets, this.options.poller);
    paths.forEach((path, id) => {
      const market = this.markets[id];
      if (market.lifecycle === "on-demand") {
        this.prices[id] = market.onDemandUsd;
        return;
      }
      const log = this.logs[id];
      const last = log.times.length === 0 ? -Infinity : log.times[log.times.length - 1];
      path.times.forEach((time, i) => {
        if (time > last) {
          log.times.push(time);
          log.prices.push(path.prices[i]);
        }
      });
      this.prices[id] = path.times.length === 0 ? NaN : path.prices[path.times.length - 1];
    });
  }

  /** CPU used since the last sample over the time between, as a share of the home's vCPUs. */
  private async sampleUsage(now: number): Promise<void> {
    const { measured, footprint, executor, demandWork, onUsage, onMemory } = this.options;
    const { host, journal } = executor.deps;
    if ((measured === undefined && footprint === undefined) || host.usage === undefined) return;
    const usage = await host.usage();
    if (usage !== null && footprint !== undefined) {
      footprint.observe(usage.memory);
      onMemory?.(footprint.need()!);
    }
    if (measured === undefined) return;
    const previous = this.lastUsage;
    this.lastUsage = usage === null ? null : { at: now, usage };
    if (usage === null || previous === null || previous.usage.pid !== usage.pid || now <= previous.at) return;
    const used = usage.cpuSeconds - previous.usage.cpuSeconds;
    if (used < 0) return;
    const index = this.ids.lastIndexOf(journal.home);
    const market = this.markets[this.marketOfInstance[index]];
    const utilisation = Math.min(used / (now - previous.at) / market.vcpu, 1);
    measured.record(now, (utilisation * market.work) / demandWork);
    onUsage?.(market, utilisation, usage.memory.currentBytes);
  }

  private buildHistory(): SimHistory {
    const { zone, historyWindowSeconds, demandWork } = this.options;
    const paths = this.markets.map((_, id) => this.pricePath(id));
    const history = new SimHistory(
      scenarioFromPaths(zone, this.markets, paths),
      historyWindowSeconds,
      this.memoryNeededGiB(),
      demandWork,
    );
    history.setNow(Math.max(this.reached, nowSeconds(this.options.clock)));
    return history;
  }

  private refreshUnavailable(): void {
    const now = nowSeconds(this.options.clock);
    this.unavailable.clear();
    for (const [id, until] of this.cooldowns) {
      if (until > now) this.unavailable.add(id);
      else this.cooldowns.delete(id);
    }
    this.markets.forEach((m, id) => {
      if (Number.isNaN(this.prices[id])) this.unavailable.add(id);
    });
  }

  /** A fresh interruption notice for the home becomes a `notice` event for the engine's host. */
  private async checkNotice(): Promise<void> {
    const { notices, clock } = this.options;
    if (notices === undefined) {
      this.nextNotice = Infinity;
      return;
    }
    const home = this.options.executor.deps.journal.home;
    if (this.watcher?.home !== home) {
      // A recommendation was for the old home: the container has left it.
      this.watcher = { home, poller: notices(home) };
      this.rebalance.clear();
      this.rebalanced = null;
    }
    this.nextNotice = nowSeconds(clock) + this.watcher.poller.intervalSeconds;
    let seen: NoticeState;
    try {
      seen = await this.watcher.poller.check();
    } catch (error) {
      this.options.onWarning?.(`interruption notices of ${home} not read: ${message(error)}`);
      return;
    }
    if (seen.rebalanceAt !== null && seen.rebalanceAt !== this.rebalanced) {
      this.rebalanced = seen.rebalanceAt;
      const marketId = this.marketOfInstance[this.ids.lastIndexOf(home)];
      this.rebalance.set(marketId, seen.rebalanceAt);
      this.options.onRebalance?.(this.markets[marketId], home, seen.rebalanceAt);
    }
    if (seen.interruptionAt === null || seen.interruptionAt === this.noticed) return;
    this.noticed = seen.interruptionAt;
    const index = this.ids.lastIndexOf(home);
    if (index < 0) return;
    this.completed.push({
      kind: "notice",
      instance: index,
      reclaimAt: Math.max(seen.interruptionAt, nowSeconds(clock)),
      reason: `spot interruption notice (${seen.action ?? "terminate"}) for ${home}`,
    });
  }

  private sleepOrWake(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = new AbortController();
      const done = () => {
        this.wake = null;
        timer.abort();
        resolve();
      };
      this.wake = done;
      // A stop while a command runs must not spin: only real waits let its I/O proceed.
      const stopped = this.options.stop?.aborted === true && this.inFlight === 0;
      if (this.completed.length > 0 || this.fatal !== null || stopped) return done();
      void this.options.clock.sleep(ms, timer.signal).then(done);
    });
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
