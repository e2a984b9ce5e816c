import { describe, expect, it } from "vitest";
import {
  carryFrom,
  chainResult,
  continuedFrom,
  ENDED_KEY,
  HANDED_OFF_KEY,
  type LedgerCarry,
} from "../../../../src/drivers/live/ledger/ledger-chain.js";
import type { HopRecord, JournalEntry, StepName } from "../../../../src/drivers/live/hop/journal.js";
import type { EngineResult } from "../../../../src/engine/result.js";
import type { Market } from "../../../../src/engine/types.js";
import { buildResultsDocument } from "../../../../src/results/document.js";

const market = (
  id: number,
  instanceType: string,
  lifecycle: "spot" | "on-demand",
  onDemandUsd: number,
): Market => ({
  id,
  zone: "us-east-1c",
  instanceType,
  lifecycle,
  vcpu: 2,
  memoryGiB: 8,
  work: 6.5,
  onDemandUsd,
  architecture: "x86_64",
  cpuVendor: "intel",
});
const markets = [
  market(0, "m4.large", "spot", 0.1),
  market(1, "c4.large", "spot", 0.1),
  market(2, "m4.large", "on-demand", 0.1),
  market(3, "c4.large", "on-demand", 0.1),
];

/**
 * The source's controller handed hop-000001 off at t = 1000 s: the container ran on m4.large spot
 * (0.03 $/h) since 0, the c4.large spot target (0.02 $/h) was running from 900, the checkpoint began
 * at 970 (30 s of outage so far).
 */
const handOffResult: EngineResult = {
  start: 0,
  end: 1000,
  costUsd: (0.03 * 1000 + 0.02 * 100) / 3600,
  onDemand: { marketId: 2, costUsd: (0.1 * 1000) / 3600, work: 1.5 },
  work: 1.5,
  lostWork: 0,
  hops: 0,
  abortedHops: 0,
  restarts: 0,
  revocations: 0,
  notices: 0,
  acquireFailures: 0,
  decisions: 4,
  downtimes: [30],
  finished: false,
  instances: [
    { marketId: 0, start: 0, end: 1000, endedBy: "user", costUsd: (0.03 * 1000) / 3600 },
    { marketId: 1, start: 900, end: 1000, endedBy: "user", costUsd: (0.02 * 100) / 3600 },
  ],
  timeline: [
    { time: 0, kind: "running", marketId: 0, price: 0.03, reason: "running when the run began" },
    { time: 880, kind: "place", marketId: 1, price: 0.02, reason: "cheaper" },
  ],
};

function handOffDocument(hopId = "hop-000001") {
  return documentOf(handOffResult, { mode: "live", [HANDED_OFF_KEY]: hopId });
}

const buildDocumentRuns = (result: EngineResult) => documentOf(result, {}).runs;

function documentOf(result: EngineResult, configuration: Record<string, unknown>) {
  return buildResultsDocument({
    trace: { path: "live", sha256: "", bytes: 0, format: "live", start: "", end: "", rowsKept: 0, series: 2 },
    seed: 0,
    workUnit: "ecu",
    configuration,
    runs: [
      {
        policy: "greedy",
        params: {},
        zone: "us-east-1c",
        markets,
        result,
        eventsReplayed: 0,
        advisorMissingTypes: [],
      },
    ],
  });
}

const at = (step: StepName, event: JournalEntry["event"], seconds: number): JournalEntry => ({
  step,
  event,
  at: seconds * 1000,
});

function hop(outcome: "done" | "fell-back"): HopRecord {
  const start = [
    at("acquire", "begin", 880),
    at("acquire", "end", 890),
    at("wait-running", "begin", 890),
    at("wait-running", "end", 960),
    at("checkpoint", "begin", 970),
    at("checkpoint", "end", 975),
    at("detach-source", "begin", 976),
  ];
  const rest =
    outcome === "done"
      ? [
          at("detach-source", "end", 1010),
          at("attach-target", "begin", 1010),
          at("attach-target", "end", 1015),
          at("restore", "begin", 1015),
          at("restore", "end", 1020),
          at("terminate-source", "begin", 1020),
          at("terminate-source", "end", 1021),
        ]
      : [
          at("reattach-source", "begin", 1040),
          at("reattach-source", "end", 1050),
          at("restore-source", "begin", 1050),
          at("restore-source", "end", 1056),
          at("terminate-target", "begin", 1056),
          at("terminate-target", "end", 1058),
        ];
  return {
    id: "hop-000001",
    clientToken: "t",
    source: "i-00000000000000001",
    target: { instanceType: "c4.large", zone: "us-east-1c", lifecycle: "spot" },
    targetInstanceId: "i-00000000000000002",
    entries: [...start, ...rest],
    outcome,
  };
}

/** The target's own run after the takeover: from 1030 to 2000 on c4.large spot, its instance billed from 900. */
const takeoverResult: EngineResult = {
  start: 1030,
  end: 2000,
  costUsd: (0.02 * 1100) / 3600,
  onDemand: { marketId: 2, costUsd: (0.1 * 970) / 3600, work: 1.2 },
  work: 1.2,
  lostWork: 0,
  hops: 0,
  abortedHops: 0,
  restarts: 0,
  revocations: 0,
  notices: 0,
  acquireFailures: 0,
  decisions: 3,
  downtimes: [],
  finished: false,
  instances: [{ marketId: 1, start: 900, end: 2000, endedBy: "user", costUsd: (0.02 * 1100) / 3600 }],
  timeline: [{ time: 1030, kind: "running", marketId: 1, price: 0.02, reason: "running when the run began" }],
};

