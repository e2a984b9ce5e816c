import { describe, expect, it } from "vitest";
import { builtinCatalog } from "../../src/catalog/catalog.js";
import { resolveTypes } from "../../src/catalog/work-unit.js";
import { buildZoneScenario } from "../../src/drivers/sim/markets.js";
import { loadTrace } from "../../src/traces/load.js";
import { simulateZone, type SimConfig } from "../../src/drivers/sim/run.js";
import {
  instantMigrationModel,
  migrationEstimate,
  type MigrationModelConfig,
} from "../../src/engine/migration-model.js";
import { StepWorkload } from "../../src/engine/workload.js";
import { policies, resolveParams } from "../../src/policies/index.js";
import { createOptimalPolicy, optimalPolicy } from "../../src/policies/optimal.js";
import { planRun } from "../../src/policies/optimal/plan.js";
import type { PolicyContext, PolicyDefinition } from "../../src/engine/policy.js";
import type { Trace } from "../../src/traces/types.js";
import { Random } from "../../src/util/random.js";
import type { RecordedAvailability } from "../../src/drivers/sim/interruptions.js";
import { handResolution, handTrace, simConfig, type HandType } from "../drivers/sim/fixtures.js";
import { describeWithTraces, sharedTrace } from "../support/shared-traces.js";

const zone = "us-east-1a";

const types: readonly HandType[] = [
  { type: "a.large", memoryGiB: 8, work: 8, onDemand: 0.4 },
  { type: "b.xlarge", memoryGiB: 16, work: 16, onDemand: 0.8 },
  { type: "c.large", memoryGiB: 8, work: 6, onDemand: 0.35 },
  { type: "d.small", memoryGiB: 4, work: 4, onDemand: 0.1 },
];

/**
 * A random trace: every type starts priced at 0 except sometimes one that appears later; prices step
 * at random times between 5% and 150% of on-demand (above on-demand too, as in the bidding era).
 */
function randomTrace(seed: number, hours: number): Trace {
  const random = new Random(seed);
  const rows: [string, string, number, number][] = [];
  const late = random.integer(0, types.length);
  for (const [index, t] of types.entries()) {
    const first = index === late ? random.uniform(0, hours * 1800) : 0;
    const changes = random.integer(0, hours * 3);
    const times = [first, ...Array.from({ length: changes }, () => random.uniform(first, hours * 3600))];
    for (const time of new Set(times.map((x) => Math.round(x)))) {
      rows.push([zone, t.type, time, Math.round(t.onDemand * random.uniform(0.05, 1.5) * 10000) / 10000]);
    }
  }
  return handTrace(rows, { start: 0, end: hours * 3600 });
}

async function costOf(
  trace: Trace,
  definition: PolicyDefinition,
  config: SimConfig,
  params: Record<string, number> = {},
) {
  const scenario = buildZoneScenario(trace, zone, handResolution(types));
  const run = await simulateZone(trace, scenario, config, definition, resolveParams(definition, params));
  return run.result;
}

/** What a results document records of one run: the ledger and the price changes replayed. */
async function recordOf(
  trace: Trace,
  definition: PolicyDefinition,
  config: SimConfig,
  params: Record<string, number> = {},
) {
  const scenario = buildZoneScenario(trace, zone, handResolution(types));
  const run = await simulateZone(trace, scenario, config, definition, resolveParams(definition, params));
  return { result: run.result, eventsReplayed: run.eventsReplayed };
}

/** The context `simulateZone` gives a simulation-only policy. */
function contextOf(trace: Trace, config: SimConfig): PolicyContext {
  const scenario = buildZoneScenario(trace, zone, handResolution(types));
  return {
    markets: scenario.markets,
    billing: config.billing,
    start: trace.window.start!,
    end: trace.window.end!,
    intervalSeconds: config.intervalSeconds,
    memoryGiB: config.memoryGiB,
    demandWork: config.demandWork,
    utilisation: config.workload.levelAt(trace.window.start!),
    migration: (_from, to) =>
      migrationEstimate(config.migrationModel, config.memoryGiB, scenario.markets[to].lifecycle),
    inputs: {},
    fullTrace: { paths: scenario.paths },
  };
}

const everyPolicy = Object.values(policies);
const others = everyPolicy.filter((definition) => definition.name !== "optimal");

interface Setting {
  readonly label: string;
  readonly config: Partial<SimConfig>;
  /** Fewer seeds where the DP is large (60 phases per hour). */
  readonly seeds?: number;
}

