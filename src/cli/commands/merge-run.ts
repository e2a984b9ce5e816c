import { checkOutputPath } from "../../util/output-path.js";
import { readSweep, writeSweep } from "../../sweep/document.js";
import { mergeSweepDocuments } from "../../sweep/merge.js";

export interface MergeArgs {
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
