import yargs, { type Argv, type CommandModule } from "yargs";
import { HotspotError, UsageError, UnknownNameError } from "../errors.js";
import { shellCommandLine } from "../util/shell.js";
import { version } from "../version.js";
import { closest } from "./suggest.js";
import { fsReason, isFsError } from "../util/fs-errors.js";
import { terminalSafe } from "../util/terminal.js";
import { helpWidth } from "./prebuilt-help.js";

/** Exit codes: 0 success, 1 a run failed (bad data, cloud error), 2 the command line was wrong. */
export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * The commands, each loaded only when named: a command's module pulls in what it runs (the AWS SDK,
 * execa, vega), which `hotspot --version` or another command's help should not pay for. The root help
 * lists them by `command` and `describe`, which must match the modules' (a test checks).
 */
export const commandTable = {
  trace: {
    command: "trace <command>",
    describe: "Inspect, fetch and synthesise spot price traces",
    load: async () => (await import("./commands/trace/index.js")).traceCommand,
  },
  sim: {
    command: "sim",
    describe: "Replay a spot price trace and compare hopping policies on it",
    load: async () => (await import("./commands/sim.js")).simCommand,
  },
  report: {
    command: "report <results..>",
    describe: "Write a self-contained HTML report comparing the policies of results documents",
    load: async () => (await import("./commands/report.js")).reportCommand,
  },
  sweep: {
    command: "sweep",
    describe: "Run policies over a grid of settings and many trace windows, in parallel, with statistics",
    load: async () => (await import("./commands/sweep.js")).sweepCommand,
  },
  merge: {
    command: "merge <shards..>",
    describe: "Combine the shard results of a sweep (--shard) into the unsharded document",
    load: async () => (await import("./commands/merge.js")).mergeCommand,
  },
  setup: {
    command: "setup",
    describe:
      "Make (or --destroy) the VPC, subnet, security group, gateway, ENI, Elastic IP and volume live mode uses",
    load: async () => (await import("./commands/setup.js")).setupCommand,
  },
  live: {
    command: "live [action]",
    describe:
      "Hop the container as the configured policy decides, journaled and resumable (--dry-run: print the decisions, act on nothing; gc: end orphans)",
    load: async () => (await import("./commands/live.js")).liveCommand,
  },
  catalog: {
    command: "catalog <command>",
    describe: "Fetch, list and inspect instance specs and on-demand prices",
    load: async () => (await import("./commands/catalog.js")).catalogCommand,
  },
  image: {
    command: "image <action> [image]",
    describe: "Build, list or delete the image every instance boots (LXC, CRIU, Node, hotspot)",
    load: async () => (await import("./commands/image.js")).imageCommand,
  },
  local: {
    command: "local <action>",
    describe:
      "The local cloud: an EC2 emulator on network-namespace hosts, to rehearse live mode on one machine",
    load: async () => (await import("./commands/local.js")).localCommand,
  },
  container: {
    command: "container <action>",
    describe:
      "Create the container on the setup's volume: root filesystem, app, and the LXC settings checkpointing needs",
    load: async () => (await import("./commands/container.js")).containerCommand,
  },
  launch: {
    command: "launch",
    describe:
      "Start the container's first home: an instance whose controller mounts the volume, starts the container and hops it",
    load: async () => (await import("./commands/launch.js")).launchCommand,
  },
  status: {
    command: "status",
    describe:
      "Where the container runs, since when, its hops, downtimes, cost and last decision (EC2 credentials only)",
    load: async () => (await import("./commands/operate.js")).statusCommand,
  },
  stop: {
    command: "stop",
    describe: "Stop hopping; the container keeps running where it is",
    load: async () => (await import("./commands/operate.js")).stopCommand,
  },
  down: {
    command: "down",
    describe:
      "Stop the container and terminate its instances; the volume and ENI are kept unless --delete-volume",
    load: async () => (await import("./commands/operate.js")).downCommand,
  },
} as const satisfies Record<string, { command: string; describe: string; load: () => Promise<object> }>;

