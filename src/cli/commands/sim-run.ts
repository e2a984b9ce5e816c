import { existsSync } from "node:fs";
import { checkOutputPath } from "../../util/output-path.js";
import { fileURLToPath } from "node:url";
import { billingModels, type BillingModelName } from "../../engine/billing.js";
import {
  defaultMigrationModel,
  durationModes,
  type MigrationModelConfig,
  type TransferMedium,
} from "../../engine/migration-model.js";
import { StepWorkload, type WorkloadProfile } from "../../engine/workload.js";
import { createCatalog } from "../../catalog/catalog.js";
import {
  checkMemoryFits,
  defaultDemandWork,
  resolveTypes,
  skippedTypesNote,
  workUnits,
} from "../../catalog/work-unit.js";
import {
  interruptionModels,
  resolveInterruptionModel,
  type InterruptionConfig,
  availabilityReadings,
  readAvailability,
  skypilotTypes,
} from "../../drivers/sim/interruptions.js";
import { simulationWindow, type SimConfig } from "../../drivers/sim/run.js";
import { runStudy } from "../../drivers/sim/study.js";
import { cpuCompatRules, type CpuCompat } from "../../policies/cpu-compat.js";
import { readUtilisationCsv } from "../../drivers/sim/workload-csv.js";
import { policyByName } from "../../policies/index.js";
import { policyParams, selectPolicies } from "../policy-options.js";
import { checkPolicyInputs, loadPolicyInputs } from "../../policies/inputs.js";
import type { PolicyDefinition } from "../../engine/policy.js";
import { formatResultsTables } from "../../results/table.js";
import { excludedZonesWarning, withWarnings } from "../../results/document.js";
import { serializeResults, writeResults } from "../../results/write.js";
import { loadTrace } from "../../traces/load.js";
import { regionOfZone } from "../../traces/zones.js";
import { requireRowsAfterFilters, unpricedWarnings } from "../../traces/coverage.js";
import type { Trace } from "../../traces/types.js";
import { UsageError } from "../../errors.js";
import { catalogOptionsWithPriceList, type CatalogArgs } from "../catalog-options.js";
import {
  checkDecisions,
  parseChoice,
  parseDuration,
  parseInteger,
  parseInterval,
  parseList,
  parseNumber,
  parseTime,
} from "../../options/parse.js";
import { loadOptionsFromArgs, type TraceLoadArgs } from "../trace-options.js";

/** The demo trace shipped with the package, found from src/ (tests) or dist/src/ (installed). */
function defaultTracePath(): string {
  const candidates = ["../../../traces/demo-volatile.csv", "../../../../traces/demo-volatile.csv"].map(
    (relative) => fileURLToPath(new URL(relative, import.meta.url)),
  );
  return candidates.find((path) => existsSync(path)) ?? candidates[0];
}

export type SimArgs = TraceLoadArgs &
  CatalogArgs & {
    trace?: string;
    report?: string;
    /** Set by the CLI root: the command as typed, for reports. */
    commandLine?: string;
    policy: string[];
    param?: string[];
    helpPolicy?: string;
    interval: string;
    maxDecisions: string;
    billing: string;
    interruptions: string;
    bidMultiple: string;
    advisor?: string;
    advisorOs: string;
    rebalanceLead: string;
    availability?: string;
    availabilityReading: string;
    availabilityStart?: string;
    availabilityTypes?: string[];
    durations: string;
    seed: string;
    memory: string;
    cpuCompat: string;
    demand?: string;
    utilisation: string;
    workEcuHours?: string;
    transfer: string;
    bandwidthGbps?: string;
    historyWindow: string;
    maxUnpriced: string;
    json: boolean;
    out?: string;
  };

/** `--help-policy NAME`: the policy's summary and parameters. */
export function describePolicy(definition: PolicyDefinition): string {
  const lines = [`${definition.name}: ${definition.summary}`];
  if (definition.simulationOnly) lines.push("(simulation only: it sees the whole trace)");
  if (definition.params.length === 0) lines.push("no parameters");
  for (const param of definition.params) {
    const shape =
      param.kind === "flag"
        ? `flag 0 or 1, default ${Number(param.default)}`
        : [
            `${param.unit}, default ${param.default}`,
            param.min === undefined ? "" : `min ${param.min}`,
            param.max === undefined ? "" : `max ${param.max}`,
          ]
            .filter(Boolean)
            .join(", ");
    lines.push(`  ${param.name} (${shape}): ${param.description}`);
  }
  if (definition.inputs.length > 0)
    lines.push(`needs: ${definition.inputs.map((name) => `--${name}`).join(", ")}`);
  return `${lines.join("\n")}\n`;
}

