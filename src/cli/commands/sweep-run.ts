import { availableParallelism } from "node:os";
import { checkOutputPath } from "../../util/output-path.js";
import { billingModels } from "../../engine/billing.js";
import { defaultMigrationModel, durationModes } from "../../engine/migration-model.js";
import { HotspotError, UsageError } from "../../errors.js";
import {
  formatSweepTable,
  skippedTypesNote,
  sweep,
  writeSweepReport,
  type Execution,
  type PolicyDefinition,
  type Shard,
  type SweepOutcome,
  type SweepRequest,
} from "../../api.js";
import { ProgressBar } from "../progress.js";
import { sweepInterruptions, parseVary } from "../../sweep/settings.js";
import { parseShard, shardFromEnvironment } from "../../sweep/shard.js";
import { catalogOptionsFromArgs, type CatalogArgs } from "../catalog-options.js";
import {
  checkDecisions,
  defaultMaxDecisions,
  defaultMaxUnpriced,
  parseChoice,
  parseDuration,
  parseInteger,
  parseInterval,
  parseNumber,
} from "../../options/parse.js";
import { loadOptionsFromArgs, type TraceLoadArgs } from "../trace-options.js";
import { policyParams, selectPolicies } from "../policy-options.js";
import { policyByName } from "../../policies/index.js";

export type SweepArgs = TraceLoadArgs &
  CatalogArgs & {
    trace: string;
    policy: string[];
    baseline: string;
    param?: string[];
    vary?: string[];
    windows: string;
    starts: string;
    seed: string;
    jobs?: string;
    out: string;
    report?: string;
    commandLine?: string;
    resume: boolean;
    shard?: string;
    shardCount?: string;
    interval: string;
    maxDecisions: string;
    billing: string;
    interruptions: string;
    bidMultiple: string;
    durations: string;
    memory: string;
    demand?: string;
    utilisation: string;
    transfer: string;
    bandwidthGbps?: string;
    historyWindow: string;
    advisor?: string;
    advisorOs: string;
    maxUnpriced?: string;
  };

/** The selected policies, the baseline first when it was not among them (pairing needs its runs). */
function withBaseline(selected: readonly PolicyDefinition[], baseline: string): PolicyDefinition[] {
  const definition = policyByName(baseline);
  return selected.includes(definition) ? [...selected] : [definition, ...selected];
}

/** Validates every flag once into a typed request. */
export function sweepRequestFromArgs(args: SweepArgs): SweepRequest {
  const catalog = catalogOptionsFromArgs(args);
  const request: SweepRequest = {
    tracePath: args.trace,
    load: loadOptionsFromArgs(args),
    specsFile: catalog.specsFile,
    workUnit: catalog.workUnit,
    skipUnknownTypes: catalog.skipUnknownTypes,
    base: {
      intervalSeconds: parseInterval("--interval", args.interval),
      billing: parseChoice("--billing", args.billing, billingModels),
      memoryGiB: parseNumber("--memory", args.memory, 0),
      demandWork: args.demand === undefined ? null : parseNumber("--demand", args.demand, 1e-9),
      utilisation: parseNumber("--utilisation", args.utilisation, 0, 1),
      transfer: parseChoice("--transfer", args.transfer, { network: true, ebs: true }),
      bandwidthGbps:
        args.bandwidthGbps === undefined
          ? defaultMigrationModel.networkGbitPerSecond
          : parseNumber("--bandwidth-gbps", args.bandwidthGbps, 1e-6),
      durations: parseChoice("--durations", args.durations, durationModes),
      interruptions: parseChoice("--interruptions", args.interruptions, sweepInterruptions),
      bidMultiple: parseNumber("--bid-multiple", args.bidMultiple, 0),
      historyWindowSeconds: parseDuration("--history-window", args.historyWindow)!,
    },
    vary: parseVary(args.vary),
    policies: policyParams(args.param, withBaseline(selectPolicies(args.policy), args.baseline)),
    inputFiles: { advisor: args.advisor, advisorOs: args.advisorOs },
    baseline: policyByName(args.baseline).name,
    windowSeconds: parseDuration("--windows", args.windows)!,
    windows: parseInteger("--starts", args.starts, 1),
    seed: parseInteger("--seed", args.seed, 0, 2 ** 32 - 1),
    maxUnpriced: parseNumber("--max-unpriced", args.maxUnpriced ?? String(defaultMaxUnpriced), 0, 1),
  };
  const intervals = [
    request.base.intervalSeconds,
    ...request.vary.filter((axis) => axis.key === "interval").flatMap((axis) => axis.values as number[]),
  ];
  const maxDecisions = parseInteger("--max-decisions", args.maxDecisions ?? defaultMaxDecisions, 1);
  for (const interval of intervals)
    checkDecisions("--interval", request.windowSeconds, interval, maxDecisions);
  return request;
}

