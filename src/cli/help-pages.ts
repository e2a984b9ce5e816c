import yargs, { type Argv } from "yargs";
import { commandTable } from "./main.js";

/** A loaded command: its builder, when a function, registers its subcommands (trace info, catalog show). */
interface LoadedCommand {
  readonly builder?: unknown;
}

/** The names of the subcommands a parser has registered (yargs' typings do not declare its internals). */
function registeredCommands(parser: Argv): string[] {
  const internal = parser as unknown as {
    getInternalMethods(): { getCommandInstance(): { getCommands(): string[] } };
  };
  return internal.getInternalMethods().getCommandInstance().getCommands();
}

/**
 * Every command line whose `--help` the build writes (scripts/generate-help.mjs): the root, each
 * command of main's commandTable, and each subcommand its builder registers.
 */
export async function helpCommandLines(): Promise<string[][]> {
  const lines: string[][] = [[]];
  for (const [name, entry] of Object.entries(commandTable)) {
    lines.push([name]);
    const { builder } = (await entry.load()) as LoadedCommand;
    if (typeof builder !== "function") continue;
    const parser = yargs([]);
    (builder as (parser: Argv) => unknown)(parser);
    for (const sub of registeredCommands(parser)) lines.push([name, sub]);
  }
  return lines;
}
