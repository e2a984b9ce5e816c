/**
 * The hopping engine: the one loop both drivers (sim, live) run. It owns the container's placement,
 * the migration state machine, the billing ledger and the metrics; the policy decides, the driver acts.
 *
 * Semantics (the offline optimum's DP must use the same):
 * - Time: events come from one queue ordered by (time, sequence). The policy is consulted at `start`,
 *   every `intervalSeconds` after it (skipped while a migration is in flight), on an interruption
 *   notice for the host (also one that reached a new server during its hop), and when the container
 *   was lost. Not after an uneventful hop: decisions then stay on the interval grid, which is what
 *   keeps the offline optimum (a DP over that grid) a true lower bound. An interval epoch that the
 *   last stay's `until` covers, before anything new can happen, is counted but not asked (the policy
 *   is told through `skipped`): the results are those of asking.
 * - A hop a → b: acquire b (the container keeps running on a). Billing of b starts when b is running
 *   (acquire complete). Then checkpoint → transfer → disk/network move → restore: the container is
 *   down from the end of acquire until restore ends; it earns no work meanwhile. Then a is terminated:
 *   a is billed until its termination completes (terminate step), b from its acquire to its end.
 *   With mean durations, a hop costs p_b × (downtime) + p_a × (acquire + downtime + terminate) beyond
 *   staying, before billing-interval rounding, and `downtime` seconds without work.
 * - Each instance is charged once, when it ends, by `instanceCost` (src/engine/billing.ts) from its
 *   running time to its end, with `endedBy` "interruption" when the cloud reclaimed it (hourly: the
 *   revoked partial hour is free; per-second: free if reclaimed within its first hour).
 * - Checkpoints: one at start (the container starts fresh) and one per hop, durable once its transfer
 *   completes. When the host (or a hop's source before its transfer completed, or its target) is
 *   reclaimed, the work since the last durable checkpoint is lost (subtracted from the work delivered
 *   and counted as lost), the container is down, and the policy picks a market with trigger
 *   "revoked" and no current placement; the engine reuses a held instance on that market if there is
 *   one (e.g. the hop's target), else acquires one; then disk/network move and restore. Downtime runs
 *   from the loss to the end of restore. Held instances not chosen are terminated.
 * - A notice comes 2 minutes before a reclamation; the policy may hop; the hop survives if its
 *   transfer completes before the reclamation.
 * - The run ends at `end` (exclusive) or when the finite work is done; instances still held are then
 *   billed up to that time as ended by the user.
 * - Work: on market m the container gets min(a(t) × demand, capacity_m) work units while running.
 * - Live runs only: `initial` adopts a container already running at `start`; a driver that undid a
 *   hop reports `hop-aborted` (the container runs on the source again, its downtime counted if it
 *   was actually stopped, else its work credited as if it never paused); an
 *   acquire failure or abort with `retry` asks the policy again at once, the market now unavailable.
 */
import { billingModels, instanceCost, paidTimeLeft, type EndedBy, type PricePath } from "./billing.js";
import type { Command, Driver, EngineEvent, EventSink } from "./driver.js";
import { EventQueue } from "./event-queue.js";
import { migrationEstimate } from "./migration-model.js";
import type { EngineConfig } from "./config.js";
import type { Decision, Lifecycle, MigrationEstimate, Observation, Placement, PriceWatch } from "./types.js";
import type { Policy } from "./policy.js";
import { cheapestMarket, fitsMemory } from "./candidates.js";
import { HotspotError } from "../errors.js";
import type { EngineResult, InstanceRecord, TimelineEntry, TimelineKind } from "./result.js";

type Phase = "acquire" | "checkpoint" | "transfer" | "move" | "restore";

interface Migration {
  readonly id: number;
  readonly kind: "start" | "hop" | "restart";
  /** Instance the container leaves (hops only), else -1. */
  readonly source: number;
  readonly target: number;
  phase: Phase;
}

interface Instance {
  readonly marketId: number;
  readonly requestedAt: number;
  start: number;
  end: number;
  endedBy: EndedBy | null;
  terminating: boolean;
  reclaimAt: number;
}

type Trigger = Observation["trigger"];

/** Whether placing on `target` moves the container off `current` (-1: none): on a notice, the same market means a fresh server, the noticed one being lost anyway. */
export function movesContainer(current: number, target: number, trigger: Trigger): boolean {
  return target !== current || trigger === "notice";
}

