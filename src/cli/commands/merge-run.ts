import { mergeSweeps } from "../../api.js";
import { checkOutputPath } from "../../util/output-path.js";

export interface MergeArgs {
  shards: string[];
  out: string;
}

/** Reads every shard, checks they make up one whole sweep, and writes the merged document atomically. */
export async function runMergeCommand(args: MergeArgs): Promise<void> {
  await checkOutputPath("-o/--out", args.out);
  const merged = await mergeSweeps(args.shards, args.out);
  process.stderr.write(
    `hotspot: merged ${merged.shards} shard(s), ${merged.document.items.length} items -> ${args.out}\n`,
  );
}
