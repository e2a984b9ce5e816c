import { describe, expect, it } from "vitest";
import type { EngineConfig } from "../../src/engine/config.js";
import { HoppingEngine } from "../../src/engine/engine.js";
import { defaultMigrationModel } from "../../src/engine/migration-model.js";
import type { Observation } from "../../src/engine/types.js";
import { StepWorkload } from "../../src/engine/workload.js";
import type { Policy } from "../../src/engine/policy.js";
import { completes, ScriptedDriver, type Script } from "../support/scripted-driver.js";

const config: EngineConfig = {
  zone: "z",
  start: 0,
  end: 3600,
  initial: { marketId: 0, instanceStart: 0 },
  intervalSeconds: 600,
  billing: "per-second",
  memoryGiB: 1,
  demandWork: 10,
  workUnit: "ecu",
  workload: StepWorkload.constant(10, 1),
  targetWork: null,
  migrationModel: defaultMigrationModel,
};

interface Seen {
  readonly now: number;
  readonly trigger: Observation["trigger"];
  readonly current: number | undefined;
  readonly excluded: boolean;
}

const sawOf = (o: Observation): Seen => ({
  now: o.now,
  trigger: o.trigger,
  current: o.current?.marketId,
  excluded: o.excluded.has(1),
});

/** Hops to b.large at the first decision it may, unless excluded; records what it saw each time. */
function hopOnce(seen: Seen[]): Policy {
  return {
    decide(o) {
      seen.push(sawOf(o));
      if (o.current?.marketId === 0 && !o.excluded.has(1) && seen.length === 1)
        return { kind: "place", marketId: 1, reason: "cheaper" };
      return { kind: "stay", reason: "stay" };
    },
  };
}