const NO_REBALANCE: ReadonlyMap<number, number> = new Map();

/** The engine's one Observation, refilled at every decision (no allocation per decision). */
type Writable<T> = { -readonly [K in keyof T]: T[K] };
interface FilledObservation extends Writable<Omit<Observation, "workload" | "billing">> {
  readonly workload: Writable<Observation["workload"]>;
  readonly billing: Writable<Observation["billing"]>;
}

export class HoppingEngine implements EventSink {
  private readonly queue = new EventQueue<EngineEvent>();
  private readonly instances: Instance[] = [];
  private readonly timeline: TimelineEntry[] = [];
  private readonly downtimes: number[] = [];
  private spotEstimate: MigrationEstimate | undefined;
  private onDemandEstimate: MigrationEstimate | undefined;
  private readonly estimateOf: (MigrationEstimate | undefined)[] = [];
  private now: number;
  private host = -1;
  private placement: Placement | null = null;
  private migration: Migration | null = null;
  private migrationCount = 0;
  private running = false;
  private lastAccrual = 0;
  private downtimeStart = NaN;
  private generation = 0;
  private work = 0;
  private workSinceCheckpoint = 0;
  private lostWork = 0;
  private finishedAt = NaN;
  private placedOnce = false;
  private readonly counts = {
    hops: 0,
    restarts: 0,
    abortedHops: 0,
    revocations: 0,
    notices: 0,
    decisions: 0,
  };
  private readonly counters = { acquireFailures: 0 };
  private readonly observation: FilledObservation;
  private tickAt = Infinity;
  private tickSeq = 0;
  /** The last interval decision's stay `until`, while nothing new has happened since (else -Infinity). */
  private stayUntil = -Infinity;
  /** When that decision was made. */
  private stayFrom = -Infinity;
  /** That stay's watch: the price changes its promise holds across (null: none). */
  private stayWatch: PriceWatch | null = null;
  /** The epoch after the last one `countTicks` counted, and that last one. */
  private coveredNext = NaN;
  private coveredLast = NaN;

  constructor(
    private readonly config: EngineConfig,
    private readonly driver: Driver,
    private readonly policy: Policy,
    /** Told of every timeline entry as it happens (the live run logs and writes its ledger). */
    private readonly observer?: (entry: TimelineEntry) => void,
  ) {
    this.now = config.start;
    this.observation = {
      now: this.now,
      trigger: "start",
      zone: config.zone,
      workUnit: config.workUnit,
      markets: driver.markets,
      prices: driver.prices,
      excluded: driver.unavailable,
      current: null,
      workload: { memoryGiB: config.memoryGiB, demandWork: config.demandWork, utilisation: 0 },
      billing: {
        model: config.billing,
        intervalSeconds: billingModels[config.billing].intervalSeconds,
        paidTimeLeft: 0,
      },
      interruptionAt: null,
      rebalance: NO_REBALANCE,
      history: driver.history,
      migration: (to) => this.estimate(to),
    };
  }

  schedule(time: number, event: EngineEvent): void {
    if (!(time >= this.now)) {
      throw new RangeError(`event ${event.kind} scheduled at ${time}, before the engine's time ${this.now}`);
    }
    this.queue.push(time, event);
  }

  /**
   * Runs the whole window and returns the ledger and metrics. `stop` ends a run early, once no hop or
   * termination is in flight (live runs stop on a signal or after their duration).
   */
  async run(stop?: AbortSignal): Promise<EngineResult> {
    const { start, end, initial } = this.config;
    const queue = this.queue;
    this.now = await this.driver.advance(start, this);
    if (initial !== undefined) this.adopt(initial);
    this.scheduleTick(start);
    while (Number.isNaN(this.finishedAt)) {
      if (stop?.aborted && this.idle()) return this.finish(this.now);
      if (this.tickAt < this.stayUntil) this.skipCoveredTicks();
      const next = Math.min(this.tickAt, queue.peekTime());
      if (next >= end) break;
      const advanced = this.driver.advance(next, this);
      // The sim driver answers synchronously; awaiting only real promises keeps replay fast.
      const reached = typeof advanced === "number" ? advanced : await advanced;
      this.now = reached;
      while (Number.isNaN(this.finishedAt)) {
        const queued = queue.peekTime();
        const tick = this.tickAt;
        if (tick <= reached && (tick < queued || (tick === queued && this.tickSeq < queue.peekSequence()))) {
          this.tickAt = Infinity;
          this.onTick();
        } else if (queued <= reached) this.handle(queue.pop());
        else break;
      }
    }
    return this.finish(Number.isNaN(this.finishedAt) ? end : this.finishedAt);
  }