// Durations longer than an epoch (60 s interval, 67 s spot acquire), zero durations, hourly phases of
// 900 s epochs, and a workload that does not fill the bigger servers.
// Acquire 60 s, downtime 30 s, terminate 40 s: with 30 s and 60 s intervals, placements and hops end
// exactly on ticks, where the engine's queue order decides whether that tick consults the policy.
const tickAligned: MigrationModelConfig = {
  acquireSpot: { min: 60, max: 60, mean: 60 },
  acquireOnDemand: { min: 60, max: 60, mean: 60 },
  checkpoint: { min: 0, max: 0, mean: 0 },
  transfer: "network",
  networkGbitPerSecond: Infinity,
  ebsGiBPerSecond: Infinity,
  diskNetworkMove: { min: 30, max: 30, mean: 30 },
  restore: { min: 0, max: 0, mean: 0 },
  terminate: { min: 40, max: 40, mean: 40 },
};

const settings: readonly Setting[] = [
  { label: "per-second, paper durations", config: { billing: "per-second" } },
  { label: "hourly, paper durations", config: { billing: "hourly" } },
  { label: "per-second, 60 s interval", config: { billing: "per-second", intervalSeconds: 60 } },
  { label: "hourly, 900 s interval", config: { billing: "hourly", intervalSeconds: 900 } },
  { label: "hourly, 60 s interval", config: { billing: "hourly", intervalSeconds: 60 }, seeds: 4 },
  {
    label: "per-second, instant hops",
    config: { billing: "per-second", migrationModel: instantMigrationModel },
  },
  { label: "hourly, instant hops", config: { billing: "hourly", migrationModel: instantMigrationModel } },
  {
    label: "per-second, 30 s interval, hops ending on ticks",
    config: { billing: "per-second", intervalSeconds: 30, migrationModel: tickAligned },
    seeds: 8,
  },
  {
    label: "per-second, 60 s interval, hops ending on ticks",
    config: { billing: "per-second", intervalSeconds: 60, migrationModel: tickAligned },
    seeds: 8,
  },
  {
    label: "per-second, half load",
    config: { billing: "per-second", demandWork: 12, workload: StepWorkload.constant(12, 0.5) },
  },
];

const SEEDS = 25;

describe("law: the offline optimum is a lower bound (mean durations, no interruptions, open-ended, constant load)", () => {
  for (const { label, config: overrides, seeds = SEEDS } of settings) {
    it(`charges exactly its plan and no policy has a lower USD per work-unit-hour: ${label}, ${seeds} seeds`, async () => {
      const config = simConfig({ memoryGiB: 8, demandWork: 8, ...overrides });
      for (let seed = 1; seed <= seeds; seed++) {
        const trace = randomTrace(seed, 8);
        const optimal = await costOf(trace, optimalPolicy, config);
        const plan = planRun(contextOf(trace, config), "usd-per-work");
        expect(optimal.costUsd, `seed ${seed}: plan cost`).toBeCloseTo(plan.costUsd, 9);
        expect(optimal.work, `seed ${seed}: plan work`).toBeCloseTo(plan.work, 9);
        const bound = optimal.costUsd / optimal.work;
        for (const definition of others) {
          const result = await costOf(trace, definition, config);
          expect(bound, `seed ${seed}: ${definition.name}`).toBeLessThanOrEqual(
            (result.costUsd / result.work) * (1 + 1e-12),
          );
        }
      }
    });
  }

  it(`with usdOnly, charges exactly its plan and no policy spends less: ${SEEDS} seeds, both billings`, async () => {
    for (const billing of ["per-second", "hourly"] as const) {
      const config = simConfig({ billing, memoryGiB: 8, demandWork: 8 });
      for (let seed = 1; seed <= SEEDS; seed++) {
        const trace = randomTrace(seed, 8);
        const optimal = await costOf(trace, optimalPolicy, config, { usdOnly: 1 });
        expect(optimal.costUsd, `seed ${seed}`).toBeCloseTo(
          planRun(contextOf(trace, config), "usd").costUsd,
          9,
        );
        for (const definition of others) {
          const result = await costOf(trace, definition, config);
          expect(optimal.costUsd, `seed ${seed}: ${definition.name}`).toBeLessThanOrEqual(
            result.costUsd + 1e-9,
          );
        }
      }
    }
  });
});

const spotTraces = sharedTrace("spot/");