describe("HoppingEngine, live semantics (scripted driver)", () => {
  it("asks the driver's learned estimate at every decision when the config gives one, else the model's means", async () => {
    // The driver "learns" from the hop it makes: after the restore the expected downtime is 9 s.
    let learnedDowntime = 40;
    const learns: Script = (command) => {
      if (command.kind === "restore") learnedDowntime = 9;
      return completes(command);
    };
    const estimates: number[] = [];
    const policy: Policy = {
      decide(o) {
        estimates.push(o.migration(1).downtimeSeconds);
        return o.current?.marketId === 0
          ? { kind: "place", marketId: 1, reason: "cheaper" }
          : { kind: "stay", reason: "stay" };
      },
    };
    const estimate = (target: "spot" | "on-demand") => ({
      acquireSeconds: target === "spot" ? 50 : 20,
      downtimeSeconds: learnedDowntime,
      terminateSeconds: 10,
    });
    await new HoppingEngine(
      { ...config, migrationEstimate: estimate },
      new ScriptedDriver(learns),
      policy,
    ).run();
    // At 0 before the hop; then every 600 s after it.
    expect(estimates).toEqual([40, 9, 9, 9, 9, 9]);
    const model: number[] = [];
    const records: Policy = {
      decide: (o) => (model.push(o.migration(1).downtimeSeconds), { kind: "stay", reason: "stay" }),
    };
    await new HoppingEngine(config, new ScriptedDriver(completes), records).run();
    // The paper's means: checkpoint 2 + 1 GiB at 10 Gbit/s + move 28 + restore 2.
    expect(model[0]).toBeCloseTo(2 + (8 * 2 ** 30) / 1e10 + 28 + 2, 12);
  });

  it("adopts a running container: consulted at start with trigger interval, billed and working from start", async () => {
    const seen: [number, Observation["trigger"], number | undefined][] = [];
    // An observation holds during `decide` only: keep copies.
    const stay: Policy = {
      decide: (o) => (seen.push([o.now, o.trigger, o.current?.marketId]), { kind: "stay", reason: "stay" }),
    };
    const driver = new ScriptedDriver(completes);
    const result = await new HoppingEngine(config, driver, stay).run();
    expect(seen).toEqual([0, 600, 1200, 1800, 2400, 3000].map((t) => [t, "interval", 0]));
    expect(driver.commands).toEqual([]);
    expect(result.instances).toEqual([{ marketId: 0, start: 0, end: 3600, endedBy: "user", costUsd: 0.36 }]);
    expect(result.work).toBeCloseTo(10, 12);
    expect(result.timeline.map((e) => e.kind)).toEqual(["running"]);
  });

  it("a hop the driver undid after the checkpoint: the source runs again, its downtime counted, the target billed", async () => {
    const aborts: Script = (command) =>
      command.kind === "checkpoint"
        ? {
            after: 5,
            event: {
              kind: "hop-aborted",
              migration: command.migration,
              reason: "target lost",
              targetEndedBy: "user",
              retry: false,
              containerStopped: true,
            },
          }
        : completes(command);
    const seen: Seen[] = [];
    const driver = new ScriptedDriver(aborts);
    const result = await new HoppingEngine(config, driver, hopOnce(seen)).run();
    expect(driver.commands).toEqual(["0 acquire", "60 checkpoint"]);
    expect(result.hops).toBe(0);
    expect(result.abortedHops).toBe(1);
    // Down from the acquire's end (60) to the abort (65).
    expect(result.downtimes).toEqual([5]);
    expect(result.work).toBeCloseTo((10 * (3600 - 5)) / 3600, 12);
    // b.large ($0.18/h) from 60 to 65 pays per-second billing's 60-second minimum.
    expect(result.instances).toEqual([
      { marketId: 0, start: 0, end: 3600, endedBy: "user", costUsd: 0.36 },
      { marketId: 1, start: 60, end: 65, endedBy: "user", costUsd: expect.closeTo(0.18 / 60, 12) },
    ]);
    expect(result.timeline.map((e) => `${e.time} ${e.kind}`)).toEqual([
      "0 running",
      "0 hop",
      "65 hop-aborted",
    ]);
    // Next decision on the grid, from the source.
    expect(seen[1]).toEqual({ now: 600, trigger: "interval", current: 0, excluded: false });
  });

  it("a hop undone while the container never stopped (a failed checkpoint): no downtime, no work lost", async () => {
    const aborts: Script = (command) =>
      command.kind === "checkpoint"
        ? {
            after: 5,
            event: {
              kind: "hop-aborted",
              migration: command.migration,
              reason: "checkpoint on the host failed",
              targetEndedBy: "user",
              retry: false,
              containerStopped: false,
            },
          }
        : completes(command);
    const driver = new ScriptedDriver(aborts);
    const result = await new HoppingEngine(config, driver, hopOnce([])).run();
    expect(result.abortedHops).toBe(1);
    expect(result.downtimes).toEqual([]);
    // 10 work units over the whole hour, the 5 s of the attempt included.
    expect(result.work).toBeCloseTo(10, 12);
    expect(result.instances[1]).toEqual({
      marketId: 1,
      start: 60,
      end: 65,
      endedBy: "user",
      costUsd: expect.closeTo(0.18 / 60, 12),
    });
  });

  it("an acquire failure with retry asks the policy again at once, the market now unavailable", async () => {
    const driver = new ScriptedDriver((command) => {
      if (command.kind !== "acquire") return completes(command);
      driver.unavailable.add(command.marketId);
      return {
        after: 30,
        event: { kind: "acquire-failed", instance: command.instance, reason: "no capacity", retry: true },
      };
    });
    const seen: Seen[] = [];
    const result = await new HoppingEngine(config, driver, hopOnce(seen)).run();
    expect(seen.map((o) => [o.now, o.excluded]).slice(0, 3)).toEqual([
      [0, false],
      [30, true],
      [600, true],
    ]);
    expect(result.abortedHops).toBe(1);
    expect(result.acquireFailures).toBe(1);
    expect(result.downtimes).toEqual([]);
    expect(result.work).toBeCloseTo(10, 12);
  });

  it("after a failed emergency hop the policy is asked again with the notice still the trigger", async () => {
    const seen: Seen[] = [];
    const triggers: Policy = {
      decide(o) {
        seen.push(sawOf(o));
        return o.trigger === "notice" && !o.excluded.has(1)
          ? { kind: "place", marketId: 1, reason: "away from the noticed server" }
          : { kind: "stay", reason: "stay" };
      },
    };
    const driver = new ScriptedDriver(
      (command) => {
        if (command.kind !== "acquire") return completes(command);
        driver.unavailable.add(1);
        return {
          after: 20,
          event: { kind: "acquire-failed", instance: command.instance, reason: "no capacity", retry: true },
        };
      },
      [[100, { kind: "notice", instance: 0, reclaimAt: 220, reason: "notice" }]],
    );
    await new HoppingEngine(config, driver, triggers).run();
    expect(seen.slice(0, 3)).toEqual([
      { now: 0, trigger: "interval", current: 0, excluded: false },
      { now: 100, trigger: "notice", current: 0, excluded: false },
      { now: 120, trigger: "notice", current: 0, excluded: true },
    ]);
  });

  it("a stop during a hop ends the run only once the hop and the source's termination completed", async () => {
    const stop = new AbortController();
    const driver = new ScriptedDriver((command) => {
      if (command.kind === "checkpoint") stop.abort();
      return completes(command);
    });
    const engine = new HoppingEngine({ ...config, end: Infinity }, driver, hopOnce([]));
    const result = await engine.run(stop.signal);
    expect(driver.commands).toEqual([
      "0 acquire",
      "60 checkpoint",
      "64 transfer",
      "64 move",
      "67 restore",
      "69 terminate",
    ]);
    expect(result.end).toBe(79);
    expect(result.hops).toBe(1);
    expect(result.downtimes).toEqual([9]);
    expect(result.instances.map((i) => [i.marketId, i.start, i.end])).toEqual([
      [0, 0, 79],
      [1, 60, 79],
    ]);
  });

  it("a snapshot mid-run counts the work so far and changes nothing", async () => {
    const snapshots: Array<[number, number]> = [];
    const driver = new ScriptedDriver(completes);
    const engine: HoppingEngine = new HoppingEngine(config, driver, hopOnce([]), (entry) => {
      if (entry.kind === "running" && entry.time > 0) {
        const s = engine.snapshot();
        snapshots.push([s.work, s.downtimes.length]);
      }
    });
    const result = await engine.run();
    // Running again at 69 after 9 s down: 60 s of work before the hop.
    expect(snapshots).toEqual([[(10 * 60) / 3600, 1]]);
    expect(result.work).toBeCloseTo((10 * (3600 - 9)) / 3600, 12);
  });
});
