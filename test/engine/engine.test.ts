import { describe, expect, it } from "vitest";
import { buildZoneScenario } from "../../src/drivers/sim/markets.js";
import { simulateZone } from "../../src/drivers/sim/run.js";
import { HotspotError } from "../../src/errors.js";
import { cheapestMarket } from "../../src/engine/candidates.js";
import type { EngineConfig } from "../../src/engine/config.js";
import { HoppingEngine, movesContainer } from "../../src/engine/engine.js";
import { defaultMigrationModel } from "../../src/engine/migration-model.js";
import type { Policy, PolicyDefinition } from "../../src/engine/policy.js";
import type { EngineResult } from "../../src/engine/result.js";
import type { Observation, PriceWatch } from "../../src/engine/types.js";
import { StepWorkload } from "../../src/engine/workload.js";
import { handResolution, handTrace, simConfig, twoTypes } from "../drivers/sim/fixtures.js";
import { handMarkets, handObservation } from "../support/hand-observation.js";
import { completes, ScriptedDriver } from "../support/scripted-driver.js";

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

/** Four markets, 10 work units and 8 GiB each: spot a $0.36, b $0.18, c $0.27, on-demand d $0.50. */
class HandDriver extends ScriptedDriver {
  override readonly markets = handMarkets([
    ["a.large", "spot", 8, 10, 0.5],
    ["b.large", "spot", 8, 10, 0.5],
    ["c.large", "spot", 8, 10, 0.5],
    ["d.large", "on-demand", 8, 10, 0.5],
  ]);
  override readonly prices = Float64Array.of(0.36, 0.18, 0.27, 0.5);
}

/** Decisions every 600 s over one hour, per-second billing, a constant full load of 10 work units. */
const hour: EngineConfig = {
  zone: "us-east-1a",
  start: 0,
  end: 3600,
  intervalSeconds: 600,
  billing: "per-second",
  memoryGiB: 8,
  demandWork: 10,
  workUnit: "ecu",
  workload: StepWorkload.constant(10, 1),
  targetWork: null,
  migrationModel: defaultMigrationModel,
};

/** What a policy saw at one decision, copied (the engine refills its one observation). */
interface Seen {
  readonly now: number;
  readonly trigger: Observation["trigger"];
  readonly current: number | null;
  readonly excluded: readonly number[];
  readonly utilisation: number;
  readonly paidTimeLeft: number;
}

/** Places on `plan[now]` when the plan names a market for that time, else stays; records what it saw. */
function planned(plan: Readonly<Record<number, number>>, seen: Seen[] = []): Policy {
  return {
    decide(o) {
      seen.push({
        now: o.now,
        trigger: o.trigger,
        current: o.current?.marketId ?? null,
        excluded: [...o.excluded],
        utilisation: o.workload.utilisation,
        paidTimeLeft: o.billing.paidTimeLeft,
      });
      const target = plan[o.now];
      return target === undefined
        ? { kind: "stay", reason: "as planned" }
        : { kind: "place", marketId: target, reason: "as planned" };
    },
  };
}

const at = (result: EngineResult) => result.timeline.map((e) => `${e.time} ${e.kind} ${e.marketId}`);

const instance = (marketId: number, start: number, end: number, costUsd: number) => ({
  marketId,
  start,
  end,
  endedBy: "user",
  costUsd: expect.closeTo(costUsd, 12),
});