/** The optimum told the bids (the PolicyContext does not carry them yet). */
function optimalWithBids(bidMultiple: number): PolicyDefinition {
  return {
    ...optimalPolicy,
    create: (params, context) =>
      createOptimalPolicy(
        params.usdOnly ? "usd" : "usd-per-work",
        context,
        Float64Array.from(context.markets, (m) =>
          m.lifecycle === "spot" ? bidMultiple * m.onDemandUsd : Infinity,
        ),
      ),
  };
}

describe("law under bid interruptions (bid = on-demand price, prices up to 1.5× it), optimum told the bids", () => {
  for (const billing of ["per-second", "hourly"] as const) {
    it(`is never interrupted, charges exactly its plan, and beats every policy that was not interrupted: ${billing}`, async () => {
      const config = simConfig({
        billing,
        memoryGiB: 8,
        demandWork: 8,
        interruptions: { kind: "bid", bidMultiple: 1 },
      });
      const definition = optimalWithBids(1);
      let compared = 0;
      for (let seed = 1; seed <= SEEDS; seed++) {
        const trace = randomTrace(seed, 8);
        const optimal = await costOf(trace, definition, config);
        expect(optimal.notices + optimal.revocations + optimal.acquireFailures, `seed ${seed}`).toBe(0);
        const bids = Float64Array.from(contextOf(trace, config).markets, (m) =>
          m.lifecycle === "spot" ? m.onDemandUsd : Infinity,
        );
        const plan = planRun(contextOf(trace, config), "usd-per-work", bids);
        expect(optimal.costUsd, `seed ${seed}: plan cost`).toBeCloseTo(plan.costUsd, 9);
        expect(optimal.work, `seed ${seed}: plan work`).toBeCloseTo(plan.work, 9);
        for (const other of others) {
          const result = await costOf(trace, other, config);
          // A policy warned of a crossing may hop at the notice, off the epochs, or be revoked (a free
          // partial hour): outside the plans the DP ranges over, so it is not compared.
          if (result.notices + result.revocations + result.acquireFailures > 0) continue;
          compared++;
          expect(optimal.costUsd / optimal.work, `seed ${seed}: ${other.name}`).toBeLessThanOrEqual(
            (result.costUsd / result.work) * (1 + 1e-12),
          );
        }
      }
      expect(compared).toBeGreaterThan(SEEDS);
    });
  }
});

describeWithTraces("law on real traces (us-east-1a, paper durations, no interruptions)", () => {
  // The volatile era: the optimum hops; the smoothed era: two weeks may not be worth a hop.
  const slices = [
    {
      file: "us-east-1_2016-03-01_2016-03-21.csv",
      from: "2016-03-05",
      days: 3,
      billing: "hourly",
      hops: true,
    },
    {
      file: "us-east-1_2021-03-02_2021-05-31.csv",
      from: "2021-04-01",
      days: 14,
      billing: "per-second",
      hops: false,
    },
  ] as const;
  for (const { file, from, days, billing, hops } of slices) {
    it(`${file}, ${days} days from ${from}, ${billing}: no policy has a lower USD per work-unit-hour`, async () => {
      const start = Date.parse(`${from}T00:00:00Z`) / 1000;
      const trace = await loadTrace(spotTraces + file, {
        zones: [zone],
        start,
        end: start + days * 86400,
        cacheDir: false,
      });
      const types = new Set(trace.series.map((series) => series.instanceType));
      const resolution = resolveTypes(builtinCatalog(), types, {
        region: "us-east-1",
        at: start,
        unit: "ecu",
        skipUnknownTypes: true,
      });
      const scenario = buildZoneScenario(trace, zone, resolution);
      const config = simConfig({ billing, memoryGiB: 4, demandWork: 8 });
      const runOf = async (definition: PolicyDefinition) =>
        (await simulateZone(trace, scenario, config, definition, resolveParams(definition, {}))).result;
      const optimal = await runOf(optimalPolicy);
      if (hops) expect(optimal.hops).toBeGreaterThan(0);
      for (const definition of others) {
        const result = await runOf(definition);
        expect(optimal.costUsd / optimal.work, definition.name).toBeLessThanOrEqual(
          result.costUsd / result.work,
        );
      }
    });
  }
});

