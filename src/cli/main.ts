import yargs from "yargs";
import { HotspotError, UsageError, UnknownNameError } from "../errors.js";
import { traceCommand } from "./commands/trace/index.js";
import { simCommand } from "./commands/sim.js";
import { reportCommand } from "./commands/report.js";
import { sweepCommand } from "./commands/sweep.js";
import { mergeCommand } from "./commands/merge.js";
import { setupCommand } from "./commands/setup.js";
import { liveCommand } from "./commands/live.js";
import { imageCommand } from "./commands/image.js";
import { shellCommandLine } from "../reports/command-line.js";
import { version } from "../version.js";
import { closest } from "./suggest.js";

/** Exit codes: 0 success, 1 a run failed (bad data, cloud error), 2 the command line was wrong. */
export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;

/** Runs the CLI on `argv` (without node and script) and returns the exit code; never exits itself. */
export async function main(argv: readonly string[]): Promise<number> {
  const parser = yargs([...argv])
    .scriptName("hotspot")
    .usage(
      "$0 <command> [options]\n\nKeep a long-running container on the cheapest EC2 capacity by hopping between spot servers.",
    )
    .command(traceCommand)
    .command(simCommand)
    .command(reportCommand)
    .command(sweepCommand)
    .command(mergeCommand)
    .command(setupCommand)
    .command(liveCommand)
    .command(imageCommand)
    // Reports print the command that reproduces them; handlers only see parsed arguments.
    .middleware((args) => {
      args.commandLine = shellCommandLine(["hotspot", ...argv]);
    })
    .demandCommand(1, "name a command: trace, sim, report, sweep, merge, setup, live, image")
    .recommendCommands()
    .strict()
    .exitProcess(false)
    .help()
    .alias("h", "help")
    .version(version)
    .wrap(Math.min(110, process.stdout.columns || 110))
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
  if (error instanceof CommandLineError) {
    process.stderr.write(`hotspot: ${error.message}\nRun with --help for usage.\n`);
    return exitCodes.usage;
  }
  if (error instanceof UsageError || error instanceof UnknownNameError) {
    process.stderr.write(`hotspot: ${error.message}\n`);
    return exitCodes.usage;
  }
  if (error instanceof HotspotError) {
    process.stderr.write(`hotspot: ${error.message} [${error.code}]\n`);
    return exitCodes.failed;
  }
  process.stderr.write(
    `hotspot: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return exitCodes.failed;
}