  /**
   * The next decision tick, kept beside the queue (one at a time, every interval) but ordered with it
   * by the queue's sequence, as if it were queued.
   */
  private scheduleTick(time: number): void {
    this.tickAt = time;
    this.tickSeq = this.queue.claimSequence();
  }

  /**
   * Moves the next tick past the epochs the last stay covers before anything new can happen (an
   * event, a change of the driver's world or of the workload's level): at each the policy would stay
   * again, so each is counted as a decision and the policy told (`skipped`), not asked. Runs where
   * `onTick` would: the tick that follows claims its sequence now, when the last skipped tick would
   * have, with nothing queued between.
   */
  private skipCoveredTicks(): void {
    const { driver, config, policy } = this;
    if (driver.nextChange === undefined || this.host < 0 || this.migration !== null) return;
    const first = this.tickAt;
    const watch = driver.advanceWatching === undefined ? null : this.stayWatch;
    // Most often the driver's next price change comes first: checked before the workload's search.
    const limit = Math.min(
      this.stayUntil,
      watch === null ? driver.nextChange() : Infinity,
      this.queue.peekTime(),
    );
    if (!(first < limit)) return;
    const levelChange = config.workload.nextChange?.(this.stayFrom) ?? -Infinity;
    if (!(first < levelChange)) return;
    const { end, intervalSeconds } = config;
    const stop = Math.min(limit, levelChange, end);
    // The sequence the tick after the last skipped one would have claimed, before the driver queues
    // anything (a bid notice) on the way.
    const sequence = this.queue.claimSequence();
    let count = this.countTicks(first, stop);
    if (watch !== null) {
      // The world moves on through the price changes the watch lets pass (not past the last covered
      // epoch when no later one comes before the end: the run replays no further); the first other
      // change ends the promise, and only the epochs before it are covered.
      const bound = this.coveredNext < end ? stop : this.coveredLast;
      const changed = driver.advanceWatching!(bound, watch, this);
      this.now = Math.min(changed, bound);
      this.stayUntil = -Infinity;
      if (!(first < changed)) return;
      if (changed <= bound) count = this.countTicks(first, changed);
    }
    policy.skipped?.(first, count, intervalSeconds);
    this.counts.decisions += count;
    this.tickAt = this.coveredNext >= end ? Infinity : this.coveredNext;
    this.tickSeq = sequence;
  }

  /**
   * The interval epochs from `first` (included) before `stop` > `first`, computed as the ticks that
   * `onTick` schedules would reach them; sets `coveredNext` and `coveredLast`.
   */
  private countTicks(first: number, stop: number): number {
    const { end, intervalSeconds } = this.config;
    let count: number;
    if (Number.isInteger(first) && Number.isInteger(intervalSeconds) && end + intervalSeconds < 2 ** 53) {
      // Whole seconds: first + k × interval is exactly what k additions reach; k found by division.
      count = Math.max(1, Math.ceil((stop - first) / intervalSeconds));
      while (count > 1 && first + (count - 1) * intervalSeconds >= stop) count--;
      while (first + count * intervalSeconds < stop) count++;
      this.coveredLast = first + (count - 1) * intervalSeconds;
      this.coveredNext = first + count * intervalSeconds;
    } else {
      count = 0;
      let tick = first;
      while (tick < stop) {
        count++;
        this.coveredLast = tick;
        tick += intervalSeconds;
      }
      this.coveredNext = tick;
    }
    return count;
  }

  /** No hop in flight and no termination pending: a stop now leaves nothing half done. */
  private idle(): boolean {
    return this.migration === null && !this.instances.some((i) => i.terminating && Number.isNaN(i.end));
  }