/** Registers every command: the one `argv` names in full, the others by name and description. */
async function withCommands(parser: Argv, argv: readonly string[]): Promise<Argv> {
  const named = argv.find((arg) => !arg.startsWith("-"));
  let result = parser;
  for (const [name, entry] of Object.entries(commandTable)) {
    result =
      name === named
        ? result.command((await entry.load()) as CommandModule)
        : result.command(entry.command, entry.describe);
  }
  return result;
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code; never exits itself. */
export async function main(argv: readonly string[]): Promise<number> {
  const root = yargs([...argv])
    .scriptName("hotspot")
    .usage(
      "$0 <command> [options]\n\nKeep a long-running container on the cheapest EC2 capacity by hopping between spot servers.",
    );
  const parser = (await withCommands(root, argv))
    // Reports print the command that reproduces them; handlers only see parsed arguments.
    .middleware((args) => {
      args.commandLine = shellCommandLine(["hotspot", ...argv]);
    })
    .demandCommand(1, `name a command: ${Object.keys(commandTable).join(", ")}`)
    .recommendCommands()
    .strict()
    .exitProcess(false)
    .help()
    .alias("h", "help")
    .version(version)
    // bin.ts prints the build's help pages, made at this width, without loading yargs.
    .wrap(helpWidth(process.stdout.columns))
    .fail((message, error) => {
      // Throwing (rather than returning) keeps yargs from running the handler after a usage error.
      // While a command is validated, the parser's options are that command's.
      throw error ?? new CommandLineError(withFlagSuggestions(message, knownFlags(parser)));
    });
  try {
    // With a callback yargs hands over help and version text instead of printing it through console.
    await parser.parseAsync([...argv], {}, (_error, _parsed, output) => {
      if (output) process.stdout.write(`${output}\n`);
    });
  } catch (error) {
    return reportError(error);
  }
  return exitCodes.ok;
}

/** Adds "did you mean --x?" to yargs' "Unknown argument(s): a, b" for flags close to a known one. */
function withFlagSuggestions(message: string, known: readonly string[]): string {
  const match = /^Unknown arguments?: (.+)$/.exec(message);
  if (!match) return message;
  const hints = match[1]
    .split(", ")
    .map((name) => [name, closest(name, known)] as const)
    .filter((pair): pair is readonly [string, string] => pair[1] !== undefined)
    .map(([name, guess]) => `--${name}: did you mean --${guess}?`);
  return hints.length === 0 ? message : `${message}\n${hints.join("\n")}`;
}

/** The flags yargs knows in its current command context (its typings do not declare getOptions). */
function knownFlags(parser: object): string[] {
  const options = (parser as { getOptions(): { key: Record<string, unknown> } }).getOptions();
  return Object.keys(options.key);
}

/** yargs rejected the command line (unknown flag or command, missing argument). */
class CommandLineError extends Error {}

function reportError(error: unknown): number {
  // Messages quote input (file names, cells): nothing from it reaches the terminal raw.
  const write = (text: string) => process.stderr.write(terminalSafe(text));
  if (error instanceof CommandLineError) {
    write(`hotspot: ${error.message}\nRun with --help for usage.\n`);
    return exitCodes.usage;
  }
  if (error instanceof UsageError || error instanceof UnknownNameError) {
    write(`hotspot: ${error.message}\n`);
    return exitCodes.usage;
  }
  if (error instanceof HotspotError) {
    write(`hotspot: ${error.message} [${error.code}]\n`);
    return exitCodes.failed;
  }
  // A file-system failure nothing located (yet) still names its file, without a stack trace.
  if (isFsError(error)) {
    const where = error.path === undefined ? "" : `${error.path}: `;
    write(`hotspot: ${where}cannot ${error.syscall} (${fsReason(error)}) [HOTSPOT_IO]\n`);
    return exitCodes.failed;
  }
  write(
    `hotspot: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return exitCodes.failed;
}