/** `definition` without the promises its stays carry: the engine asks it at every epoch. */
function withoutPromises(definition: PolicyDefinition): PolicyDefinition {
  return {
    ...definition,
    create: (params, context) => {
      const policy = definition.create(params, context);
      return {
        decide: (observation) => {
          const decision = policy.decide(observation);
          return decision.kind === "stay" ? { kind: "stay", reason: decision.reason } : decision;
        },
      };
    },
  };
}

/** `definition`, counting the decisions it is asked. */
function counted(definition: PolicyDefinition, asked: { count: number }): PolicyDefinition {
  return {
    ...definition,
    create: (params, context) => {
      const policy = definition.create(params, context);
      return {
        decide: (observation) => (asked.count++, policy.decide(observation)),
        skipped: policy.skipped?.bind(policy),
      };
    },
  };
}

/** Every type of the zone unavailable for a few random spans (recorded-availability interruptions). */
function randomAvailability(seed: number, hours: number): RecordedAvailability {
  const random = new Random(seed);
  const unavailable = new Map<string, Float64Array>();
  for (const t of types) {
    const spans: number[] = [];
    let at = 0;
    for (;;) {
      at += random.uniform(0.5, hours / 2) * 3600;
      const to = at + random.uniform(60, 3 * 3600);
      if (to >= hours * 3600) break;
      spans.push(Math.round(at), Math.round(to));
      at = to;
    }
    unavailable.set(`${zone}/${t.type}`, Float64Array.from(spans));
  }
  return { source: "random", reading: "preempted", unavailable };
}

const promiseSettings: readonly Setting[] = [
  { label: "per-second", config: { billing: "per-second" } },
  { label: "hourly", config: { billing: "hourly" } },
  {
    label: "hourly, bid interruptions",
    config: { billing: "hourly", interruptions: { kind: "bid", bidMultiple: 1 } },
  },
  {
    label: "per-second, bid interruptions, sampled durations, 60 s interval",
    config: { interruptions: { kind: "bid", bidMultiple: 1 }, durations: "sampled", intervalSeconds: 60 },
  },
  {
    label: "per-second, a load that steps, finite work",
    config: {
      demandWork: 12,
      workload: new StepWorkload(12, Float64Array.of(-Infinity, 7200, 20000), Float64Array.of(1, 0.3, 0.7)),
      targetWork: 60,
    },
  },
  {
    label: "per-second, 450 s interval, 1 h look-back",
    config: { intervalSeconds: 450, historyWindowSeconds: 3600 },
  },
];

describe("law: a stay's promise (Decision.until) changes no result, only how often a policy is asked", () => {
  for (const { label, config: overrides } of promiseSettings) {
    it(`every policy, ${SEEDS} seeds: ${label}`, async () => {
      const asked = new Map(everyPolicy.map((definition) => [definition.name, { count: 0 }]));
      const decisions = new Map(everyPolicy.map((definition) => [definition.name, 0]));
      for (let seed = 1; seed <= SEEDS; seed++) {
        const trace = randomTrace(seed, 12);
        const config = simConfig({ memoryGiB: 8, demandWork: 8, seed, ...overrides });
        for (const definition of everyPolicy) {
          const variants: Record<string, number>[] = definition.name.startsWith("hotspot")
            ? [{}, { minHopIntervalSeconds: 1800 }]
            : [{}];
          for (const params of variants) {
            const expected = await recordOf(trace, withoutPromises(definition), config, params);
            const result = await recordOf(
              trace,
              counted(definition, asked.get(definition.name)!),
              config,
              params,
            );
            expect(result, `seed ${seed}: ${definition.name} ${JSON.stringify(params)}`).toStrictEqual(
              expected,
            );
            decisions.set(definition.name, decisions.get(definition.name)! + result.result.decisions);
          }
        }
      }
      // The promises were taken: every policy was asked at fewer epochs than it decided.
      for (const { name } of everyPolicy) {
        expect(asked.get(name)!.count, name).toBeLessThan(decisions.get(name)!);
      }
    });
  }

  it(`every policy, ${SEEDS} seeds: recorded availability (markets unavailable for spans)`, async () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const trace = randomTrace(seed, 12);
      const config = simConfig({
        memoryGiB: 8,
        demandWork: 8,
        seed,
        interruptions: { kind: "replay", availability: randomAvailability(seed, 12) },
      });
      for (const definition of everyPolicy) {
        const expected = await recordOf(trace, withoutPromises(definition), config);
        const result = await recordOf(trace, definition, config);
        expect(result, `seed ${seed}: ${definition.name}`).toStrictEqual(expected);
      }
    }
  });
});