/** `--shard i/n`, or `--shard-count n` with the index from the batch engine's environment, or none. */
export function shardFromArgs(
  args: Pick<SweepArgs, "shard" | "shardCount">,
  env: Readonly<Record<string, string | undefined>>,
): Shard | null {
  if (args.shard !== undefined && args.shardCount !== undefined) {
    throw new UsageError("--shard-count", "either --shard i/n or --shard-count n, not both", args.shardCount);
  }
  if (args.shard !== undefined) return parseShard(args.shard);
  if (args.shardCount !== undefined)
    return shardFromEnvironment(parseInteger("--shard-count", args.shardCount, 1), env);
  return null;
}

function executionFromArgs(jobs: string | undefined): Execution {
  const count = jobs === undefined ? availableParallelism() : parseInteger("--jobs", jobs, 1, 1024);
  return count === 1 ? { kind: "inline" } : { kind: "threads", jobs: count };
}

function summaryLine(outcome: SweepOutcome, out: string, seconds: number): string {
  const { document, resumed, ran, total } = outcome;
  const shard = document.shard === null ? "" : ` (shard ${document.shard.index}/${document.shard.count})`;
  const rate = seconds > 0 ? (ran / seconds).toFixed(2) : "-";
  return `hotspot: sweep ${outcome.status}${shard}: ${document.items.length}/${total} items (${resumed} resumed, ${ran} run in ${seconds.toFixed(1)} s, ${rate}/s) -> ${out}\n`;
}

/** Runs the sweep; Ctrl-C stops it after the items in flight, keeping finished results in --out. */
export async function runSweepCommand(args: SweepArgs): Promise<void> {
  const request = sweepRequestFromArgs(args);
  const shard = shardFromArgs(args, process.env);
  const execution = executionFromArgs(args.jobs);
  await checkOutputPath("--out", args.out);
  if (args.report !== undefined) await checkOutputPath("--report", args.report);
  const controller = new AbortController();
  const onInterrupt = () => {
    process.stderr.write("\nhotspot: stopping after the items in flight (Ctrl-C again to abandon them)\n");
    controller.abort();
  };
  // Rate, ETA and the summary's time count from when the items start, after the trace is loaded.
  let bar: ProgressBar | undefined;
  let began = 0;
  let outcome: SweepOutcome;
  try {
    outcome = await sweep(request, {
      out: args.out,
      resume: args.resume,
      shard,
      execution,
      signal: controller.signal,
      onPrepared: ({ warnings, skippedTypes }) => {
        for (const warning of warnings) process.stderr.write(`hotspot: warning: ${warning}\n`);
        if (skippedTypes.length > 0) process.stderr.write(`hotspot: ${skippedTypesNote(skippedTypes)}\n`);
        process.once("SIGINT", onInterrupt);
        bar = new ProgressBar(process.stderr);
        began = performance.now();
      },
      onProgress: (done, total) => bar?.update(done, total),
    });
  } finally {
    process.removeListener("SIGINT", onInterrupt);
    bar?.finish();
  }
  process.stderr.write(summaryLine(outcome, args.out, (performance.now() - began) / 1000));
  if (args.report !== undefined) {
    // Written for interrupted sweeps too: the report marks them INCOMPLETE.
    const bytes = await writeSweepReport(outcome.document, args.report, {
      commandLine: args.commandLine ?? "hotspot sweep",
    });
    process.stderr.write(`hotspot: wrote ${args.report} (${bytes} bytes)\n`);
  }
  if (outcome.status === "interrupted") {
    throw new HotspotError(
      "HOTSPOT_INTERRUPTED",
      `sweep interrupted; finished items are in ${args.out}: run the same command with --resume to continue`,
    );
  }
  process.stdout.write(formatSweepTable(outcome.document));
}
