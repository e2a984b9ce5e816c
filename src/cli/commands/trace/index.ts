import type { CommandModule } from "yargs";
import { traceInfoCommand } from "./info.js";
import { traceSynthCommand } from "./synth.js";
import { traceFetchCommand } from "./fetch.js";

export const traceCommand: CommandModule = {
  command: "trace <command>",
  describe: "Inspect, fetch and synthesise spot price traces",
  builder: (yargs) =>
    yargs
      .command(traceInfoCommand)
      .command(traceSynthCommand)
      .command(traceFetchCommand)
      .demandCommand(1, "name a trace command: info, synth, fetch"),
  handler: () => undefined,
};