async function workloadFrom(
  raw: string,
  demand: number,
  window: { start: number; end: number },
): Promise<{ profile: WorkloadProfile; description: string }> {
  const level = Number(raw);
  if (raw.trim() !== "" && Number.isFinite(level)) {
    const checked = parseNumber("--utilisation", raw, 0, 1);
    return { profile: StepWorkload.constant(demand, checked), description: `constant ${checked}` };
  }
  return { profile: await readUtilisationCsv(raw, demand, window), description: `file ${raw}` };
}

/** Skipped bad rows, said in the tables, --json and --out alike. */
function skippedRowsWarning(trace: Trace): string[] {
  const { skipped } = trace.report;
  if (skipped.count === 0) return [];
  const reasons = Object.entries(skipped.byReason)
    .map(([reason, count]) => `${count} ${reason}`)
    .join(", ");
  return [`skipped ${skipped.count} bad row(s) of ${trace.source.path} under --skip-bad-rows (${reasons})`];
}

/** Validates every flag once and runs the study; prints tables or JSON, writes --out. */
export async function runSimCommand(args: SimArgs): Promise<void> {
  if (args.helpPolicy !== undefined) {
    process.stdout.write(describePolicy(policyByName(args.helpPolicy)));
    return;
  }
  const selected = selectPolicies(args.policy);
  const studyPolicies = policyParams(args.param, selected);
  checkPolicyInputs(selected, args);
  const intervalSeconds = parseInterval("--interval", args.interval);
  const maxDecisions = parseInteger("--max-decisions", args.maxDecisions, 1);
  const maxUnpriced = parseNumber("--max-unpriced", args.maxUnpriced, 0, 1);
  const billing: BillingModelName = parseChoice("--billing", args.billing, billingModels);
  const durations = parseChoice("--durations", args.durations, durationModes);
  const seed = parseInteger("--seed", args.seed, 0, 2 ** 32 - 1);
  const memoryGiB = parseNumber("--memory", args.memory, 0);
  const cpuCompat: CpuCompat = parseChoice("--cpu-compat", args.cpuCompat, cpuCompatRules);
  const bidMultiple = parseNumber("--bid-multiple", args.bidMultiple, 0);
  const transfer: TransferMedium = parseChoice("--transfer", args.transfer, { network: true, ebs: true });
  const bandwidth =
    args.bandwidthGbps === undefined
      ? defaultMigrationModel.networkGbitPerSecond
      : parseNumber("--bandwidth-gbps", args.bandwidthGbps, 1e-6);
  const historyWindowSeconds = parseDuration("--history-window", args.historyWindow)!;
  const targetWork =
    args.workEcuHours === undefined ? null : parseNumber("--work-ecu-hours", args.workEcuHours, 1e-9);
  const catalogChoice = catalogOptionsWithPriceList(args);
  const loadOptions = loadOptionsFromArgs(args);
  const interruptionName = parseChoice("--interruptions", args.interruptions, {
    auto: true,
    ...interruptionModels,
  });
  const rebalanceLeadSeconds = /^(0+|off)$/.test(args.rebalanceLead.trim())
    ? 0
    : parseDuration("--rebalance-lead", args.rebalanceLead)!;
  if (rebalanceLeadSeconds > 0 && interruptionName !== "advisor") {
    throw new UsageError(
      "--rebalance-lead",
      "0 unless --interruptions advisor",
      JSON.stringify(args.rebalanceLead),
    );
  }
  if (interruptionName === "advisor" && args.advisor === undefined) {
    throw new UsageError("--advisor", "a Spot Advisor file with --interruptions advisor", "none");
  }
  if (interruptionName === "replay" && args.availability === undefined) {
    throw new UsageError(
      "--availability",
      "an availability file or directory with --interruptions replay",
      "none",
    );
  }
  const availabilityReading = parseChoice(
    "--availability-reading",
    args.availabilityReading,
    availabilityReadings,
  );
  const availabilityStart = parseTime("--availability-start", args.availabilityStart);
  const availabilityTypes = new Map(skypilotTypes);
  for (const item of parseList("--availability-types", args.availabilityTypes) ?? []) {
    const match = /^([\w.-]+)=([\w.-]+)$/.exec(item);
    if (!match) throw new UsageError("--availability-types", "NAME=TYPE", JSON.stringify(item));
    availabilityTypes.set(match[1], match[2]);
  }

  if (args.out !== undefined) await checkOutputPath("--out", args.out);
  if (args.report !== undefined) await checkOutputPath("--report", args.report);
  const tracePath = args.trace ?? defaultTracePath();
  const trace = await loadTrace(tracePath, loadOptions);
  requireRowsAfterFilters(trace, loadOptions);
  const window = simulationWindow(trace);
  checkDecisions("--interval", window.end - window.start, intervalSeconds, maxDecisions);
  const warnings = [...skippedRowsWarning(trace), ...unpricedWarnings(trace, window, maxUnpriced)];
  const regions = [...new Set(trace.series.map((series) => regionOfZone(series.zone) ?? series.zone))].sort();
  if (regions.length !== 1) {
    throw new UsageError(
      "--zones",
      "zones of one region (on-demand prices are per region)",
      regions.join(", ") || "no zones",
    );
  }
  const catalog = await createCatalog({
    specsFile: catalogChoice.specsFile,
    pricesFile: catalogChoice.pricesFile,
  });
  const resolution = resolveTypes(
    catalog,
    trace.series.map((series) => series.instanceType),
    {
      region: regions[0],
      at: window.start,
      unit: catalogChoice.workUnit,
      skipUnknownTypes: catalogChoice.skipUnknownTypes,
    },
  );
  checkMemoryFits(resolution, memoryGiB);
  if (catalogChoice.workUnit === "auto") {
    process.stderr.write(
      `hotspot: work unit ${workUnits[resolution.unit].label} (--work-unit auto: ${resolution.unit === "ecu" ? "every type has an ECU" : "not every type has an ECU"})\n`,
    );
  }
  const demandWork =
    args.demand === undefined
      ? defaultDemandWork(catalog, resolution.unit)
      : parseNumber("--demand", args.demand, 1e-9);
  const workload = await workloadFrom(args.utilisation, demandWork, window);
  const policyInputs = await loadPolicyInputs(selected, {
    advisor: args.advisor,
    advisorOs: args.advisorOs,
    region: regions[0],
  });
  const kind = resolveInterruptionModel(interruptionName, window.start);
  const interruptions: InterruptionConfig =
    kind === "bid"
      ? { kind, bidMultiple }
      : kind === "advisor"
        ? {
            kind,
            advisor: policyInputs.advisor!,
            rebalanceLeadSeconds,
          }
        : kind === "replay"
          ? {
              kind,
              availability: await readAvailability(args.availability!, {
                reading: availabilityReading,
                start: availabilityStart ?? window.start,
                types: availabilityTypes,
              }),
            }
          : { kind };
  const migrationModel: MigrationModelConfig = {
    ...defaultMigrationModel,
    transfer,
    networkGbitPerSecond: bandwidth,
  };
  const config: SimConfig = {
    intervalSeconds,
    billing,
    memoryGiB,
    demandWork,
    cpuCompat,
    workUnit: resolution.unit,
    workload: workload.profile,
    targetWork,
    migrationModel,
    durations,
    interruptions,
    historyWindowSeconds,
    seed,
    policyInputs,
  };
  const progress = process.stderr.isTTY
    ? (done: number, total: number, label: string) =>
        process.stderr.write(`\r[${done}/${total}] ${label}\x1b[K`)
    : undefined;
  const studied = await runStudy({
    trace,
    resolution,
    catalogDescription: catalog.description,
    policies: studyPolicies,
    config,
    workloadDescription: workload.description,
    recordPrices: true,
    onProgress: progress,
  });
  const document = withWarnings(studied, warnings);
  if (progress) process.stderr.write("\n");
  if (resolution.skipped.length > 0) {
    process.stderr.write(`hotspot: ${skippedTypesNote(resolution.skipped)}\n`);
  }
  const emptyWarning = excludedZonesWarning(document);
  if (emptyWarning !== null) process.stderr.write(`hotspot: ${emptyWarning}\n`);
  if (args.out !== undefined) await writeResults(args.out, document);
  if (args.report !== undefined) {
    // The report's renderer (vega) loads only when a report is asked for.
    const { writeReport } = await import("../../reports/write-report.js");
    await writeReport([document], args.report, { commandLine: args.commandLine ?? "hotspot sim" });
  }
  process.stdout.write(args.json ? serializeResults(document) : formatResultsTables(document));
}
