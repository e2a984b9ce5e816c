import type { EngineConfig, RunModel } from "../../engine/config.js";
import { HoppingEngine } from "../../engine/engine.js";
import { migrationEstimate, type DurationMode } from "../../engine/migration-model.js";
import type { PolicyRun } from "../../engine/result.js";
import {
  instantiatePolicy,
  type PolicyContext,
  type PolicyDefinition,
  type PolicyInputs,
} from "../../engine/policy.js";
import type { Trace } from "../../traces/types.js";
import { Random } from "../../util/random.js";
import { InputFormatError } from "../../errors.js";
import { SimDriver } from "./driver.js";
import { bidsOf, type InterruptionConfig } from "./interruptions.js";
import type { ZoneScenario } from "./markets.js";
import type { CpuCompat } from "../../policies/cpu-compat.js";

/** Everything a simulation run depends on besides the trace and the policy: with the seed, a run is reproducible. */
export interface SimConfig extends RunModel {
  /** Markets restricted to CPUs a container that started on the origin can be restored on. */
  readonly cpuCompat: CpuCompat;
  readonly durations: DurationMode;
  readonly interruptions: InterruptionConfig;
  readonly historyWindowSeconds: number;
  readonly seed: number;
  /** What the policies may need beyond prices (src/policies/inputs.ts loads them). */
  readonly policyInputs: PolicyInputs;
}

/** The span simulated: the trace's window when it was cut, else its first to last price change. */
export function simulationWindow(trace: Trace): { start: number; end: number } {
  const n = trace.time.length;
  const start = trace.window.start ?? (n > 0 ? trace.time[0] : NaN);
  const end = trace.window.end ?? (n > 0 ? trace.time[n - 1] : NaN);
  if (!(end > start)) {
    throw new InputFormatError(
      trace.source.path,
      "price changes spanning some time to simulate",
      `${n} row(s)`,
    );
  }
  return { start, end };
}

/** Runs one policy on one zone of the trace. */
export async function simulateZone(
  trace: Trace,
  scenario: ZoneScenario,
  config: SimConfig,
  definition: PolicyDefinition,
  params: Readonly<Record<string, number>>,
  window: { start: number; end: number } = simulationWindow(trace),
): Promise<PolicyRun> {
  const root = new Random(config.seed);
  const driver = new SimDriver({
    scenario,
    start: window.start,
    memoryGiB: config.memoryGiB,
    demandWork: config.demandWork,
    migrationModel: config.migrationModel,
    durations: config.durations,
    interruptions: config.interruptions,
    historyWindowSeconds: config.historyWindowSeconds,
    durationRandom: root.fork(),
    interruptionRandom: root.fork(),
  });
  const context: PolicyContext = {
    markets: scenario.markets,
    billing: config.billing,
    start: window.start,
    end: window.end,
    intervalSeconds: config.intervalSeconds,
    memoryGiB: config.memoryGiB,
    demandWork: config.demandWork,
    utilisation: config.workload.levelAt(window.start),
    migration: (_from, to) =>
      migrationEstimate(config.migrationModel, config.memoryGiB, scenario.markets[to].lifecycle),
    bidUsd: config.interruptions.kind === "bid" ? bidsOf(scenario.markets, config.interruptions) : undefined,
    inputs: config.policyInputs,
    fullTrace: definition.simulationOnly ? { paths: scenario.paths } : undefined,
  };
  const engineConfig: EngineConfig = {
    zone: scenario.zone,
    start: window.start,
    end: window.end,
    intervalSeconds: config.intervalSeconds,
    billing: config.billing,
    memoryGiB: config.memoryGiB,
    demandWork: config.demandWork,
    workUnit: config.workUnit,
    workload: config.workload,
    targetWork: config.targetWork,
    migrationModel: config.migrationModel,
  };
  const engine = new HoppingEngine(engineConfig, driver, instantiatePolicy(definition, params, context));
  const result = await engine.run();
  return {
    policy: definition.name,
    params,
    zone: scenario.zone,
    markets: scenario.markets,
    result,
    eventsReplayed: driver.eventsReplayed,
    advisorMissingTypes: [...driver.advisorMissingTypes].sort(),
  };
}
