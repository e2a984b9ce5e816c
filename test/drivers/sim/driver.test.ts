import { describe, expect, it } from "vitest";
import type { EngineEvent, EventSink } from "../../../src/engine/driver.js";
import { defaultMigrationModel } from "../../../src/engine/migration-model.js";
import { SimDriver } from "../../../src/drivers/sim/driver.js";
import type { InterruptionConfig } from "../../../src/drivers/sim/interruptions.js";
import { buildZoneScenario } from "../../../src/drivers/sim/markets.js";
import { Random } from "../../../src/util/random.js";
import { handResolution, handTrace, twoTypes } from "./fixtures.js";

// a.large spot: 0.3 $/h, above its $1 on-demand price (the bid at 1×) from 1000 s to 2000 s.
const trace = handTrace(
  [
    ["z", "a.large", 0, 0.3],
    ["z", "b.large", 0, 0.4],
    ["z", "a.large", 1000, 1.5],
    ["z", "a.large", 2000, 0.2],
  ],
  { start: 0, end: 10_000 },
);
const scenario = buildZoneScenario(trace, "z", handResolution(twoTypes));
const id = (type: string, lifecycle: string) =>
  scenario.markets.findIndex((m) => m.instanceType === type && m.lifecycle === lifecycle);
const spotA = id("a.large", "spot");
const spotB = id("b.large", "spot");
const onDemandA = id("a.large", "on-demand");

function driver(interruptions: InterruptionConfig = { kind: "none" }) {
  const events: [number, EngineEvent][] = [];
  const sink: EventSink = { schedule: (time, event) => void events.push([time, event]) };
  const sim = new SimDriver({
    scenario,
    start: 0,
    memoryGiB: 8,
    demandWork: 10,
    migrationModel: defaultMigrationModel,
    durations: "mean",
    interruptions,
    historyWindowSeconds: 3600,
    durationRandom: new Random(1),
    interruptionRandom: new Random(2),
  });
  return { sim, sink, events };
}

