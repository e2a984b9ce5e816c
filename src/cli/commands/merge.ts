import type { Argv, CommandModule } from "yargs";
import { checkOutputPath } from "../../util/output-path.js";
import { readSweep, writeSweep } from "../../sweep/document.js";
import { mergeSweepDocuments } from "../../sweep/merge.js";

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

interface MergeArgs {
  shards: string[];
  out: string;
}

/** Reads every shard, checks they make up one whole sweep, and writes the merged document atomically. */
export async function runMergeCommand(args: MergeArgs): Promise<void> {
  await checkOutputPath("-o/--out", args.out);
  const shards = [];
  for (const path of args.shards) shards.push({ path, document: await readSweep(path) });
  const merged = mergeSweepDocuments(shards);
  await writeSweep(args.out, merged);
  process.stderr.write(
    `hotspot: merged ${shards.length} shard(s), ${merged.items.length} items -> ${args.out}\n`,
  );
}

export const mergeCommand: CommandModule<object, MergeArgs> = {
  command: "merge <shards..>",
  describe: "Combine the shard results of a sweep (--shard) into the unsharded document",
  builder: builder as unknown as CommandModule<object, MergeArgs>["builder"],
  handler: runMergeCommand,
};
