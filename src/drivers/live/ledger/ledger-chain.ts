import { instanceCost, type BillingModelName, type EndedBy } from "../../../engine/billing.js";
import type { EngineResult, InstanceRecord, TimelineEntry, TimelineKind } from "../../../engine/result.js";
import type { Market } from "../../../engine/types.js";
import type { ResultsDocument, RunDocument } from "../../../results/document.js";
import { constantPath } from "../../../engine/price-paths.js";
import { lastEntry, type HopRecord, type Journal, type StepName } from "../hop/journal.js";
import type { ResumeReport } from "../hop/resume.js";

/** The configuration key a hand-off ledger names its hop under: the successor's cue to carry it on. */
export const HANDED_OFF_KEY = "handedOff";
/** The configuration key of a ledger written when its run ended with no hop in flight. */
export const ENDED_KEY = "ended";

/**
 * An earlier run's ledger carried into this run's, so one ledger covers the container's whole life:
 * a self-migrating predecessor's hand-off ledger, whose hop this run finished (`done`, on the
 * target) or took back (`fell-back`, on the source); or the ledger of a run that ended cleanly
 * (`--resume` to go on later: no hop to settle).
 */
export interface LedgerCarry {
  /** The earlier result on this run's market ids, without the instance that runs on here. */
  readonly previous: EngineResult;
  /** Where the container runs on: its instance's market and when it started (billing from there). */
  readonly continuing: { readonly marketId: number; readonly start: number };
  /** The hop this run settled; null when the earlier run ended with none in flight. */
  readonly settled: SettledHop | null;
}

export interface SettledHop {
  readonly hop: string;
  readonly outcome: "done" | "fell-back";
  /** The hop's instance that ended (source after `done`, target after `fell-back`): index in `previous.instances`. */
  readonly ending: number;
  /** When the ending instance was terminated (the journal's terminate step). */
  readonly endingEnd: number;
  /** The hop's outage, checkpoint begin → restore end, from the journal (seconds). */
  readonly outage: { readonly start: number; readonly end: number };
}

const seconds = (iso: string) => Date.parse(iso) / 1000;

function stepEnd(hop: HopRecord, step: StepName): number | null {
  const entry = lastEntry(hop, step, "end");
  return entry === undefined ? null : entry.at / 1000;
}

/**
 * The carry for `hop`, settled by this run, from the ledger its predecessor wrote at the hand-off;
 * or why there is none (a ledger of another hop, a market unknown now, a hop not settled so).
 */
export function carryFrom(
  document: ResultsDocument,
  hop: HopRecord,
  markets: readonly Market[],
): LedgerCarry | string {
  if (document.configuration[HANDED_OFF_KEY] !== hop.id) {
    return `it was not written at the hand-off of ${hop.id}`;
  }
  if (hop.outcome !== "done" && hop.outcome !== "fell-back") return `${hop.id} is ${hop.outcome ?? "open"}`;
  const run = document.runs[0];
  const previous = resultOf(run, markets);
  if (typeof previous === "string") return previous;
  const checkpoint = hop.entries.find((e) => e.step === "checkpoint" && e.event === "begin");
  const done = hop.outcome === "done";
  const restored = stepEnd(hop, done ? "restore" : "restore-source");
  const terminated = stepEnd(hop, done ? "terminate-source" : "terminate-target");
  if (checkpoint === undefined || restored === null || terminated === null) {
    return `the journal of ${hop.id} lacks its checkpoint, restore or terminate step`;
  }
  // At the hand-off both ends of the hop were held; the target was acquired last.
  const held = heldAtEnd(previous);
  const target = held.at(-1);
  const source = held.at(-2);
  const targetMarket = target === undefined ? undefined : markets[target.record.marketId];
  if (
    target === undefined ||
    source === undefined ||
    targetMarket?.instanceType !== hop.target.instanceType ||
    targetMarket.lifecycle !== hop.target.lifecycle
  ) {
    return `its instances do not show ${hop.id}'s source and target held at the hand-off`;
  }
  if (previous.downtimes.length === 0) return "it counts no outage for the hop it handed off";
  const [continuing, ending] = done ? [target, source] : [source, target];
  return {
    previous: {
      ...without(previous, continuing.index),
      // The hand-off ledger counted the hop's outage up to then; the journal has the whole of it.
      downtimes: previous.downtimes.slice(0, -1),
    },
    continuing: { marketId: continuing.record.marketId, start: continuing.record.start },
    settled: {
      hop: hop.id,
      outcome: hop.outcome,
      ending: ending.index < continuing.index ? ending.index : ending.index - 1,
      endingEnd: terminated,
      outage: { start: checkpoint.at / 1000, end: restored },
    },
  };
}

/**
 * The carry from the ledger of a run that ended with no hop in flight, going on from its home; or
 * why there is none (it did not end so: a crash's last ledger, or a market unknown now).
 */