describe("SimDriver", () => {
  it("knows on-demand prices from the start and spot prices once replayed", () => {
    const { sim, sink } = driver();
    expect([sim.prices[spotA], sim.prices[onDemandA]]).toEqual([NaN, 1]);
    expect(sim.advance(0, sink)).toBe(0);
    expect([sim.prices[spotA], sim.prices[spotB], sim.eventsReplayed]).toEqual([0.3, 0.4, 2]);
    expect(sim.advance(1500, sink)).toBe(1500);
    expect([sim.prices[spotA], sim.eventsReplayed]).toEqual([1.5, 3]);
    // Without bids nothing is unavailable, even above the on-demand price.
    expect(sim.unavailable.size).toBe(0);
    expect(sim.pricePath(spotA).priceAt(2500)).toBe(0.2);
  });

  it("times each command with the model's means", () => {
    const { sim, sink, events } = driver();
    sim.execute({ kind: "acquire", instance: 0, marketId: spotB }, 100, sink);
    sim.execute({ kind: "acquire", instance: 1, marketId: onDemandA }, 100, sink);
    for (const kind of ["checkpoint", "transfer", "move", "restore"] as const)
      sim.execute({ kind, migration: 0, target: 1 }, 100, sink);
    sim.execute({ kind: "terminate", instance: 0 }, 100, sink);
    expect(events).toEqual([
      [167, { kind: "acquired", instance: 0 }],
      [128, { kind: "acquired", instance: 1 }],
      [102, { kind: "checkpointed", migration: 0 }],
      // 8 GiB over 10 Gbit/s: 8 × 8 × 1024³ / 10¹⁰ s.
      [100 + (8 * 8 * 1024 ** 3) / 1e10, { kind: "transferred", migration: 0 }],
      [128, { kind: "moved", migration: 0 }],
      [102, { kind: "restored", migration: 0 }],
      [138.5, { kind: "terminated", instance: 0 }],
    ]);
  });

  it("bids: a market above its bid is unavailable, a request that would start above it fails", () => {
    const { sim, sink, events } = driver({ kind: "bid", bidMultiple: 1 });
    sim.advance(1000, sink);
    expect([...sim.unavailable]).toEqual([spotA]);
    sim.execute({ kind: "acquire", instance: 0, marketId: spotA }, 950, sink);
    expect(events).toEqual([
      [1017, { kind: "acquire-failed", instance: 0, reason: "spot price above the bid" }],
    ]);
    sim.advance(2000, sink);
    expect(sim.unavailable.size).toBe(0);
  });

  it("bids: a running server is noticed when its price crosses the bid, reclaimed 120 s later; a terminated one is not", () => {
    const { sim, sink, events } = driver({ kind: "bid", bidMultiple: 1 });
    sim.advance(0, sink);
    sim.execute({ kind: "acquire", instance: 0, marketId: spotA }, 0, sink);
    sim.execute({ kind: "acquire", instance: 1, marketId: spotA }, 0, sink);
    sim.execute({ kind: "terminate", instance: 1 }, 500, sink);
    events.length = 0;
    // The world stops at the crossing so the engine sees the notice in time.
    expect(sim.advance(5000, sink)).toBe(1000);
    expect(events).toEqual([
      [1000, { kind: "notice", instance: 0, reclaimAt: 1120, reason: "spot price above the bid" }],
      [1120, { kind: "revoked", instance: 0 }],
    ]);
    expect(sim.advance(5000, sink)).toBe(5000);
  });

  describe("advanceWatching", () => {
    // $ per work unit: spot a and b count (10 work units each), the on-demand markets never do.
    const divisors = Float64Array.from(scenario.markets, (m) => (m.lifecycle === "spot" ? 10 : NaN));
    const passAll = { market: -1, other: -1, lowest: -1, ceiling: Infinity, divisors, line: -Infinity };

    it("replays the changes the watch lets pass and stops after the first it does not, returning its time", () => {
      const { sim, sink } = driver();
      sim.advance(0, sink);
      // b the lowest below 0.1: a at 0.15 (1000) passes, a at 0.02 (2000) is at most the line.
      const below = { market: -1, other: -1, lowest: spotB, ceiling: 0.1, divisors, line: 0.1 };
      expect(sim.advanceWatching(9000, below, sink)).toBe(2000);
      expect([sim.prices[spotA], sim.eventsReplayed]).toEqual([0.2, 4]);
      expect(sim.advanceWatching(9000, passAll, sink)).toBe(Infinity);
      // a the lowest below 0.1: its rise to 0.15 at 1000 matters; so does any change of a watched market.
      const rising = driver();
      rising.sim.advance(0, rising.sink);
      expect(rising.sim.advanceWatching(9000, { ...below, lowest: spotA }, rising.sink)).toBe(1000);
      const marked = driver();
      marked.sim.advance(0, marked.sink);
      expect(marked.sim.advanceWatching(9000, { ...passAll, other: spotA }, marked.sink)).toBe(1000);
      expect(marked.sim.advanceWatching(1500, passAll, marked.sink)).toBe(Infinity);
      expect(marked.sim.eventsReplayed).toBe(3);
    });

    it("stops at a bid notice and at a capacity check whatever the watch lets pass", () => {
      const bid = driver({ kind: "bid", bidMultiple: 1 });
      bid.sim.advance(0, bid.sink);
      bid.sim.execute({ kind: "acquire", instance: 0, marketId: spotA }, 0, bid.sink);
      expect(bid.sim.advanceWatching(9000, passAll, bid.sink)).toBe(1000);
      expect(bid.events.at(-2)).toEqual([
        1000,
        { kind: "notice", instance: 0, reclaimAt: 1120, reason: "spot price above the bid" },
      ]);
      // b has no spot capacity from 3000 s to 4000 s.
      const unavailable = new Map([["z/b.large", Float64Array.of(3000, 4000)]]);
      const recorded = driver({
        kind: "replay",
        availability: { source: "hand", reading: "preempted", unavailable },
      });
      recorded.sim.advance(0, recorded.sink);
      expect(recorded.sim.advanceWatching(9000, passAll, recorded.sink)).toBe(3000);
      expect([...recorded.sim.unavailable]).toEqual([spotB]);
      expect(recorded.sim.advanceWatching(9000, passAll, recorded.sink)).toBe(4000);
      expect(recorded.sim.unavailable.size).toBe(0);
    });
  });
});
