import { UsageError } from "../errors.js";

/** Slice `index` (0-based) of `count`: item k belongs to slice k mod count, so slices mix all grid points. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Environment variables batch engines set to a job's 0-based array index, in the order consulted. */
export const shardIndexVariables = ["AWS_BATCH_JOB_ARRAY_INDEX", "JOB_COMPLETION_INDEX"] as const;

function checkedShard(flag: string, index: number, count: number, raw: string): Shard {
  if (!Number.isInteger(count) || count < 1)
    throw new UsageError(flag, "a shard count ≥ 1", JSON.stringify(raw));
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new UsageError(flag, `a 0-based shard index from 0 to ${count - 1}`, JSON.stringify(raw));
  }
  return { index, count };
}

/** `--shard i/n`. */
export function parseShard(raw: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(raw.trim());
  if (!match) throw new UsageError("--shard", "i/n with 0 ≤ i < n (e.g. 0/4)", JSON.stringify(raw));
  return checkedShard("--shard", Number(match[1]), Number(match[2]), raw);
}

/** `--shard-count n` with the index from AWS Batch or a Kubernetes Indexed Job. */
export function shardFromEnvironment(
  count: number,
  env: Readonly<Record<string, string | undefined>>,
): Shard {
  const found = shardIndexVariables.filter((name) => env[name] !== undefined && env[name] !== "");
  if (found.length === 0) {
    throw new UsageError(
      "--shard-count",
      `a shard index in the environment (${shardIndexVariables.join(" or ")}), or --shard i/n`,
      "neither set",
    );
  }
  const raw = env[found[0]]!;
  if (!/^\d+$/.test(raw)) throw new UsageError(found[0], "a whole number", JSON.stringify(raw));
  return checkedShard(`${found[0]} with --shard-count ${count}`, Number(raw), count, raw);
}

/** The item indexes of `shard` among `total` items (all of them without a shard), ascending. */
export function shardItems(total: number, shard: Shard | null): number[] {
  const items: number[] = [];
  for (let k = shard?.index ?? 0; k < total; k += shard?.count ?? 1) items.push(k);
  return items;
}
