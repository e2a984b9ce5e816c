import { instanceCost, type BillingModelName, type EndedBy } from "../../engine/billing.js";
import type { EngineResult, InstanceRecord, TimelineEntry, TimelineKind } from "../../engine/result.js";
import type { Market } from "../../engine/types.js";
import type { ResultsDocument, RunDocument } from "../../results/document.js";
import { constantPath } from "../sim/price-paths.js";
import type { HopRecord, Journal, StepName } from "./journal.js";
import type { ResumeReport } from "./resume.js";

/** The configuration key a hand-off ledger names its hop under: the successor's cue to carry it on. */
export const HANDED_OFF_KEY = "handedOff";

/**
 * A self-migrating controller's predecessor's ledger, carried into this run's: the hop the
 * predecessor handed off, finished here (`done`, on the target) or taken back (`fell-back`, on the
 * source), so one ledger covers the container's whole life instead of one per controller.
 */
export interface LedgerCarry {
  /** The predecessor's result on this run's market ids, without the instance that runs on here. */
  readonly previous: EngineResult;
  readonly hop: string;
  readonly outcome: "done" | "fell-back";
  /** Where the container runs on: its instance's market and when it started (billing from there). */
  readonly continuing: { readonly marketId: number; readonly start: number };
  /** The hop's instance that ended (source after `done`, target after `fell-back`): index in `previous.instances`. */
  readonly ending: number;
  /** When the ending instance was terminated (the journal's terminate step). */
  readonly endingEnd: number;
  /** The hop's outage, checkpoint begin → restore end, from the journal (seconds). */
  readonly outage: { readonly start: number; readonly end: number };
}

const seconds = (iso: string) => Date.parse(iso) / 1000;

function stepEnd(hop: HopRecord, step: StepName): number | null {
  const entry = [...hop.entries].reverse().find((e) => e.step === step && e.event === "end");
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
  const held = previous.instances
    .map((record, index) => ({ record, index }))
    .filter(({ record }) => record.end === previous.end);
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
  const instances = previous.instances.filter((_, i) => i !== continuing.index);
  return {
    previous: {
      ...previous,
      instances,
      costUsd: instances.reduce((sum, r) => sum + r.costUsd, 0),
      // The hand-off ledger counted the hop's outage up to then; the journal has the whole of it.
      downtimes: previous.downtimes.slice(0, -1),
    },
    hop: hop.id,
    outcome: hop.outcome,
    continuing: { marketId: continuing.record.marketId, start: continuing.record.start },
    ending: ending.index < continuing.index ? ending.index : ending.index - 1,
    endingEnd: terminated,
    outage: { start: checkpoint.at / 1000, end: restored },
  };
}

/**
 * One result from the predecessor's and this run's: the hop counted once (done or aborted) with
 * its whole outage, the ending instance billed until it was terminated (`tailUsd`: its cost from
 * the hand-off until then), the continuing instance as this run billed it (from its start).
 */
export function chainResult(carry: LedgerCarry, current: EngineResult, tailUsd: number): EngineResult {
  const { previous } = carry;
  const instances: InstanceRecord[] = previous.instances.map((record, i) =>
    i === carry.ending
      ? { ...record, end: Math.max(record.end, carry.endingEnd), costUsd: record.costUsd + tailUsd }
      : record,
  );
  instances.push(...current.instances);
  // As the engine records a hop's end: the container running on the target, or the hop undone.
  const kind: TimelineKind = carry.outcome === "done" ? "running" : "hop-aborted";
  const settled: TimelineEntry = {
    time: carry.outage.end,
    kind,
    marketId: carry.continuing.marketId,
    price: current.timeline[0]?.price ?? NaN,
    reason: `${carry.hop} ${carry.outcome === "done" ? "done: restored on the target by its controller" : "taken back: restored on the source"}`,
  };
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
  return {
    start: previous.start,
    end: current.end,
    costUsd: instances.reduce((sum, r) => sum + r.costUsd, 0),
    onDemand,
    work: previous.work + current.work,
    lostWork: previous.lostWork + current.lostWork,
    hops: previous.hops + current.hops + (carry.outcome === "done" ? 1 : 0),
    abortedHops: previous.abortedHops + current.abortedHops + (carry.outcome === "fell-back" ? 1 : 0),
    restarts: previous.restarts + current.restarts,
    revocations: previous.revocations + current.revocations,
    notices: previous.notices + current.notices,
    acquireFailures: previous.acquireFailures + current.acquireFailures,
    decisions: previous.decisions + current.decisions,
    downtimes: [...previous.downtimes, carry.outage.end - carry.outage.start, ...current.downtimes],
    finished: current.finished,
    instances,
    timeline: [...previous.timeline, settled, ...current.timeline],
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

/**
 * The predecessor's hand-off ledger, carried on when this self-migrating run settled that hop:
 * finished it here (the target's takeover) or took the container back (the source's fall-back).
 */
export async function carriedLedger(options: {
  readonly self?: { readonly instanceId: string };
  readonly previousLedger?: (instanceId: string) => Promise<ResultsDocument | null>;
  readonly onWarning?: (text: string) => void;
  readonly billing: BillingModelName;
  readonly journal: Journal;
  readonly resumed: readonly ResumeReport[];
  readonly markets: readonly Market[];
  readonly homeMarket: number;
}): Promise<{ carry: LedgerCarry; tailUsd: number; from: string } | null> {
  const { journal, resumed, markets, homeMarket } = options;
  const self = options.self?.instanceId;
  if (self === undefined || options.previousLedger === undefined) return null;
  for (const report of resumed) {
    const hop = journal.hops.find((h) => h.id === report.hop)!;
    const from =
      report.outcome === "done" && hop.targetInstanceId === self
        ? hop.source
        : report.outcome === "fell-back" && hop.source === self
          ? self
          : null;
    if (from === null) continue;
    const previous = await options.previousLedger(from);
    if (previous === null) {
      options.onWarning?.(`no ledger of ${from} to carry on: this ledger starts at ${hop.id}`);
      return null;
    }
    const carry = carryFrom(previous, hop, markets);
    if (typeof carry === "string" || carry.continuing.marketId !== homeMarket) {
      const why = typeof carry === "string" ? carry : "its home is another market";
      options.onWarning?.(`the ledger of ${from} is not carried on (${why}); it is kept as written`);
      return null;
    }
    // The ending instance from the hand-off until its termination, at the last price its ledger saw.
    const record = carry.previous.instances[carry.ending];
    const market = markets[record.marketId];
    const price =
      market.lifecycle === "spot" ? lastPrice(carry.previous, record.marketId) : market.onDemandUsd;
    const path = constantPath(Number.isNaN(price) ? market.onDemandUsd : price);
    const cost = (end: number) =>
      instanceCost(options.billing, path, market.lifecycle, record.start, end, record.endedBy);
    const tailUsd = Math.max(0, cost(Math.max(record.end, carry.endingEnd)) - cost(record.end));
    return { carry, tailUsd, from };
  }
  return null;
}

/** The latest price the ledger saw on `marketId` (NaN when none). */
function lastPrice(result: EngineResult, marketId: number): number {
  const seen = result.timeline.filter((e) => e.marketId === marketId && !Number.isNaN(e.price));
  return seen.length === 0 ? NaN : seen[seen.length - 1].price;
}
