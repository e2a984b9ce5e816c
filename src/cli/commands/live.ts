import { join } from "node:path";
import type { CommandModule } from "yargs";
import { runLiveAct, runLiveGc } from "./live-act.js";
import { dryRunOnEc2, type DecisionRecord } from "../../api.js";
import { wallClock, type Clock } from "../../util/clock.js";
import { parseChoice } from "../../options/parse.js";
import {
  ACT_ONLY,
  actOptionsFromArgs,
  actions,
  cloudOf,
  DRY_RUN_ONLY,
  liveBuilder,
  mountOf,
  optionsFromArgs,
  refuse,
  sharedOptions,
  stateDirOf,
  withLocalDefaults,
  type LiveArgs,
} from "../live-options.js";

function usd(value: number | null): string {
  return value === null ? "no price" : `$${value.toFixed(6)}/h`;
}

function market(ref: DecisionRecord["current"]): string {
  return ref === null ? "none" : `${ref.instanceType} ${ref.lifecycle}`;
}

/** One decision as a line of text. */
export function formatDecision(record: DecisionRecord): string {
  const move =
    record.action === "stay"
      ? market(record.chosen)
      : `${market(record.current)} -> ${market(record.chosen)}`;
  const downtime =
    record.migration === null ? "" : ` (est. downtime ${record.migration.downtimeSeconds.toFixed(1)} s)`;
  const notice = record.interruptionAt === null ? "" : ` [interruption at ${record.interruptionAt}]`;
  return `${record.time} ${record.trigger} ${record.action} ${move} ${usd(record.price)}${downtime}: ${record.reason}${notice}\n`;
}

/** `hotspot live`: acting, `--dry-run` or `gc`, each validating its flags before anything runs. */
export async function runLiveCommand(given: LiveArgs, clock: Clock = wallClock): Promise<void> {
  const args = await withLocalDefaults(given);
  if (args.action !== undefined) {
    parseChoice("--action", args.action, actions);
    const gcFlags = ACT_ONLY.filter((f) => f !== "mount");
    refuse(args, [...DRY_RUN_ONLY.filter((f) => f !== "json"), ...gcFlags], "not with live gc");
    const { cloud, endpoint } = cloudOf(args);
    const { configPath } = sharedOptions(args);
    // On EC2 the journal is on the container's volume, where acting keeps it.
    const onVolume = cloud === "aws" && args["state-dir"] === undefined;
    return runLiveGc(
      {
        configPath,
        endpoint,
        stateDir: onVolume ? join(mountOf(args), "hotspot") : stateDirOf(args),
        dryRun: args["dry-run"] ?? false,
      },
      clock,
    );
  }
  if (args["dry-run"] !== true) return runLiveAct(actOptionsFromArgs(args), clock);
  return runLiveDryRun(args, clock);
}

/** `hotspot live --dry-run`: validates flags, reads the config, and prints one line per decision. */
async function runLiveDryRun(args: LiveArgs, clock: Clock): Promise<void> {
  const options = optionsFromArgs(args);
  const watched = options.metadata !== undefined;
  const summary = await dryRunOnEc2({
    configPath: options.configPath,
    endpoint: options.endpoint,
    specsFile: options.catalog.specsFile,
    workUnit: options.catalog.workUnit,
    policy: options.policy,
    workload: { memoryGiB: options.memoryGiB, demand: options.demand, utilisation: options.utilisation },
    current: options.current,
    billing: options.billing,
    intervalSeconds: options.intervalSeconds,
    historyWindowSeconds: options.historyWindowSeconds,
    skipUnknownTypes: options.catalog.skipUnknownTypes,
    cpuCompat: options.cpuCompat,
    clock,
    metadata: options.metadata,
    rounds: options.rounds,
    onStart: ({ policy, zone }) =>
      process.stderr.write(
        `hotspot live --dry-run: policy ${policy} in ${zone}; nothing is launched, moved or stopped${watched ? "" : "; interruption notices are not watched (no --metadata)"}\n`,
      ),
    onDecision: (record) =>
      process.stdout.write(options.json ? `${JSON.stringify(record)}\n` : formatDecision(record)),
    onMemoryExclusions: (lines) => {
      if (lines.length > 0) process.stderr.write(`hotspot live --dry-run: ${lines.join("; ")}\n`);
    },
  });
  const left = [
    ...summary.skipped.map((gap) => `${gap.type} (no catalog ${gap.missing})`),
    ...summary.noSpotPrice.map((type) => `${type} spot (no spot price in ${summary.zone})`),
    ...summary.cpu.excluded.map(
      (type) => `${type} (--cpu-compat ${summary.cpu.rule} from ${summary.cpu.origin})`,
    ),
  ];
  process.stderr.write(
    `hotspot live --dry-run: ${summary.decisions} decision(s) over ${summary.markets.length} market(s); ${summary.polls} price poll(s), ${summary.records} record(s) of which ${summary.duplicates} already known${left.length > 0 ? `; left out: ${left.join(", ")}` : ""}\n`,
  );
}

export const liveCommand: CommandModule<object, LiveArgs> = {
  command: "live [action]",
  describe:
    "Hop the container as the configured policy decides, journaled and resumable (--dry-run: print the decisions, act on nothing; gc: end orphans)",
  builder: liveBuilder as unknown as CommandModule<object, LiveArgs>["builder"],
  handler: (args) => runLiveCommand(args),
};
