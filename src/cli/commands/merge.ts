import type { Argv, CommandModule } from "yargs";
import type { MergeArgs } from "./merge-run.js";

function builder(yargs: Argv) {
  return yargs
    .positional("shards", { type: "string", array: true, describe: "Shard results files of one sweep" })
    .option("out", {
      alias: "o",
      type: "string",
      demandOption: true,
      describe: "Merged results document (JSON)",
    })
    .example("$0 merge shard-*.json -o results.json", "Combine every shard of a sweep");
}

export const mergeCommand: CommandModule<object, MergeArgs> = {
  command: "merge <shards..>",
  describe: "Combine the shard results of a sweep (--shard) into the unsharded document",
  builder: builder as unknown as CommandModule<object, MergeArgs>["builder"],
  // The sweep documents and their statistics load only when shards are merged.
  handler: async (args) => (await import("./merge-run.js")).runMergeCommand(args),
};
