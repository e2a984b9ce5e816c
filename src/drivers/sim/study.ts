import type { CatalogResolution } from "../../catalog/work-unit.js";
import type { PolicyDefinition } from "../../engine/policy.js";
import { buildResultsDocument, traceIdentity, type ResultsDocument } from "../../results/document.js";
import type { Trace } from "../../traces/types.js";
import { buildZoneScenario, traceZones, type CpuRestrictionRecord, type ScenarioCache } from "./markets.js";
import { simulateZone, simulationWindow, type SimConfig } from "./run.js";
import type { PolicyRun } from "../../engine/result.js";
import { zonePrices, type ZonePricesDocument } from "../../results/prices.js";

export interface StudyPolicy {
  readonly definition: PolicyDefinition;
  readonly params: Readonly<Record<string, number>>;
}

export interface StudyInput {
  readonly trace: Trace;
  readonly resolution: CatalogResolution;
  readonly catalogDescription: string;
  readonly policies: readonly StudyPolicy[];
  readonly config: SimConfig;
  /** How the utilisation profile was given (constant level or file), for the document. */
  readonly workloadDescription: string;
  /** Record each zone's market prices in the document (for the report's price chart; sweeps skip it). */
  readonly recordPrices?: boolean;
  /** Zones' scenarios kept between studies of the same trace (a sweep's items). */
  readonly scenarioCache?: ScenarioCache;
  /** Called after each (zone, policy) run. */
  readonly onProgress?: (done: number, total: number, label: string) => void;
}

/** The configuration as recorded in the results document. */
function configurationRecord(input: StudyInput): Record<string, unknown> {
  const { config, resolution } = input;
  const interruptions =
    config.interruptions.kind === "advisor"
      ? {
          kind: "advisor",
          advisorFile: config.interruptions.advisor.source,
          region: config.interruptions.advisor.region,
          os: config.interruptions.advisor.os,
          // Recorded only when on, so runs without it stay byte-identical to before it existed.
          ...(config.interruptions.rebalanceLeadSeconds
            ? { rebalanceLeadSeconds: config.interruptions.rebalanceLeadSeconds }
            : {}),
        }
      : config.interruptions.kind === "replay"
        ? {
            kind: "replay",
            availability: config.interruptions.availability.source,
            reading: config.interruptions.availability.reading,
            marketsRecorded: config.interruptions.availability.unavailable.size,
          }
        : config.interruptions;
  return {
    intervalSeconds: config.intervalSeconds,
    billing: config.billing,
    interruptions,
    durations: config.durations,
    migrationModel: config.migrationModel,
    memoryGiB: config.memoryGiB,
    demandWork: config.demandWork,
    cpuCompat: config.cpuCompat,
    workUnit: config.workUnit,
    utilisation: input.workloadDescription,
    targetWorkHours: config.targetWork,
    historyWindowSeconds: config.historyWindowSeconds,
    catalog: input.catalogDescription,
    region: resolution.region,
    skippedTypes: resolution.skipped,
    policies: input.policies.map((p) => ({ name: p.definition.name, params: p.params })),
  };
}

/** Runs every policy on every zone of the trace, on identical scenarios, into one results document. */
export async function runStudy(input: StudyInput): Promise<ResultsDocument> {
  const { trace, config } = input;
  const window = simulationWindow(trace);
  const zones = traceZones(trace);
  const total = zones.length * input.policies.length;
  const runs: PolicyRun[] = [];
  const cpuRestrictions: Record<string, CpuRestrictionRecord | null> = {};
  const prices: ZonePricesDocument[] = [];
  const cpu = {
    rule: config.cpuCompat,
    start: window.start,
    memoryGiB: config.memoryGiB,
    demandWork: config.demandWork,
  };
  for (const zone of zones) {
    const scenario = buildZoneScenario(trace, zone, input.resolution, cpu, input.scenarioCache);
    cpuRestrictions[zone] = scenario.cpu;
    if (input.recordPrices === true) {
      const { markets, paths } = scenario;
      const { memoryGiB, demandWork } = config;
      prices.push(zonePrices({ zone, markets, paths, window, memoryGiB, demandWork }));
    }
    for (const policy of input.policies) {
      runs.push(await simulateZone(trace, scenario, config, policy.definition, policy.params, window));
      input.onProgress?.(runs.length, total, `${zone} ${policy.definition.name}`);
    }
  }
  return buildResultsDocument({
    trace: traceIdentity(trace, window),
    seed: config.seed,
    workUnit: config.workUnit,
    configuration: { ...configurationRecord(input), cpuRestrictions },
    runs,
    ...(input.recordPrices === true ? { prices } : {}),
  });
}
