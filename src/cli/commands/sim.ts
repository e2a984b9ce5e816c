import { existsSync } from "node:fs";
import { checkOutputPath } from "../../util/output-path.js";
import { fileURLToPath } from "node:url";
import type { Argv, CommandModule } from "yargs";
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
  readAdvisorFile,
  resolveInterruptionModel,
  type InterruptionConfig,
  availabilityReadings,
  readAvailability,
  skypilotTypes,
} from "../../drivers/sim/interruptions.js";
import { simulationWindow, type SimConfig } from "../../drivers/sim/run.js";
import { runStudy } from "../../drivers/sim/study.js";
import { cpuCompatRules, DEFAULT_CPU_COMPAT, type CpuCompat } from "../../policies/cpu-compat.js";
import { readUtilisationCsv } from "../../drivers/sim/workload-csv.js";
import { policyByName, policyNames } from "../../policies/index.js";
import { policyParams, selectPolicies } from "../policy-options.js";
import type { PolicyDefinition } from "../../engine/policy.js";
import { formatResultsTables } from "../../results/table.js";
import { excludedZonesWarning, withWarnings } from "../../results/document.js";
import { serializeResults, writeResults } from "../../results/write.js";
import { loadTrace } from "../../traces/load.js";
import { regionOfZone } from "../../traces/zones.js";
import { requireRowsAfterFilters, unpricedWarnings } from "../../traces/coverage.js";
import type { Trace } from "../../traces/types.js";
import { UsageError } from "../../errors.js";
import { catalogOptionsWithPriceList, withCatalogOptions, type CatalogArgs } from "../catalog-options.js";
import {
  checkDecisions,
  defaultMaxDecisions,
  parseChoice,
  parseDuration,
  parseInteger,
  parseInterval,
  parseList,
  parseNumber,
  parseTime,
} from "../../options/parse.js";
import { loadOptionsFromArgs, withTraceLoadOptions, type TraceLoadArgs } from "../trace-options.js";

/** The demo trace shipped with the package, found from src/ (tests) or dist/src/ (installed). */
function defaultTracePath(): string {
  const candidates = ["../../../traces/demo-volatile.csv", "../../../../traces/demo-volatile.csv"].map(
    (relative) => fileURLToPath(new URL(relative, import.meta.url)),
  );
  return candidates.find((path) => existsSync(path)) ?? candidates[0];
}

