import { describe, expect, it } from "vitest";
import { costAboveReference, cumulativeCost, hostingSpans, runEvents } from "../../src/reports/series.js";
import { handRun } from "./fixtures.js";

const at = (hhmmss: string) => `2021-03-01T${hhmmss}.000Z`;
const ms = (hhmmss: string) => Date.parse(at(hhmmss));

const entry = (time: string, kind: string, instanceType: string, lifecycle = "spot") => ({
  time: at(time),
  kind,
  instanceType,
  lifecycle,
  price: null,
  reason: kind,
});

// X on-demand 00:00-02:00 for $2, Y spot 01:00-04:00 for $6 (overlapping an hour during the hop).
const run = handRun({
  instances: [
    {
      instanceType: "x",
      lifecycle: "on-demand",
      start: at("00:00:00"),
      end: at("02:00:00"),
      endedBy: "user",
      costUsd: 2,
    },
    {
      instanceType: "y",
      lifecycle: "spot",
      start: at("01:00:00"),
      end: at("04:00:00"),
      endedBy: "user",
      costUsd: 6,
    },
  ],
  timeline: [
    entry("00:00:00", "place", "x", "on-demand"),
    entry("00:00:30", "running", "x", "on-demand"),
    entry("01:00:00", "hop", "y"),
    entry("01:02:00", "running", "y"),
    entry("03:00:00", "revoked", "y"),
    entry("03:00:10", "restart", "z"),
    entry("03:01:00", "running", "z"),
  ],
});

describe("costAboveReference", () => {
  it("subtracts the reference's cumulative cost at the union of both runs' breakpoints", () => {
    // Reference: one instance 00:00-04:00 for $4, i.e. $1 per hour; it breaks only at 00:00 and 04:00.
    const reference = handRun({
      policy: "optimal",
      instances: [
        {
          instanceType: "y",
          lifecycle: "spot",
          start: at("00:00:00"),
          end: at("04:00:00"),
          endedBy: "user",
          costUsd: 4,
        },
      ],
      timeline: [],
    });
    expect(costAboveReference(run, reference)).toEqual([
      { policy: "greedy", time: ms("00:00:00"), usd: 0 },
      { policy: "greedy", time: ms("01:00:00"), usd: 1 - 1 },
      { policy: "greedy", time: ms("02:00:00"), usd: 4 - 2 },
      { policy: "greedy", time: ms("04:00:00"), usd: 8 - 4 },
    ]);
  });
});

describe("cumulativeCost", () => {
  it("accrues each instance's cost linearly over its life, summed at every start and end", () => {
    expect(cumulativeCost(run)).toEqual([
      { policy: "greedy", time: ms("00:00:00"), usd: 0 },
      // half of X
      { policy: "greedy", time: ms("01:00:00"), usd: 1 },
      // all of X, a third of Y
      { policy: "greedy", time: ms("02:00:00"), usd: 4 },
      { policy: "greedy", time: ms("04:00:00"), usd: 8 },
    ]);
  });

  it("is a flat zero line for a run that held nothing", () => {
    expect(cumulativeCost(handRun({})).map((point) => point.usd)).toEqual([0, 0]);
  });
});

describe("hostingSpans", () => {
  it("runs from each start on a market to the next move or loss, the last to the run's end", () => {
    expect(hostingSpans(run)).toEqual([
      { policy: "greedy", market: "x on-demand", start: ms("00:00:30"), end: ms("01:02:00") },
      { policy: "greedy", market: "y spot", start: ms("01:02:00"), end: ms("03:00:00") },
      { policy: "greedy", market: "z spot", start: ms("03:01:00"), end: ms("04:00:00") },
    ]);
  });
});

describe("runEvents", () => {
  it("keeps hops, revocations and restarts, on the market they concern", () => {
    expect(runEvents(run).map((event) => [event.kind, event.market, event.time])).toEqual([
      ["hop", "y spot", ms("01:00:00")],
      ["revoked", "y spot", ms("03:00:00")],
      ["restart", "z spot", ms("03:01:00") - 50_000],
    ]);
  });
});
