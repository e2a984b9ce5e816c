import type { Argv, CommandModule } from "yargs";
import { billingModels } from "../../engine/billing.js";
import { availabilityReadings, interruptionModels, skypilotTypes } from "../../drivers/sim/interruptions.js";
import { DEFAULT_CPU_COMPAT } from "../../policies/cpu-compat.js";
import { policyNames } from "../../policies/names.js";
import { defaultMaxDecisions } from "../../options/parse.js";
import { withCatalogOptions } from "../catalog-options.js";
import { withTraceLoadOptions } from "../trace-options.js";
import type { SimArgs } from "./sim-run.js";
import { advisorOption, advisorOsOption } from "../policy-input-options.js";

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
    .option("advisor", advisorOption)
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
    .option("advisor-os", advisorOsOption)
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

export const simCommand: CommandModule<object, SimArgs> = {
  command: "sim",
  describe: "Replay a spot price trace and compare hopping policies on it",
  builder: builder as unknown as CommandModule<object, SimArgs>["builder"],
  // The trace loaders, the engine and the policies load only when a simulation runs.
  handler: async (args) => (await import("./sim-run.js")).runSimCommand(args),
};