  /** A container that already runs: its instance is held from `instanceStart`, its state is the checkpoint. */
  private adopt(initial: Placement): void {
    this.instances.push({
      marketId: initial.marketId,
      requestedAt: initial.instanceStart,
      start: initial.instanceStart,
      end: NaN,
      endedBy: null,
      terminating: false,
      reclaimAt: NaN,
    });
    this.placedOnce = true;
    this.workSinceCheckpoint = 0;
    this.startRunning(this.instances.length - 1);
    this.record("running", initial.marketId, "running when the run began");
  }

  private handle(event: EngineEvent): void {
    this.stayUntil = -Infinity;
    switch (event.kind) {
      case "acquired":
        return this.onAcquired(event.instance);
      case "acquire-failed":
        return this.onAcquireFailed(event.instance, event.reason, event.retry === true);
      case "hop-aborted":
        return this.onHopAborted(event);
      case "checkpointed":
        return this.advancePhase(event.migration, "checkpoint", "transfer");
      case "transferred":
        if (this.migration?.id === event.migration) this.workSinceCheckpoint = 0;
        return this.advancePhase(event.migration, "transfer", "move");
      case "moved":
        return this.advancePhase(event.migration, "move", "restore");
      case "restored":
        return this.onRestored(event.migration);
      case "terminated":
        return this.endInstance(event.instance, "user");
      case "notice":
        return this.onNotice(event.instance, event.reclaimAt, event.reason);
      case "revoked":
        return this.onRevoked(event.instance);
      case "work-done":
        if (event.generation === this.generation) {
          this.accrue();
          this.finishedAt = this.now;
        }
        return;
      case "handed-off":
        this.accrue();
        this.finishedAt = this.now;
        return;
    }
  }

  private onTick(): void {
    const next = this.now + this.config.intervalSeconds;
    if (next < this.config.end) this.scheduleTick(next);
    if (this.migration !== null) return;
    this.consult(!this.placedOnce ? "start" : this.host < 0 ? "revoked" : "interval");
  }

  private consult(trigger: Trigger): void {
    this.counts.decisions++;
    const decision = this.policy.decide(this.observe(trigger));
    // Only an interval decision's promise holds for the interval epochs that follow it.
    const promised = decision.kind === "stay" && trigger === "interval";
    this.stayUntil = promised ? (decision.until ?? -Infinity) : -Infinity;
    this.stayWatch = promised ? (decision.watch ?? null) : null;
    this.stayFrom = this.now;
    this.apply(decision, trigger);
  }

  private observe(trigger: Trigger): Observation {
    const { config, driver, observation } = this;
    const current = this.host >= 0 ? this.placement : null;
    const level = config.workload.levelAt(this.now);
    const hostMarket = current === null ? null : driver.markets[current.marketId];
    const utilisation =
      hostMarket === null ? level : Math.min((level * config.demandWork) / hostMarket.work, 1);
    const reclaimAt = this.host >= 0 ? this.instances[this.host].reclaimAt : NaN;
    observation.now = this.now;
    observation.trigger = trigger;
    // A live driver may replace these between decisions.
    observation.markets = driver.markets;
    observation.prices = driver.prices;
    observation.excluded = driver.unavailable;
    observation.history = driver.history;
    observation.rebalance = driver.rebalance ?? NO_REBALANCE;
    observation.current = current;
    observation.workload.memoryGiB = this.memoryGiB();
    observation.workload.utilisation = utilisation;
    observation.billing.paidTimeLeft =
      current === null ? 0 : paidTimeLeft(config.billing, current.instanceStart, this.now);
    observation.interruptionAt = Number.isNaN(reclaimAt) ? null : reclaimAt;
    return observation;
  }

  /** What a market must hold now: the driver's measurement where it has one. */
  private memoryGiB(): number {
    return this.driver.memoryNeededGiB?.() ?? this.config.memoryGiB;
  }

  private estimate(to: number): MigrationEstimate {
    const migration = this.config.migrationEstimate;
    if (migration !== undefined) return migration(this.driver.markets[to].lifecycle);
    // Asked for several markets at every decision: looked up by market id, computed once per lifecycle.
    let cached = this.estimateOf[to];
    if (cached === undefined) {
      const lifecycle = this.driver.markets[to].lifecycle;
      cached =
        lifecycle === "spot"
          ? (this.spotEstimate ??= this.modelEstimate(lifecycle))
          : (this.onDemandEstimate ??= this.modelEstimate(lifecycle));
      this.estimateOf[to] = cached;
    }
    return cached;
  }

