import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  excludedZonesWarning,
  formatResultsTables,
  serializeResults,
  simulate,
  skippedTypesNote,
  workUnits,
  writeReport,
  writeResults,
  type BillingModelName,
  type CpuCompat,
  type PolicyDefinition,
  type TransferMedium,
} from "../../api.js";
import { availabilityReadings, interruptionModels, skypilotTypes } from "../../drivers/sim/interruptions.js";
import { billingModels } from "../../engine/billing.js";
import { defaultMigrationModel, durationModes } from "../../engine/migration-model.js";
import { UsageError } from "../../errors.js";
import {
  parseChoice,
  parseDuration,
  parseInteger,
  parseInterval,
  parseList,
  parseNumber,
  parseTime,
} from "../../options/parse.js";
import { cpuCompatRules } from "../../policies/cpu-compat.js";
import { policyByName } from "../../policies/index.js";
import { checkPolicyInputs } from "../../policies/inputs.js";
import { checkOutputPath } from "../../util/output-path.js";
import { catalogOptionsWithPriceList, type CatalogArgs } from "../catalog-options.js";
import { policyParams, selectPolicies } from "../policy-options.js";
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

  const utilisation =
    args.utilisation.trim() !== "" && Number.isFinite(Number(args.utilisation))
      ? parseNumber("--utilisation", args.utilisation, 0, 1)
      : { file: args.utilisation };
  const demand = args.demand === undefined ? undefined : parseNumber("--demand", args.demand, 1e-9);

  if (args.out !== undefined) await checkOutputPath("--out", args.out);
  if (args.report !== undefined) await checkOutputPath("--report", args.report);
  const progress = process.stderr.isTTY
    ? (done: number, total: number, label: string) =>
        process.stderr.write(`\r[${done}/${total}] ${label}\x1b[K`)
    : undefined;
  const { document, skippedTypes } = await simulate({
    tracePath: args.trace ?? defaultTracePath(),
    load: loadOptions,
    policies: studyPolicies,
    intervalSeconds,
    maxDecisions,
    maxUnpriced,
    billing,
    durations,
    seed,
    memoryGiB,
    cpuCompat,
    transfer,
    bandwidthGbps: bandwidth,
    historyWindowSeconds,
    targetWork,
    catalog: catalogChoice,
    demand,
    utilisation,
    interruptions: {
      model: interruptionName,
      bidMultiple,
      rebalanceLeadSeconds,
      availability:
        args.availability === undefined
          ? undefined
          : {
              path: args.availability,
              reading: availabilityReading,
              start: availabilityStart,
              types: availabilityTypes,
            },
    },
    advisor: args.advisor,
    advisorOs: args.advisorOs,
    onWorkUnit: (unit, allHaveEcu) =>
      process.stderr.write(
        `hotspot: work unit ${workUnits[unit].label} (--work-unit auto: ${allHaveEcu ? "every type has an ECU" : "not every type has an ECU"})\n`,
      ),
    onProgress: progress,
  });
  if (progress) process.stderr.write("\n");
  if (skippedTypes.length > 0) {
    process.stderr.write(`hotspot: ${skippedTypesNote(skippedTypes)}\n`);
  }
  const emptyWarning = excludedZonesWarning(document);
  if (emptyWarning !== null) process.stderr.write(`hotspot: ${emptyWarning}\n`);
  if (args.out !== undefined) await writeResults(args.out, document);
  if (args.report !== undefined) {
    await writeReport([document], args.report, { commandLine: args.commandLine ?? "hotspot sim" });
  }
  process.stdout.write(args.json ? serializeResults(document) : formatResultsTables(document));
}