function builder(yargs: Argv) {
  return withCatalogOptions(withTraceLoadOptions(yargs), { priceList: true })
    .alias("zones", "zone")
    .option("trace", {
      type: "string",
      describe: "Price trace to replay (default: the bundled traces/demo-volatile.csv)",
    })
    .option("policy", {
      type: "string",
      array: true,
      default: ["all"],
      describe: `Policies to compare, comma-separated, or all (${policyNames.join(", ")})`,
    })
    .option("param", {
      type: "string",
      array: true,
      describe: "Policy parameter name=value or policy:name=value (repeatable); see --help-policy",
    })
    .option("help-policy", { type: "string", describe: "List a policy's parameters and exit" })
    .option("interval", {
      type: "string",
      default: "300",
      describe: "Seconds between policy decisions (300, 5m; at least 1 s)",
    })
    .option("max-decisions", {
      type: "string",
      default: String(defaultMaxDecisions),
      describe: "Most decisions per run (window span ÷ --interval) before the run is refused",
    })
    .option("billing", {
      type: "string",
      default: "per-second",
      describe: `Billing model: ${Object.entries(billingModels)
        .map(([name, model]) => `${name} (${model.description})`)
        .join("; ")}`,
    })
    .option("interruptions", {
      type: "string",
      default: "auto",
      describe: `Interruption model: auto (bid for traces before 2017-11-28, else none), ${Object.entries(
        interruptionModels,
      )
        .map(([name, text]) => `${name} (${text})`)
        .join("; ")}`,
    })
    .option("bid-multiple", {
      type: "string",
      default: "1",
      describe: "Bid as a multiple of the on-demand price (bid model)",
    })
    .option("advisor", {
      type: "string",
      describe: "Spot Advisor feed (spot-advisor-data.json) for --interruptions advisor",
    })
    .option("rebalance-lead", {
      type: "string",
      default: "0",
      describe:
        "--interruptions advisor: seconds before each capacity interruption its market gets a rebalance recommendation (0: none; e.g. 600)",
    })
    .option("availability", {
      type: "string",
      describe:
        "Recorded availability for --interruptions replay: a CSV time,zone,type,available, a SkyPilot spot-traces JSON file <zone>_<name>.json, or a directory of them",
    })
    .option("availability-reading", {
      type: "string",
      default: "preempted",
      describe: `How a recorded value reads: ${Object.entries(availabilityReadings)
        .map(([name, text]) => `${name} (${text})`)
        .join("; ")}`,
    })
    .option("availability-start", {
      type: "string",
      describe:
        "Time of tick 0 of the JSON availability files, ISO 8601 (default: the simulated window's start)",
    })
    .option("availability-types", {
      type: "string",
      array: true,
      describe: `JSON file name to instance type, NAME=TYPE (built in: ${[...skypilotTypes]
        .map(([name, type]) => `${name}=${type}`)
        .join(", ")})`,
    })
    .option("advisor-os", {
      type: "string",
      default: "Linux",
      describe: "Operating system in the advisor feed",
    })
    .option("durations", {
      type: "string",
      default: "mean",
      describe:
        "Migration step durations: mean (the paper's means) or sampled (seeded, within the paper's ranges, same means)",
    })
    .option("seed", {
      type: "string",
      default: "1",
      describe: "Seed of every random draw (sampled durations, interruptions)",
    })
    .option("memory", { type: "string", default: "8", describe: "Container memory footprint, GiB" })
    .option("cpu-compat", {
      type: "string",
      default: DEFAULT_CPU_COMPAT,
      describe:
        "Markets a container may be restored on, from the CPU of the cheapest market at the start: same-vendor (arch and vendor), same-arch, any-x86, none (no restriction, to see its cost)",
    })
    .option("demand", {
      type: "string",
      describe: "Work units the application can use (default: half of an m4.4xlarge, 26.75 ECU or 8 vCPU)",
    })
    .option("utilisation", {
      type: "string",
      default: "1",
      describe: "Load level in [0, 1] of the demand, or a CSV file time,utilisation",
    })
    .option("work-ecu-hours", {
      type: "string",
      describe: "Finish after this much work (in the work unit); default: open-ended over the trace window",
    })
    .option("transfer", {
      type: "string",
      default: "network",
      describe: "Checkpoint transfer: network (10 Gbit/s) or ebs (~200 s per 32 GB)",
    })
    .option("bandwidth-gbps", { type: "string", describe: "Memory-to-memory bandwidth, Gbit/s (default 10)" })
    .option("history-window", {
      type: "string",
      default: "1d",
      describe: "Look-back window policies see (1d, 6h)",
    })
    .option("max-unpriced", {
      type: "string",
      default: "0.05",
      describe:
        "Largest share of the window (0 to 1) before the trace's first price or after its last change; beyond it the run is refused, below it warned of",
    })
    .option("json", { type: "boolean", default: false, describe: "Print the results document as JSON" })
    .option("report", {
      type: "string",
      describe: "Also write a self-contained HTML report comparing the policies (e.g. reports/NAME.html)",
    })
    .option("out", {
      type: "string",
      describe: "Write the results document (JSON) to this file, atomically",
    })
    .example("$0 sim", "Every policy on the embedded demo trace")
    .example(
      "$0 sim --trace us-east-1.csv --policy greedy,hotspot,optimal --zone us-east-1a",
      "Compare three policies in one zone",
    )
    .example(
      "$0 sim --trace 2016.csv --billing hourly --interruptions bid --param hotspot:epsilon=0.05 --json",
      "Legacy era, a policy parameter set, machine-readable results",
    )
    .example("$0 sim --help-policy hotspot", "List a policy's parameters");
}

type SimArgs = TraceLoadArgs &
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
    const range = [
      param.min === undefined ? "" : `min ${param.min}`,
      param.max === undefined ? "" : `max ${param.max}`,
    ]
      .filter(Boolean)
      .join(", ");
    lines.push(
      `  ${param.name} (default ${param.default}${range ? `; ${range}` : ""}): ${param.description}`,
    );
  }
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
  const kind = resolveInterruptionModel(interruptionName, window.start);
  const interruptions: InterruptionConfig =
    kind === "bid"
      ? { kind, bidMultiple }
      : kind === "advisor"
        ? {
            kind,
            advisor: await readAdvisorFile(args.advisor!, regions[0], args.advisorOs),
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

export const simCommand: CommandModule<object, SimArgs> = {
  command: "sim",
  describe: "Replay a spot price trace and compare hopping policies on it",
  builder: builder as unknown as CommandModule<object, SimArgs>["builder"],
  handler: runSimCommand,
};