  private modelEstimate(lifecycle: Lifecycle): MigrationEstimate {
    return migrationEstimate(this.config.migrationModel, this.config.memoryGiB, lifecycle);
  }

  private apply(decision: Decision, trigger: Trigger): void {
    if (decision.kind === "stay") return;
    const target = decision.marketId;
    this.validate(target, decision.reason);
    if (this.host >= 0) {
      if (!movesContainer(this.placement?.marketId ?? -1, target, trigger)) return;
      this.beginHop(target, decision.reason);
    } else {
      this.beginRecovery(target, decision.reason, trigger === "start" ? "start" : "restart");
    }
  }

  private validate(target: number, reason: string): void {
    const market = this.driver.markets[target];
    const fits = market !== undefined && fitsMemory(market, this.memoryGiB());
    const known = fits && !Number.isNaN(this.driver.prices[target]);
    if (!known || this.driver.unavailable.has(target)) {
      throw new HotspotError(
        "HOTSPOT_POLICY_DECISION",
        `policy chose market ${target} (${market ? `${market.instanceType} ${market.lifecycle}` : "no such market"}) at ${new Date(this.now * 1000).toISOString()} ("${reason}"), which is ${!fits ? "too small or unknown" : !known ? "without a known price" : "unavailable"}`,
      );
    }
  }

  private newInstance(marketId: number): number {
    this.instances.push({
      marketId,
      requestedAt: this.now,
      start: NaN,
      end: NaN,
      endedBy: null,
      terminating: false,
      reclaimAt: NaN,
    });
    const index = this.instances.length - 1;
    this.command({ kind: "acquire", instance: index, marketId });
    return index;
  }

  private beginHop(target: number, reason: string): void {
    const instance = this.newInstance(target);
    this.migration = {
      id: this.migrationCount++,
      kind: "hop",
      source: this.host,
      target: instance,
      phase: "acquire",
    };
    this.record("hop", target, reason);
  }

  /** The container is not running: place it on `target`, reusing a held instance there. */
  private beginRecovery(target: number, reason: string, kind: "start" | "restart"): void {
    let reuse = -1;
    for (let i = 0; i < this.instances.length; i++) {
      const inst = this.instances[i];
      if (!Number.isNaN(inst.end) || inst.terminating) continue;
      if (reuse < 0 && inst.marketId === target) reuse = i;
      else this.terminate(i);
    }
    const instance = reuse >= 0 ? reuse : this.newInstance(target);
    const running = !Number.isNaN(this.instances[instance].start);
    this.migration = {
      id: this.migrationCount++,
      kind,
      source: -1,
      target: instance,
      phase: running ? "move" : "acquire",
    };
    this.record(kind === "start" ? "place" : "restart", target, reason);
    if (running) this.stepCommand("move");
  }

  private onAcquired(index: number): void {
    const inst = this.instances[index];
    inst.start = this.now;
    const migration = this.migration;
    if (migration === null || migration.target !== index || migration.phase !== "acquire") {
      this.terminate(index);
      return;
    }
    if (migration.kind === "start") {
      this.migration = null;
      this.placedOnce = true;
      this.workSinceCheckpoint = 0;
      this.startRunning(index);
      this.record("running", inst.marketId, "started");
    } else if (migration.kind === "hop") {
      this.stopRunning();
      this.downtimeStart = this.now;
      migration.phase = "checkpoint";
      this.stepCommand("checkpoint");
    } else {
      migration.phase = "move";
      this.stepCommand("move");
    }
  }

  private onAcquireFailed(index: number, reason: string, retry: boolean): void {
    const inst = this.instances[index];
    inst.end = this.now;
    inst.endedBy = "user";
    this.counters.acquireFailures++;
    this.record("acquire-failed", inst.marketId, reason);
    const migration = this.migration;
    if (migration === null || migration.target !== index) return;
    this.migration = null;
    if (migration.kind === "hop") {
      this.counts.abortedHops++;
      if (retry) this.consult(this.retryTrigger());
      return;
    }
    this.consult(migration.kind === "start" ? "start" : "revoked");
  }