describe("carrying an earlier ledger on (hand-made results and journal)", () => {
  it("a takeover: the target's record goes to this run, the outage is the journal's, the source ends at its termination", () => {
    const carry = carryFrom(handOffDocument(), hop("done"), markets) as LedgerCarry;
    expect(typeof carry).toBe("object");
    expect(carry.continuing).toEqual({ marketId: 1, start: 900 });
    expect(carry.settled?.outage).toEqual({ start: 970, end: 1020 });
    expect(carry.settled?.endingEnd).toBe(1021);
    expect(carry.previous.instances.map((r) => [r.marketId, r.start, r.end])).toEqual([[0, 0, 1000]]);
    expect(carry.previous.downtimes).toEqual([]);

    // The source's 21 s from the hand-off to its termination at 0.03 $/h.
    const tail = (0.03 * 21) / 3600;
    const chained = chainResult(carry, takeoverResult, tail);
    expect([chained.start, chained.end, chained.hops, chained.abortedHops, chained.decisions]).toEqual([
      0, 2000, 1, 0, 7,
    ]);
    expect(chained.downtimes).toEqual([50]);
    expect(chained.work).toBeCloseTo(2.7, 12);
    expect(chained.instances.map((r) => [r.marketId, r.start, r.end])).toEqual([
      [0, 0, 1021],
      [1, 900, 2000],
    ]);
    // Source 0..1021 at 0.03 and target 900..2000 at 0.02: each second billed once.
    expect(chained.costUsd).toBeCloseTo((0.03 * 1021 + 0.02 * 1100) / 3600, 12);
    expect(chained.timeline.map((e) => [e.time, e.kind, e.marketId])).toEqual([
      [0, "running", 0],
      [880, "place", 1],
      [1020, "running", 1],
      [1030, "running", 1],
    ]);
    expect(chained.onDemand).toEqual({
      marketId: 2,
      costUsd: expect.closeTo((0.1 * 1000 + 0.1 * 970) / 3600, 12),
      work: expect.closeTo(2.7, 12),
    });
  });

  it("a fall-back: the source's record goes to this run, the hop counts as aborted, the target ends at its termination", () => {
    const carry = carryFrom(handOffDocument(), hop("fell-back"), markets) as LedgerCarry;
    expect(carry.continuing).toEqual({ marketId: 0, start: 0 });
    expect(carry.settled?.outage).toEqual({ start: 970, end: 1056 });
    expect(carry.settled?.endingEnd).toBe(1058);
    expect(carry.previous.instances.map((r) => [r.marketId, r.start, r.end])).toEqual([[1, 900, 1000]]);
    const own: EngineResult = {
      ...takeoverResult,
      start: 1060,
      costUsd: (0.03 * 2000) / 3600,
      instances: [{ marketId: 0, start: 0, end: 2000, endedBy: "user", costUsd: (0.03 * 2000) / 3600 }],
      timeline: [
        { time: 1060, kind: "running", marketId: 0, price: 0.03, reason: "running when the run began" },
      ],
    };
    const chained = chainResult(carry, own, (0.02 * 58) / 3600);
    expect([chained.hops, chained.abortedHops]).toEqual([0, 1]);
    expect(chained.downtimes).toEqual([86]);
    expect(chained.instances.map((r) => [r.marketId, r.start, r.end])).toEqual([
      [1, 900, 1058],
      [0, 0, 2000],
    ]);
    expect(chained.costUsd).toBeCloseTo((0.02 * 158 + 0.03 * 2000) / 3600, 12);
    expect(chained.timeline[2]).toMatchObject({ time: 1056, kind: "hop-aborted", marketId: 0 });
  });

  it("a clean end goes on from its home: nothing settled, the home's record to this run", () => {
    const ended = { ...handOffResult, instances: handOffResult.instances.slice(0, 1), downtimes: [4] };
    const document = { ...handOffDocument(), configuration: { [ENDED_KEY]: true } };
    const carry = continuedFrom({ ...document, runs: buildDocumentRuns(ended) }, markets) as LedgerCarry;
    expect(carry.settled).toBeNull();
    expect(carry.continuing).toEqual({ marketId: 0, start: 0 });
    expect(carry.previous.instances).toEqual([]);
    const own: EngineResult = {
      ...takeoverResult,
      instances: [{ marketId: 0, start: 0, end: 2000, endedBy: "user", costUsd: (0.03 * 2000) / 3600 }],
    };
    const chained = chainResult(carry, own, 0);
    expect([chained.start, chained.end, chained.hops, chained.abortedHops]).toEqual([0, 2000, 0, 0]);
    expect(chained.downtimes).toEqual([4]);
    expect(chained.costUsd).toBeCloseTo((0.03 * 2000) / 3600, 12);
    expect(chained.timeline.map((e) => e.time)).toEqual([0, 880, 1030]);
    expect(continuedFrom(handOffDocument(), markets)).toBe(
      "its run did not end cleanly (a crash leaves the ledger of its last event)",
    );
    expect(continuedFrom({ ...handOffDocument(), configuration: { [ENDED_KEY]: true } }, markets)).toBe(
      "it ends holding 2 instances, not its home alone",
    );
  });

  it("is refused, saying why, for a ledger of another hop, a market unknown now, or a hop still open", () => {
    expect(carryFrom(handOffDocument("hop-000007"), hop("done"), markets)).toBe(
      "it was not written at the hand-off of hop-000001",
    );
    expect(
      carryFrom(
        handOffDocument(),
        hop("done"),
        markets.slice(1).map((m, id) => ({ ...m, id })),
      ),
    ).toBe("its markets m4.large spot are not among this run's");
    expect(carryFrom(handOffDocument(), { ...hop("done"), outcome: null }, markets)).toBe(
      "hop-000001 is open",
    );
  });
});
