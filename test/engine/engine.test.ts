import { describe, expect, it } from "vitest";
import { buildZoneScenario } from "../../src/drivers/sim/markets.js";
import { simulateZone } from "../../src/drivers/sim/run.js";
import { HotspotError } from "../../src/errors.js";
import { cheapestMarket } from "../../src/engine/candidates.js";
import type { PolicyDefinition } from "../../src/engine/policy.js";
import type { Observation, PriceWatch } from "../../src/engine/types.js";
import { StepWorkload } from "../../src/engine/workload.js";
import { handResolution, handTrace, simConfig, twoTypes } from "../drivers/sim/fixtures.js";

const zone = "us-east-1a";
const trace = handTrace(
  [
    [zone, "a.large", 0, 0.3],
    [zone, "b.large", 0, 0.6],
    [zone, "a.large", 3000, 1.5],
  ],
  { start: 0, end: 7200 },
);
const scenario = buildZoneScenario(trace, zone, handResolution(twoTypes));

/** A hand-written policy that ignores notices: placed once, moved only when the container was lost. */
const ignoresNotices: PolicyDefinition = {
  name: "ignores-notices",
  summary: "test policy",
  params: [],
  inputs: [],
  simulationOnly: false,
  create: () => ({
    decide: (o) =>
      o.current === null
        ? { kind: "place", marketId: cheapestMarket(o), reason: "cheapest" }
        : { kind: "stay", reason: "never hops" },
  }),
};

describe("HoppingEngine", () => {
  it("loses the work since the last checkpoint when the host is reclaimed, then restarts", async () => {
    const config = simConfig({ interruptions: { kind: "bid", bidMultiple: 1 } });
    const { result } = await simulateZone(trace, scenario, config, ignoresNotices, {});
    // a runs from 67 s; notice at 3000 (price above the $1 bid), reclaimed at 3120; b acquired
    // 3120 + 67, then move 28 + restore 2: running at 3217.
    expect(result.notices).toBe(1);
    expect(result.revocations).toBe(1);
    expect(result.restarts).toBe(1);
    expect(result.lostWork).toBeCloseTo((10 * (3120 - 67)) / 3600, 12);
    expect(result.work).toBeCloseTo((10 * (7200 - 3217)) / 3600, 12);
    expect(result.downtimes).toEqual([3217 - 3120]);
    // a is reclaimed within its first hour: free; b from 3187 to the end.
    expect(result.costUsd).toBeCloseTo((0.6 * (7200 - 3187)) / 3600, 12);
    expect(result.timeline.map((e) => e.kind)).toEqual([
      "place",
      "running",
      "notice",
      "revoked",
      "restart",
      "running",
    ]);
  });

  it("rejects a decision for a market the policy may not choose", async () => {
    const wrong: PolicyDefinition = {
      ...ignoresNotices,
      create: () => ({ decide: () => ({ kind: "place", marketId: 99, reason: "no such market" }) }),
    };
    await expect(simulateZone(trace, scenario, simConfig(), wrong, {})).rejects.toThrow(HotspotError);
    await expect(simulateZone(trace, scenario, simConfig(), wrong, {})).rejects.toThrow(/no such market/);
  });

  it("ends a finite-work run when the work is done", async () => {
    const config = simConfig({ targetWork: 5 });
    const { result } = await simulateZone(trace, scenario, config, ignoresNotices, {});
    // 5 ECU-h at 10 ECU from 67 s: done at 67 + 1800.
    expect(result.finished).toBe(true);
    expect(result.end).toBeCloseTo(1867, 9);
    expect(result.work).toBeCloseTo(5, 12);
    expect(result.costUsd).toBeCloseTo((0.3 * 1800) / 3600, 12);
  });
});

/**
 * Places on the cheapest market, else stays; `until(now)`: the promise its stays carry (undefined:
 * none). Records when it was asked and which epochs the engine skipped instead.
 */
function scripted(until?: (now: number) => number, watch?: (o: Observation) => PriceWatch) {
  const asked: number[] = [];
  const skipped: [number, number, number][] = [];
  const definition: PolicyDefinition = {
    name: "scripted",
    summary: "test policy",
    params: [],
    inputs: [],
    simulationOnly: false,
    create: () => ({
      decide: (o) => {
        asked.push(o.now);
        const best = cheapestMarket(o);
        if (best !== o.current?.marketId) return { kind: "place", marketId: best, reason: "cheapest" };
        return until === undefined
          ? { kind: "stay", reason: "cheapest" }
          : { kind: "stay", reason: "cheapest", until: until(o.now), watch: watch?.(o) };
      },
      skipped: (from, count, interval) => void skipped.push([from, count, interval]),
    }),
  };
  return { definition, asked, skipped };
}