  /** The driver undid a hop: the container runs on the source again, the target is gone. */
  private onHopAborted(event: Extract<EngineEvent, { kind: "hop-aborted" }>): void {
    const migration = this.migration;
    if (migration === null || migration.id !== event.migration || migration.kind !== "hop") return;
    this.migration = null;
    this.counts.abortedHops++;
    this.endInstance(migration.target, event.targetEndedBy);
    const stoppedAt = this.downtimeStart;
    this.downtimeStart = NaN;
    if (!Number.isNaN(stoppedAt) && event.containerStopped) this.downtimes.push(this.now - stoppedAt);
    if (!Number.isNaN(stoppedAt) && !event.containerStopped) {
      // It never stopped: the work of the whole attempt was delivered on the source after all.
      this.running = true;
      this.lastAccrual = stoppedAt;
      this.accrue();
      this.running = false;
    }
    if (!this.running) this.startRunning(migration.source);
    this.record("hop-aborted", this.instances[migration.target].marketId, event.reason);
    if (event.retry) this.consult(this.retryTrigger());
  }

  /** Asked again after a failed hop: still a notice while the host is doomed. */
  private retryTrigger(): Trigger {
    return Number.isNaN(this.instances[this.host].reclaimAt) ? "interval" : "notice";
  }

  private advancePhase(id: number, from: Phase, to: Exclude<Phase, "acquire">): void {
    const migration = this.migration;
    if (migration === null || migration.id !== id || migration.phase !== from) return;
    migration.phase = to;
    this.stepCommand(to);
  }

  private stepCommand(phase: Exclude<Phase, "acquire">): void {
    const migration = this.migration as Migration;
    this.command({ kind: phase, migration: migration.id, target: migration.target });
  }

  private onRestored(id: number): void {
    const migration = this.migration;
    if (migration === null || migration.id !== id || migration.phase !== "restore") return;
    this.migration = null;
    this.downtimes.push(this.now - this.downtimeStart);
    this.downtimeStart = NaN;
    if (migration.kind === "hop") {
      this.counts.hops++;
      this.terminate(migration.source);
    } else {
      this.counts.restarts++;
    }
    this.startRunning(migration.target);
    this.record("running", this.instances[migration.target].marketId, `${migration.kind} done`);
    // A notice that reached the new server during the hop is the policy's news now.
    if (!Number.isNaN(this.instances[migration.target].reclaimAt)) this.consult("notice");
  }

  private onNotice(index: number, reclaimAt: number, reason: string): void {
    const inst = this.instances[index];
    if (!Number.isNaN(inst.end) || inst.terminating) return;
    inst.reclaimAt = reclaimAt;
    this.counts.notices++;
    this.record("notice", inst.marketId, reason);
    if (index === this.host && this.migration === null) this.consult("notice");
  }

  private onRevoked(index: number): void {
    const inst = this.instances[index];
    if (!Number.isNaN(inst.end)) return;
    this.endInstance(index, "interruption");
    // A source already being terminated no longer matters to the container.
    if (inst.terminating) return;
    this.counts.revocations++;
    this.record("revoked", inst.marketId, "reclaimed by the cloud");
    const migration = this.migration;
    const hostLost = index === this.host && migration === null;
    const sourceLost =
      migration !== null &&
      migration.source === index &&
      (migration.phase === "acquire" || migration.phase === "checkpoint" || migration.phase === "transfer");
    const targetLost = migration !== null && migration.target === index;
    if (!hostLost && !sourceLost && !targetLost) return;
    if (migration !== null && migration.kind === "hop") this.counts.abortedHops++;
    this.loseContainer();
    this.consult(this.placedOnce ? "revoked" : "start");
  }

  /** The container died: work since the last durable checkpoint is lost and it is down until restored. */
  private loseContainer(): void {
    if (this.running) {
      this.stopRunning();
      this.downtimeStart = this.now;
    }
    this.work -= this.workSinceCheckpoint;
    this.lostWork += this.workSinceCheckpoint;
    this.workSinceCheckpoint = 0;
    this.host = -1;
    this.placement = null;
    this.migration = null;
  }

  private startRunning(index: number): void {
    const inst = this.instances[index];
    this.host = index;
    this.placement = { marketId: inst.marketId, instanceStart: inst.start };
    this.running = true;
    this.lastAccrual = this.now;
    this.generation++;
    const target = this.config.targetWork;
    if (target !== null) {
      const capacity = this.driver.markets[inst.marketId].work;
      const doneAt = this.config.workload.timeToDeliver(this.now, capacity, target - this.work);
      if (doneAt < this.config.end)
        this.queue.push(doneAt, { kind: "work-done", generation: this.generation });
    }
  }