export function continuedFrom(document: ResultsDocument, markets: readonly Market[]): LedgerCarry | string {
  if (document.configuration[ENDED_KEY] !== true) {
    return "its run did not end cleanly (a crash leaves the ledger of its last event)";
  }
  const previous = resultOf(document.runs[0], markets);
  if (typeof previous === "string") return previous;
  const held = heldAtEnd(previous);
  if (held.length !== 1) return `it ends holding ${held.length} instances, not its home alone`;
  const [home] = held;
  return {
    previous: without(previous, home.index),
    continuing: { marketId: home.record.marketId, start: home.record.start },
    settled: null,
  };
}

/** The instances a ledger still held when it was written (ending at its end), with their indexes. */
function heldAtEnd(previous: EngineResult): { record: InstanceRecord; index: number }[] {
  return previous.instances
    .map((record, index) => ({ record, index }))
    .filter(({ record }) => record.end === previous.end);
}

/** The earlier result without instance `index`, which goes on in this run (and is billed there). */
function without(previous: EngineResult, index: number): EngineResult {
  const instances = previous.instances.filter((_, i) => i !== index);
  return { ...previous, instances, costUsd: instances.reduce((sum, r) => sum + r.costUsd, 0) };
}

/**
 * One result from the earlier run's and this one's: the continuing instance as this run billed it
 * (from its start); a settled hop counted once (done or aborted) with its whole outage, its ending
 * instance billed until it was terminated (`tailUsd`: its cost from the hand-off until then).
 */
export function chainResult(carry: LedgerCarry, current: EngineResult, tailUsd: number): EngineResult {
  const { previous, settled } = carry;
  const instances: InstanceRecord[] = previous.instances.map((record, i) =>
    i === settled?.ending
      ? { ...record, end: Math.max(record.end, settled.endingEnd), costUsd: record.costUsd + tailUsd }
      : record,
  );
  instances.push(...current.instances);
  const between: TimelineEntry[] = [];
  if (settled !== null) {
    // As the engine records a hop's end: the container running on the target, or the hop undone.
    between.push({
      time: settled.outage.end,
      kind: settled.outcome === "done" ? "running" : "hop-aborted",
      marketId: carry.continuing.marketId,
      price: current.timeline[0]?.price ?? NaN,
      reason: `${settled.hop} ${settled.outcome === "done" ? "done: restored on the target by its controller" : "taken back: restored on the source"}`,
    });
  }
  const onDemand =
    previous.onDemand === null ||
    current.onDemand === null ||
    previous.onDemand.marketId !== current.onDemand.marketId
      ? null
      : {
          marketId: current.onDemand.marketId,
          costUsd: previous.onDemand.costUsd + current.onDemand.costUsd,
          work: previous.onDemand.work + current.onDemand.work,
        };
  const outage = settled === null ? [] : [settled.outage.end - settled.outage.start];
  return {
    start: previous.start,
    end: current.end,
    costUsd: instances.reduce((sum, r) => sum + r.costUsd, 0),
    onDemand,
    work: previous.work + current.work,
    lostWork: previous.lostWork + current.lostWork,
    hops: previous.hops + current.hops + (settled?.outcome === "done" ? 1 : 0),
    abortedHops: previous.abortedHops + current.abortedHops + (settled?.outcome === "fell-back" ? 1 : 0),
    restarts: previous.restarts + current.restarts,
    revocations: previous.revocations + current.revocations,
    notices: previous.notices + current.notices,
    acquireFailures: previous.acquireFailures + current.acquireFailures,
    decisions: previous.decisions + current.decisions,
    downtimes: [...previous.downtimes, ...outage, ...current.downtimes],
    finished: current.finished,
    instances,
    timeline: [...previous.timeline, ...between, ...current.timeline],
  };
}

