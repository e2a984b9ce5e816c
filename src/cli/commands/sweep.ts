import type { Argv, CommandModule } from "yargs";
import type { SweepArgs } from "./sweep-run.js";
import { billingModels } from "../../engine/billing.js";
import { varyKeys } from "../../sweep/settings.js";
import { shardIndexVariables } from "../../sweep/shard.js";
import { withCatalogOptions } from "../catalog-options.js";
import { defaultMaxDecisions, defaultMaxUnpriced } from "../../options/parse.js";
import { withTraceLoadOptions } from "../trace-options.js";
import { advisorOption, advisorOsOption } from "../policy-input-options.js";

function builder(yargs: Argv) {
  return withCatalogOptions(withTraceLoadOptions(yargs))
    .alias("zones", "zone")
    .option("trace", { type: "string", demandOption: true, describe: "Price trace to replay" })
    .option("policy", {
      type: "string",
      array: true,
      default: ["all"],
      describe: "Policies, comma-separated, or all",
    })
    .option("baseline", {
      type: "string",
      default: "spot-stay",
      describe:
        "Policy every other is paired against, window by window (mean saving, bootstrap 95% CI, wins/ties/losses); added to --policy when not in it",
    })
    .option("param", {
      type: "string",
      array: true,
      describe: "Policy parameter name=value or policy:name=value",
    })
    .option("vary", {
      type: "string",
      array: true,
      describe: `Setting to sweep, KEY=v1,v2,... (repeatable; the grid is every combination). Keys: ${Object.entries(
        varyKeys,
      )
        .map(([key, spec]) => `${key} (${spec.describe})`)
        .join("; ")}`,
    })
    .option("windows", {
      type: "string",
      default: "30d",
      describe: "Length of each simulated window (30d, 12h)",
    })
    .option("starts", {
      type: "string",
      default: "20",
      describe: "Window start times drawn (seeded) within the trace",
    })
    .option("seed", {
      type: "string",
      default: "1",
      describe: "Seed of the window starts and every simulation",
    })
    .option("jobs", {
      type: "string",
      describe: "Worker threads (default: available cores; 1 runs on the main thread)",
    })
    .option("out", {
      type: "string",
      default: "sweep-results.json",
      describe: "Results document (JSON), written atomically as items finish",
    })
    .option("report", {
      type: "string",
      describe: "Also write a self-contained HTML report: statistics and % of on-demand with 95% CIs",
    })
    .option("resume", {
      type: "boolean",
      default: false,
      describe: "Continue from --out: keep its finished items (it must be the same sweep and shard)",
    })
    .option("shard", { type: "string", describe: "Run only slice i of n (0-based), e.g. 2/8" })
    .option("shard-count", {
      type: "string",
      describe: `Run one of n slices, the index taken from ${shardIndexVariables.join(" or ")}`,
    })
    .option("interval", {
      type: "string",
      default: "300",
      describe: "Seconds between policy decisions (at least 1 s)",
    })
    .option("max-decisions", {
      type: "string",
      default: String(defaultMaxDecisions),
      describe: "Most decisions per run (--windows ÷ --interval) before the sweep is refused",
    })
    .option("billing", {
      type: "string",
      default: "per-second",
      describe: `Billing model: ${Object.keys(billingModels).join(", ")}`,
    })
    .option("interruptions", {
      type: "string",
      default: "auto",
      describe: "none, bid, or auto (bid for windows before 2017-11-28, else none)",
    })
    .option("bid-multiple", {
      type: "string",
      default: "1",
      describe: "Bid as a multiple of the on-demand price",
    })
    .option("durations", {
      type: "string",
      default: "mean",
      describe: "Migration step durations: mean or sampled",
    })
    .option("memory", { type: "string", default: "8", describe: "Container memory footprint, GiB" })
    .option("demand", {
      type: "string",
      describe: "Work units the application can use (default half an m4.4xlarge)",
    })
    .option("utilisation", { type: "string", default: "1", describe: "Constant load level in [0, 1]" })
    .option("transfer", {
      type: "string",
      default: "network",
      describe: "Checkpoint transfer: network or ebs",
    })
    .option("bandwidth-gbps", { type: "string", describe: "Memory-to-memory bandwidth, Gbit/s (default 10)" })
    .option("history-window", { type: "string", default: "1d", describe: "Look-back window policies see" })
    .option("advisor", advisorOption)
    .option("advisor-os", advisorOsOption)
    .option("max-unpriced", {
      type: "string",
      default: String(defaultMaxUnpriced),
      describe:
        "Largest share (0 to 1) of the span windows are drawn from that lies before the trace's first price or after its last change; beyond it the sweep is refused, below it warned of",
    })
    .example(
      "$0 sweep --trace t.csv --policy all --vary memory-gib=1,4,16,64 --vary interval=60,300 --windows 30d --starts 20 --seed 7",
      "8 grid points × 20 windows, every policy, on all cores",
    )
    .example("$0 sweep ... --out r.json --resume", "Continue an interrupted sweep")
    .example("$0 sweep ... --shard 0/4 --out shard-0.json", "One of 4 slices; combine with hotspot merge");
}

export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: "sweep",
  describe: "Run policies over a grid of settings and many trace windows, in parallel, with statistics",
  builder: builder as unknown as CommandModule<object, SweepArgs>["builder"],
  // The sweep, its workers and the statistics load only when a sweep runs.
  handler: async (args) => (await import("./sweep-run.js")).runSweepCommand(args),
};