  private stopRunning(): void {
    this.accrue();
    this.running = false;
    this.generation++;
  }

  private accrue(): void {
    if (!this.running || this.now <= this.lastAccrual) return;
    const capacity = this.driver.markets[this.placement!.marketId].work;
    const delivered = this.config.workload.workBetween(this.lastAccrual, this.now, capacity);
    this.work += delivered;
    this.workSinceCheckpoint += delivered;
    this.lastAccrual = this.now;
  }

  private terminate(index: number): void {
    const inst = this.instances[index];
    if (!Number.isNaN(inst.end) || inst.terminating) return;
    if (Number.isNaN(inst.start)) {
      // Still being acquired: it is terminated as soon as it runs (onAcquired finds no migration for it).
      return;
    }
    inst.terminating = true;
    this.command({ kind: "terminate", instance: index });
  }

  private endInstance(index: number, endedBy: EndedBy): void {
    const inst = this.instances[index];
    if (!Number.isNaN(inst.end)) return;
    inst.end = this.now;
    inst.endedBy = endedBy;
  }

  private command(command: Command): void {
    this.driver.execute(command, this.now, this);
  }

  private record(kind: TimelineKind, marketId: number, reason: string): void {
    const entry = { time: this.now, kind, marketId, price: this.driver.prices[marketId], reason };
    this.timeline.push(entry);
    this.observer?.(entry);
  }

  private finish(at: number): EngineResult {
    this.now = at;
    this.accrue();
    return this.resultAt(at);
  }

  /** The ledger and metrics as if the run ended now (live runs write it after every hop); changes nothing. */
  snapshot(): EngineResult {
    return this.resultAt(this.now);
  }

  private resultAt(at: number): EngineResult {
    const pending =
      this.running && at > this.lastAccrual
        ? this.config.workload.workBetween(
            this.lastAccrual,
            at,
            this.driver.markets[this.placement!.marketId].work,
          )
        : 0;
    const downtimes = Number.isNaN(this.downtimeStart)
      ? [...this.downtimes]
      : [...this.downtimes, at - this.downtimeStart];
    const { billing } = this.config;
    const records: InstanceRecord[] = [];
    let costUsd = 0;
    for (const inst of this.instances) {
      if (Number.isNaN(inst.start)) continue;
      const end = Number.isNaN(inst.end) ? at : inst.end;
      const endedBy = inst.endedBy ?? "user";
      const market = this.driver.markets[inst.marketId];
      const cost = instanceCost(
        billing,
        this.driver.pricePath(inst.marketId),
        market.lifecycle,
        inst.start,
        end,
        endedBy,
      );
      costUsd += cost;
      records.push({ marketId: inst.marketId, start: inst.start, end, endedBy, costUsd: cost });
    }
    return {
      start: this.config.start,
      end: at,
      costUsd,
      onDemand: this.onDemandReference(at),
      work: this.work + pending,
      lostWork: this.lostWork,
      hops: this.counts.hops,
      abortedHops: this.counts.abortedHops,
      restarts: this.counts.restarts,
      revocations: this.counts.revocations,
      notices: this.counts.notices,
      acquireFailures: this.counters.acquireFailures,
      decisions: this.counts.decisions,
      downtimes,
      finished: !Number.isNaN(this.finishedAt),
      instances: records,
      timeline: [...this.timeline],
    };
  }

  /** The baseline: the on-demand market cheapest per delivered work-hour at start, held for the run. */
  private onDemandReference(at: number): EngineResult["onDemand"] {
    const { config, driver } = this;
    const prices = new Float64Array(driver.markets.length);
    for (const market of driver.markets)
      prices[market.id] = market.lifecycle === "on-demand" ? market.onDemandUsd : NaN;
    const marketId = cheapestMarket(
      { markets: driver.markets, prices, excluded: new Set(), workload: config },
      "on-demand",
    );
    if (marketId < 0) return null;
    const price = prices[marketId];
    const path: PricePath = { priceAt: () => price, nextChange: () => Infinity };
    const costUsd = instanceCost(config.billing, path, "on-demand", config.start, at, "user");
    const work = config.workload.workBetween(config.start, at, driver.markets[marketId].work);
    return { marketId, costUsd, work };
  }
}