/** A run of a results document back as an engine result on `markets` (matched by type and lifecycle). */
function resultOf(run: RunDocument | undefined, markets: readonly Market[]): EngineResult | string {
  if (run === undefined) return "it has no run";
  const ids = new Map(markets.map((m) => [`${m.instanceType} ${m.lifecycle}`, m.id]));
  const unknown: string[] = [];
  const idOf = (instanceType: string, lifecycle: string) => {
    const id = ids.get(`${instanceType} ${lifecycle}`);
    if (id === undefined) unknown.push(`${instanceType} ${lifecycle}`);
    return id ?? -1;
  };
  const instances = run.instances.map((i) => ({
    marketId: idOf(i.instanceType, i.lifecycle),
    start: seconds(i.start),
    end: seconds(i.end),
    endedBy: i.endedBy as EndedBy,
    costUsd: i.costUsd,
  }));
  const timeline = run.timeline.map((e) => ({
    time: seconds(e.time),
    kind: e.kind as TimelineKind,
    marketId: idOf(e.instanceType, e.lifecycle),
    price: e.price ?? NaN,
    reason: e.reason,
  }));
  const baseline = run.onDemandMarket === null ? undefined : ids.get(`${run.onDemandMarket} on-demand`);
  if (unknown.length > 0) return `its markets ${[...new Set(unknown)].join(", ")} are not among this run's`;
  return {
    start: seconds(run.start),
    end: seconds(run.end),
    costUsd: run.costUsd,
    // The document keeps the baseline's cost per work delivered: the same ratio, carried as one pair.
    onDemand:
      baseline === undefined || run.onDemandCostUsd === null
        ? null
        : { marketId: baseline, costUsd: run.onDemandCostUsd, work: run.workEcuHours },
    work: run.workEcuHours,
    lostWork: run.lostWorkEcuHours,
    hops: run.migrations,
    abortedHops: run.abortedMigrations,
    restarts: run.restarts,
    revocations: run.revocations,
    notices: run.notices,
    acquireFailures: 0,
    decisions: run.decisions,
    downtimes: run.outageDowntimesSeconds ?? [],
    finished: run.finished,
    instances,
    timeline,
  };
}

/** An earlier ledger, read back, and where it stays if it is not carried on. */
export interface EarlierLedger {
  readonly document: ResultsDocument;
  readonly keptAt: string;
}

/**
 * The earlier ledger this run carries on, if any: a self-migrating predecessor's hand-off ledger
 * whose hop this run settled (finished here, or taken back here); else, for a resumed run that had
 * no hop to settle, the ledger of the run before it. One that cannot be carried stays where it is
 * kept and this ledger starts afresh, with a warning saying why.
 */
export async function carriedLedger(options: {
  readonly self?: { readonly instanceId: string };
  readonly resume: boolean;
  /** The ledger the controller on `instanceId` wrote last (self-migrating), or this controller's own (null). */
  readonly previousLedger?: (instanceId: string | null) => Promise<EarlierLedger | null>;
  readonly onWarning?: (text: string) => void;
  readonly billing: BillingModelName;
  readonly journal: Journal;
  readonly resumed: readonly ResumeReport[];
  readonly markets: readonly Market[];
  readonly homeMarket: number;
}): Promise<{ carry: LedgerCarry; tailUsd: number; from: string } | null> {
  const { journal, resumed, markets, homeMarket, previousLedger } = options;
  const self = options.self?.instanceId ?? null;
  if (previousLedger === undefined || !options.resume) return null;
  const report = resumed.find((r) => r.outcome === "done" || r.outcome === "fell-back");
  const hop = report === undefined ? undefined : journal.hops.find((h) => h.id === report.hop)!;
  // Whose ledger: a takeover's predecessor's; else this controller's own (a take-back's, a restart's).
  const takeover = self !== null && report?.outcome === "done" && hop?.targetInstanceId === self;
  const takeBack = self !== null && report?.outcome === "fell-back" && hop?.source === self;
  const earlier = await previousLedger(takeover ? hop!.source : self);
  if (earlier === null) return null;
  const carry =
    hop === undefined
      ? continuedFrom(earlier.document, markets)
      : takeover || takeBack
        ? carryFrom(earlier.document, hop, markets)
        : `${hop.id} was left in flight by a crash; its last ledger cannot say what the crash cut off`;
  if (typeof carry === "string" || carry.continuing.marketId !== homeMarket) {
    const why = typeof carry === "string" ? carry : "its home is another market";
    options.onWarning?.(`the earlier ledger is not carried on (${why}); it is kept in ${earlier.keptAt}`);
    return null;
  }
  return { carry, tailUsd: tailOf(carry, markets, options.billing), from: earlier.keptAt };
}

/** The ending instance from the hand-off until its termination, at the last price its ledger saw. */
function tailOf(carry: LedgerCarry, markets: readonly Market[], billing: BillingModelName): number {
  if (carry.settled === null) return 0;
  const record = carry.previous.instances[carry.settled.ending];
  const market = markets[record.marketId];
  const price = market.lifecycle === "spot" ? lastPrice(carry.previous, record.marketId) : market.onDemandUsd;
  const path = constantPath(Number.isNaN(price) ? market.onDemandUsd : price);
  const cost = (end: number) =>
    instanceCost(billing, path, market.lifecycle, record.start, end, record.endedBy);
  return Math.max(0, cost(Math.max(record.end, carry.settled.endingEnd)) - cost(record.end));
}

/** The latest price the ledger saw on `marketId` (NaN when none). */
function lastPrice(result: EngineResult, marketId: number): number {
  const seen = result.timeline.filter((e) => e.marketId === marketId && !Number.isNaN(e.price));
  return seen.length === 0 ? NaN : seen[seen.length - 1].price;
}