describe("HoppingEngine: a stay's promise (Decision.until)", () => {
  it("skips the epochs it covers until the next price change, with the same ledger", async () => {
    const plain = scripted();
    const hinted = scripted(() => Infinity);
    const expected = await simulateZone(trace, scenario, simConfig(), plain.definition, {});
    const run = await simulateZone(trace, scenario, simConfig(), hinted.definition, {});
    expect(run.result).toStrictEqual(expected.result);
    // Epochs 0, 300, …, 6900: 24 decisions either way.
    expect(run.result.decisions).toBe(24);
    expect(plain.asked).toHaveLength(24);
    // Placed at 0 (a start's stay would promise nothing); at 300 the stay covers 600…2700 (a.large's
    // price changes at 3000); at 3000 it hops to b.large, done by 3106 and its source terminated by
    // 3145; at 3300 the stay covers 3600…6900, the last epoch.
    expect(hinted.asked).toEqual([0, 300, 3000, 3300]);
    expect(hinted.skipped).toEqual([
      [600, 8, 300],
      [3600, 12, 300],
    ]);
    expect(plain.skipped).toEqual([]);
  });

  it("asks again at the promise's end and when the workload's level changes", async () => {
    const workload = new StepWorkload(10, Float64Array.of(-Infinity, 1800), Float64Array.of(1, 0.5));
    const config = simConfig({ workload });
    const plain = scripted();
    const hinted = scripted((now) => now + 1200);
    const expected = await simulateZone(trace, scenario, config, plain.definition, {});
    const run = await simulateZone(trace, scenario, config, hinted.definition, {});
    expect(run.result).toStrictEqual(expected.result);
    // Each stay covers the epochs before now + 1200: 300 covers 600…1200; 1500 nothing, the level
    // changes at 1800; 1800 covers 2100…2700, the price changes at 3000; after the hop, 3300, 4500
    // and 5700 cover the next three epochs each.
    expect(hinted.asked).toEqual([0, 300, 1500, 1800, 3000, 3300, 4500, 5700, 6900]);
    expect(hinted.skipped).toEqual([
      [600, 3, 300],
      [2100, 3, 300],
      [3600, 3, 300],
      [4800, 3, 300],
      [6000, 3, 300],
    ]);
  });

  it("with a watch, skips through the price changes it lets pass", async () => {
    // a.large the cheapest at $0.03 per work unit, b.large next at 0.06; b rises to 0.07 at 900 and a
    // to 0.035 at 1500 (both let pass), b falls to 0.04 at 2100 (at most the line), a jumps to 0.15 at
    // 3000 (above the line).
    const watchedTrace = handTrace(
      [
        [zone, "a.large", 0, 0.3],
        [zone, "b.large", 0, 0.6],
        [zone, "b.large", 900, 0.7],
        [zone, "a.large", 1500, 0.35],
        [zone, "b.large", 2100, 0.4],
        [zone, "a.large", 3000, 1.5],
      ],
      { start: 0, end: 7200 },
    );
    const watchedScenario = buildZoneScenario(watchedTrace, zone, handResolution(twoTypes));
    const divisors = new Float64Array(watchedScenario.markets.length).fill(10);
    // The stay's market stays the lowest below the next lowest price per work unit.
    const watch = (o: Observation): PriceWatch => {
      const c = o.current!.marketId;
      let line = Infinity;
      for (let id = 0; id < o.prices.length; id++) if (id !== c) line = Math.min(line, o.prices[id] / 10);
      return { market: -1, other: -1, lowest: c, ceiling: line, divisors, line };
    };
    const plain = scripted();
    const promised = scripted(() => Infinity);
    const watched = scripted(() => Infinity, watch);
    const expected = await simulateZone(watchedTrace, watchedScenario, simConfig(), plain.definition, {});
    const promisedRun = await simulateZone(
      watchedTrace,
      watchedScenario,
      simConfig(),
      promised.definition,
      {},
    );
    const run = await simulateZone(watchedTrace, watchedScenario, simConfig(), watched.definition, {});
    expect(promisedRun.result).toStrictEqual(expected.result);
    expect(run.result).toStrictEqual(expected.result);
    expect(run.eventsReplayed).toBe(expected.eventsReplayed);
    // Without a watch every price change ends the promise.
    expect(promised.asked).toEqual([0, 300, 900, 1500, 2100, 3000, 3300]);
    // With it, the stay at 300 covers 600…1800 (b at 0.04 ≤ 0.06 at 2100); the stay at 2100 (line 0.04)
    // covers 2400 and 2700 (a at 0.15 at 3000), where it hops to b.large; the stay at 3300 (line: a
    // on demand at 0.1) the rest.
    expect(watched.asked).toEqual([0, 300, 2100, 3000, 3300]);
    expect(watched.skipped).toEqual([
      [600, 5, 300],
      [2400, 2, 300],
      [3600, 12, 300],
    ]);
  });

  it("stops at the notice a bid crossing raises, with the same ledger", async () => {
    const config = simConfig({ interruptions: { kind: "bid", bidMultiple: 1 } });
    const plain = scripted();
    const hinted = scripted(() => Infinity);
    const expected = await simulateZone(trace, scenario, config, plain.definition, {});
    const run = await simulateZone(trace, scenario, config, hinted.definition, {});
    expect(run.result).toStrictEqual(expected.result);
    // a.large crosses the $1 bid at 3000: the notice (trigger "notice") moves the container at once,
    // and the next interval epoch (3300) is asked again.
    expect(run.result.notices).toBe(1);
    expect(hinted.asked).toEqual([0, 300, 3000, 3300]);
  });
});