describe("HoppingEngine with the scripted driver: hand-computed ledgers", () => {
  it("first placement on b at 0: acquired at 60, billed and working 3540 s: $0.177 and 9.8333 work-unit-hours, no downtime", async () => {
    const seen: Seen[] = [];
    const driver = new HandDriver(completes);
    const result = await new HoppingEngine(hour, driver, planned({ 0: 1 }, seen)).run();
    expect(seen[0]).toMatchObject({ now: 0, trigger: "start", current: null });
    expect(seen[1]).toMatchObject({ now: 600, trigger: "interval", current: 1 });
    // A start needs no checkpoint, move or restore: the container starts fresh on the new instance.
    expect(driver.commands).toEqual(["0 acquire"]);
    expect(result.instances).toEqual([instance(1, 60, 3600, 0.177)]);
    expect(result.costUsd).toBeCloseTo(0.177, 12);
    expect(result.work).toBeCloseTo((10 * 3540) / 3600, 12);
    expect(result.downtimes).toEqual([]);
    expect([result.hops, result.restarts, result.decisions]).toEqual([0, 0, 6]);
    expect(at(result)).toEqual(["0 place 1", "60 running 1"]);
    // The baseline: on-demand d ($0.50/h) for the whole hour, delivering the full 10.
    expect(result.onDemand).toEqual({ marketId: 3, costUsd: expect.closeTo(0.5, 12), work: 10 });
  });

  it("a hop a → b at 600: acquire, checkpoint, transfer, move, restore, terminate; 9 s down, 19 s billed twice, $0.2089", async () => {
    const driver = new HandDriver(completes);
    const result = await new HoppingEngine(hour, driver, planned({ 0: 0, 600: 1 })).run();
    // b acquired at 660 (the container stops), checkpoint 4 s, transfer 0, move 3, restore 2: running
    // on b at 669; a terminated then, gone at 679.
    expect(driver.commands).toEqual([
      "0 acquire",
      "600 acquire",
      "660 checkpoint",
      "664 transfer",
      "664 move",
      "667 restore",
      "669 terminate",
    ]);
    expect(result.downtimes).toEqual([9]);
    // a from 60 to 679: 619 s × $0.36/h = $0.0619; b from 660: 2940 s × $0.18/h = $0.147. Both are
    // billed over [660, 679], the hop's overlap: a's share of it is 19 × 0.36 / 3600 = $0.0019.
    expect(result.instances).toEqual([instance(0, 60, 679, 0.0619), instance(1, 660, 3600, 0.147)]);
    expect(result.costUsd).toBeCloseTo(0.2089, 12);
    // Work on a over [60, 660) and on b over [669, 3600): 600 + 2931 s at 10 units.
    expect(result.work).toBeCloseTo((10 * 3531) / 3600, 12);
    expect(result.lostWork).toBe(0);
    expect([result.hops, result.decisions]).toEqual([1, 6]);
    expect(at(result)).toEqual(["0 place 0", "60 running 0", "600 hop 1", "669 running 1"]);
  });

  it("the same 90-minute run billed hourly costs $0.72 (a: 1 h × $0.36, b: 2 h × $0.18), per second $0.2989", async () => {
    const run = async (billing: EngineConfig["billing"]) => {
      const seen: Seen[] = [];
      const driver = new HandDriver(completes);
      const result = await new HoppingEngine(
        { ...hour, end: 5400, billing },
        driver,
        planned({ 0: 0, 600: 1 }, seen),
      ).run();
      return { result, commands: driver.commands, seen };
    };
    const perSecond = await run("per-second");
    const hourly = await run("hourly");
    // Billing changes what is charged, never what happens.
    expect(hourly.commands).toEqual(perSecond.commands);
    expect(hourly.result.timeline).toEqual(perSecond.result.timeline);
    for (const { result } of [perSecond, hourly]) {
      expect(result.downtimes).toEqual([9]);
      // [60, 660) on a and [669, 5400) on b: 5331 s at 10 units.
      expect(result.work).toBeCloseTo((10 * 5331) / 3600, 12);
      expect(result.decisions).toBe(9);
    }
    // Per second: a 619 s × 0.36 = $0.0619, b 4740 s × 0.18 = $0.237; on-demand d 1.5 h × 0.5 = $0.75.
    expect(perSecond.result.instances).toEqual([instance(0, 60, 679, 0.0619), instance(1, 660, 5400, 0.237)]);
    expect(perSecond.result.costUsd).toBeCloseTo(0.2989, 12);
    expect(perSecond.result.onDemand?.costUsd).toBeCloseTo(0.75, 12);
    // Hourly, each started hour at the price at its start: a's 619 s are one hour, b's 4740 s two;
    // on-demand d's 90 minutes two hours, $1.00.
    expect(hourly.result.instances).toEqual([instance(0, 60, 679, 0.36), instance(1, 660, 5400, 0.36)]);
    expect(hourly.result.costUsd).toBeCloseTo(0.72, 12);
    expect(hourly.result.onDemand?.costUsd).toBeCloseTo(1, 12);
    // At 600, a (running since 60) has 3600 − 540 = 3060 s paid hourly; per second, its 60 s minimum is spent.
    expect(hourly.seen[1]).toMatchObject({ now: 600, paidTimeLeft: 3060 });
    expect(perSecond.seen[1]).toMatchObject({ now: 600, paidTimeLeft: 0 });
  });

  it("a notice at 1000 (reclaimed at 1120) forces a hop, here to a fresh server of the same market; nothing lost, $0.3619", async () => {
    const notices: Observation[] = [];
    const sameMarket: Policy = {
      decide(o) {
        if (o.trigger !== "notice") return { kind: "stay", reason: "calm" };
        notices.push({
          ...o,
          workload: { ...o.workload },
          billing: { ...o.billing },
          prices: o.prices.slice(),
        });
        return { kind: "place", marketId: o.current!.marketId, reason: "leave the doomed server" };
      },
    };
    const driver = new HandDriver(completes, [
      [1000, { kind: "notice", instance: 0, reclaimAt: 1120, reason: "spot interruption" }],
      [1120, { kind: "revoked", instance: 0 }],
    ]);
    const result = await new HoppingEngine(
      { ...hour, initial: { marketId: 0, instanceStart: 0 } },
      driver,
      sameMarket,
    ).run();
    // What the engine showed the policy is the hand observation of that moment (history and the
    // migration estimate aside: the engine's come from the driver and the model).
    const hand = handObservation(driver.markets, [0.36, 0.18, 0.27, 0.5], { current: 0, trigger: "notice" });
    expect(notices).toHaveLength(1);
    expect(notices[0]).toEqual({ ...hand, history: expect.anything(), migration: expect.any(Function) });
    // On a notice, the same market is a hop: a new instance (1) of a.
    expect(driver.commands).toEqual([
      "1000 acquire",
      "1060 checkpoint",
      "1064 transfer",
      "1064 move",
      "1067 restore",
      "1069 terminate",
    ]);
    // The old server is terminated at 1079, before its reclamation at 1120: that comes too late to count.
    // Old: 1079 s × $0.36/h = $0.1079; new from 1060: 2540 s = $0.254.
    expect(result.instances).toEqual([instance(0, 0, 1079, 0.1079), instance(0, 1060, 3600, 0.254)]);
    expect(result.costUsd).toBeCloseTo(0.3619, 12);
    expect(result.downtimes).toEqual([9]);
    expect(result.work).toBeCloseTo((10 * 3591) / 3600, 12);
    expect([result.notices, result.hops, result.revocations, result.lostWork]).toEqual([1, 1, 0, 0]);
    // Six interval epochs and the notice.
    expect(result.decisions).toBe(7);
    expect(at(result)).toEqual(["0 running 0", "1000 notice 0", "1000 hop 0", "1069 running 0"]);
  });

  it("a first placement whose acquire fails at 30 asks again at once (trigger start); a from 90 costs $0.351", async () => {
    const seen: Seen[] = [];
    const driver = new HandDriver((command) => {
      if (command.kind !== "acquire" || command.marketId !== 1) return completes(command);
      driver.unavailable.add(1);
      return {
        after: 30,
        event: { kind: "acquire-failed", instance: command.instance, reason: "no capacity" },
      };
    });
    const policy = planned({ 0: 1, 30: 0 }, seen);
    const result = await new HoppingEngine(hour, driver, policy).run();
    expect(seen.slice(0, 2)).toEqual([
      { now: 0, trigger: "start", current: null, excluded: [], utilisation: 1, paidTimeLeft: 0 },
      { now: 30, trigger: "start", current: null, excluded: [1], utilisation: 1, paidTimeLeft: 0 },
    ]);
    expect(driver.commands).toEqual(["0 acquire", "30 acquire"]);
    // b never ran: not billed. a from 90: 3510 s × $0.36/h.
    expect(result.instances).toEqual([instance(0, 90, 3600, 0.351)]);
    expect(result.work).toBeCloseTo(9.75, 12);
    expect(result.downtimes).toEqual([]);
    expect([result.acquireFailures, result.abortedHops, result.restarts]).toEqual([1, 0, 0]);
    // 0, the retry at 30, and the epochs 600 … 3000.
    expect(result.decisions).toBe(7);
    expect(at(result)).toEqual(["0 place 1", "30 acquire-failed 1", "30 place 0", "90 running 0"]);
  });

  it("a hop aborted at 670 with retry asks again at once; the next hop to c completes: downtimes [10, 9], $0.29315", async () => {
    const seen: Seen[] = [];
    const driver = new HandDriver((command) => {
      if (command.kind !== "transfer" || command.migration !== 0) return completes(command);
      driver.unavailable.add(1);
      return {
        after: 6,
        event: {
          kind: "hop-aborted",
          migration: command.migration,
          reason: "target unreachable",
          targetEndedBy: "user",
          retry: true,
          containerStopped: true,
        },
      };
    });
    const config = { ...hour, initial: { marketId: 0, instanceStart: 0 } };
    const result = await new HoppingEngine(config, driver, planned({ 600: 1, 670: 2 }, seen)).run();
    expect(seen[2]).toMatchObject({ now: 670, trigger: "interval", current: 0, excluded: [1] });
    expect(driver.commands).toEqual([
      "600 acquire",
      "660 checkpoint",
      "664 transfer",
      "670 acquire",
      "730 checkpoint",
      "734 transfer",
      "734 move",
      "737 restore",
      "739 terminate",
    ]);
    // Down 660 → 670 (aborted after the checkpoint), then 730 → 739.
    expect(result.downtimes).toEqual([10, 9]);
    // a: 749 s × 0.36 = $0.0749; b: 10 s, billed the 60 s minimum × 0.18 = $0.003; c: 2870 s × 0.27 = $0.21525.
    expect(result.instances).toEqual([
      instance(0, 0, 749, 0.0749),
      instance(1, 660, 670, 0.003),
      instance(2, 730, 3600, 0.21525),
    ]);
    expect(result.costUsd).toBeCloseTo(0.29315, 12);
    // Work on a over [0, 660) and [670, 730), on c over [739, 3600): 3581 s.
    expect(result.work).toBeCloseTo((10 * 3581) / 3600, 12);
    expect([result.hops, result.abortedHops, result.decisions]).toEqual([1, 1, 7]);
    expect(at(result)).toEqual([
      "0 running 0",
      "600 hop 1",
      "670 hop-aborted 1",
      "670 hop 2",
      "739 running 2",
    ]);
  });

  it("handed-off during a hop's transfer ends an open-ended run at 669: 9 s down so far, no hop counted, $0.0699", async () => {
    const driver = new HandDriver((command) =>
      command.kind === "transfer" ? { after: 5, event: { kind: "handed-off" } } : completes(command),
    );
    const config = { ...hour, end: Infinity, initial: { marketId: 0, instanceStart: 0 } };
    const result = await new HoppingEngine(config, driver, planned({ 600: 1 })).run();
    // The target's controller finishes the hop: this run sends nothing after the transfer.
    expect(driver.commands).toEqual(["600 acquire", "660 checkpoint", "664 transfer"]);
    expect([result.end, result.finished, result.hops, result.decisions]).toEqual([669, true, 0, 2]);
    expect(result.downtimes).toEqual([9]);
    // Both still held at 669: a 669 s × 0.36 = $0.0669; b 9 s, billed 60 s × 0.18 = $0.003.
    expect(result.instances).toEqual([instance(0, 0, 669, 0.0669), instance(1, 660, 669, 0.003)]);
    expect(result.costUsd).toBeCloseTo(0.0699, 12);
    // Work only before the container stopped at 660.
    expect(result.work).toBeCloseTo((10 * 660) / 3600, 12);
    expect(at(result)).toEqual(["0 running 0", "600 hop 1"]);
  });

  it("a workload step to half load at 1800 with a hop then: 7 work-unit-hours done at 3249, not at the stale 3240", async () => {
    const seen: Seen[] = [];
    const config: EngineConfig = {
      ...hour,
      initial: { marketId: 0, instanceStart: 0 },
      workload: new StepWorkload(10, Float64Array.of(-Infinity, 1800), Float64Array.of(1, 0.5)),
      targetWork: 7,
    };
    const driver = new HandDriver(completes);
    const result = await new HoppingEngine(config, driver, planned({ 1800: 1 }, seen)).run();
    expect(seen.map((s) => [s.now, s.utilisation])).toEqual([
      [0, 1],
      [600, 1],
      [1200, 1],
      [1800, 0.5],
      [2400, 0.5],
      [3000, 0.5],
    ]);
    // Without the hop, 5 by 1800 and 2 more at 5 units/h: done at 3240. With it: 5 + 60 s × 5/h by
    // 1860 (b acquired, container down), running on b from 1869; the 1.91667 left at 5/h take 1380 s.
    expect(result.finished).toBe(true);
    expect(result.end).toBeCloseTo(3249, 9);
    expect(result.work).toBeCloseTo(7, 12);
    expect(result.downtimes).toEqual([9]);
    // a: 1879 s × 0.36 = $0.1879; b: 1389 s × 0.18 = $0.06945.
    expect(result.instances).toEqual([
      instance(0, 0, 1879, 0.1879),
      { ...instance(1, 1860, 3249, 0.06945), end: expect.closeTo(3249, 9) },
    ]);
    expect(result.costUsd).toBeCloseTo(0.25735, 12);
  });

  it("refuses a driver event scheduled before the engine's time (the EventSink contract)", async () => {
    const driver = new HandDriver((command) => ({ ...completes(command)!, after: -1 }));
    const engine = new HoppingEngine(
      { ...hour, initial: { marketId: 0, instanceStart: 0 } },
      driver,
      planned({ 600: 1 }),
    );
    await expect(engine.run()).rejects.toThrow(
      new RangeError("event acquired scheduled at 599, before the engine's time 600"),
    );
  });
});

describe("movesContainer: what a placement decision does (the engine's rule, the live log's too)", () => {
  it("moves to another market, and on a notice also to a fresh server of the same market", () => {
    expect(movesContainer(3, 5, "interval")).toBe(true);
    expect(movesContainer(3, 3, "interval")).toBe(false);
    expect(movesContainer(3, 3, "notice")).toBe(true);
    // No container placed yet (-1): any placement moves it.
    expect(movesContainer(-1, 0, "start")).toBe(true);
  });
});
