import { describe, expect, it } from "vitest";
import { buildZoneScenario } from "../../src/drivers/sim/markets.js";
import { simulateZone, type SimConfig } from "../../src/drivers/sim/run.js";
import { StepWorkload } from "../../src/engine/workload.js";
import type { Observation } from "../../src/engine/types.js";
import { policies, resolveParams } from "../../src/policies/index.js";
import { AscendingOrder, ChangeReader } from "../../src/policies/ranking.js";
import type { PolicyDefinition } from "../../src/engine/policy.js";
import type { Trace } from "../../src/traces/types.js";
import { Random } from "../../src/util/random.js";
import { handResolution, handTrace, simConfig, type HandType } from "../drivers/sim/fixtures.js";

const zone = "us-east-1a";

describe("AscendingOrder", () => {
  it("keeps ids sorted by (key, id) under random updates, NaN last, as a fresh sort would", () => {
    const random = new Random(7);
    const count = 37;
    const order = new AscendingOrder(count);
    const keys = new Float64Array(count).fill(Infinity);
    for (let step = 0; step < 3000; step++) {
      const id = random.integer(0, count - 1);
      // Few distinct keys, so ties between ids are common.
      const roll = random.next();
      const key = roll < 0.05 ? NaN : roll < 0.1 ? Infinity : random.integer(0, 9) / 4;
      order.set(id, key);
      keys[id] = Number.isNaN(key) ? Infinity : key;
      if (step % 500 === 499) order.assign((i) => keys[i]);
      const expected = Array.from({ length: count }, (_, i) => i).sort((a, b) => keys[a] - keys[b] || a - b);
      expect(Array.from(order.order)).toEqual(expected);
    }
  });
});

describe("ChangeReader", () => {
  const markets = Array.from({ length: 4 }, (_, id) => ({ id }));
  const view = (log: number[] | undefined) =>
    ({
      markets,
      history: {
        windowSeconds: 0,
        changes: () => 0,
        meanTimeToChangeOfCheapest: () => Infinity,
        changeLog: log === undefined ? undefined : { length: log.length, marketAt: (k: number) => log[k] },
      },
    }) as unknown as Observation;
  const collected = (reader: ChangeReader, observation: Observation): number[] | -1 => {
    const count = reader.collect(observation);
    return count < 0 ? -1 : Array.from(reader.changed.subarray(0, count));
  };

  it("asks for a full read first, on a new view, without a log and after as many changes as markets", () => {
    const reader = new ChangeReader();
    const log = [3, 1];
    const a = view(log);
    expect(collected(reader, a)).toBe(-1);
    log.push(2, 3, 2);
    (a.history.changeLog as { length: number }).length = 5;
    // The entries since the last read, each market once.
    expect(collected(reader, a)).toEqual([2, 3]);
    expect(collected(reader, a)).toEqual([]);
    log.push(0, 1, 2, 3);
    (a.history.changeLog as { length: number }).length = 9;
    expect(collected(reader, a)).toBe(-1);
    expect(collected(reader, view([3, 1, 4, 1, 5]))).toBe(-1);
    const none = view(undefined);
    expect(collected(reader, none)).toBe(-1);
    expect(collected(reader, none)).toBe(-1);
  });
});

const types: readonly HandType[] = [
  { type: "a.large", memoryGiB: 8, work: 8, onDemand: 0.4 },
  { type: "b.xlarge", memoryGiB: 16, work: 16, onDemand: 0.8 },
  { type: "c.large", memoryGiB: 8, work: 6, onDemand: 0.35 },
  { type: "d.small", memoryGiB: 4, work: 4, onDemand: 0.1 },
  { type: "e.2xlarge", memoryGiB: 32, work: 32, onDemand: 1.5 },
  { type: "f.medium", memoryGiB: 8, work: 3, onDemand: 0.12 },
];

/** Prices stepping at random between 5% and 150% of on-demand, often to equal values (ties). */
function randomTrace(seed: number, hours: number): Trace {
  const random = new Random(seed);
  const rows: [string, string, number, number][] = [];
  for (const t of types) {
    const times = [
      0,
      ...Array.from({ length: random.integer(0, hours * 4) }, () => random.uniform(0, hours * 3600)),
    ];
    for (const time of new Set(times.map((x) => Math.round(x)))) {
      rows.push([zone, t.type, time, Math.round(t.onDemand * random.uniform(0.05, 1.5) * 20) / 20]);
    }
  }
  return handTrace(rows, { start: 0, end: hours * 3600 });
}

/** The same policy, but every observation's look-back view hides its change log: a full re-read each time. */
function rereadingEveryDecision(definition: PolicyDefinition): PolicyDefinition {
  return {
    ...definition,
    create(params, context) {
      const policy = definition.create(params, context);
      return {
        decide: (observation) =>
          policy.decide({
            ...observation,
            history: {
              windowSeconds: observation.history.windowSeconds,
              changes: (id) => observation.history.changes(id),
              meanTimeToChangeOfCheapest: () => observation.history.meanTimeToChangeOfCheapest(),
            },
          }),
      };
    },
  };
}

describe("incremental rankings of greedy and hotspot", () => {
  const configs: Record<string, Partial<SimConfig>> = {
    "per-second, constant load": {},
    "hourly, bid interruptions": { billing: "hourly", interruptions: { kind: "bid", bidMultiple: 1 } },
    "a load that changes every 40 minutes": {
      workload: new StepWorkload(
        10,
        Float64Array.from({ length: 200 }, (_, i) => i * 2400),
        Float64Array.from({ length: 200 }, (_, i) => [1, 0.3, 0.7, 0.05][i % 4]),
      ),
    },
  };
  for (const [label, overrides] of Object.entries(configs)) {
    it(`decide exactly as when re-reading every market at every decision: ${label}`, async () => {
      for (let seed = 1; seed <= 6; seed++) {
        const trace = randomTrace(seed, 96);
        const scenario = buildZoneScenario(trace, zone, handResolution(types));
        const config = simConfig(overrides);
        for (const name of ["greedy", "hotspot"] as const) {
          const definition = policies[name];
          const params = resolveParams(definition, {});
          const incremental = await simulateZone(trace, scenario, config, definition, params);
          const reread = await simulateZone(
            trace,
            scenario,
            config,
            rereadingEveryDecision(definition),
            params,
          );
          expect(incremental.result.decisions).toBeGreaterThan(1000);
          expect(incremental.result.timeline).toEqual(reread.result.timeline);
          expect(incremental.result.costUsd).toBe(reread.result.costUsd);
        }
      }
    });
  }
});
