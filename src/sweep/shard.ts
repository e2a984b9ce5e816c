import { UsageError } from "../errors.js";

/** Slice `index` (0-based) of `count`: item k belongs to slice k mod count, so slices mix all grid points. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/**
 * Environment variables batch engines set to a job's array index, in the order consulted: AWS Batch,
 * a Kubernetes Indexed Job (both 0-based), a Slurm job array (from SLURM_ARRAY_TASK_MIN on).
 */
export const shardIndexVariables = [
  "AWS_BATCH_JOB_ARRAY_INDEX",
  "JOB_COMPLETION_INDEX",
  "SLURM_ARRAY_TASK_ID",
] as const;

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

/** `--shard-count n` with the index from AWS Batch, a Kubernetes Indexed Job or a Slurm job array. */
export function shardFromEnvironment(
  count: number,
  env: Readonly<Record<string, string | undefined>>,
): Shard {
  const found = shardIndexVariables.filter((name) => env[name] !== undefined && env[name] !== "");
  if (found.length === 0) {
    throw new UsageError(
      "--shard-count",
      `a shard index in the environment (${shardIndexVariables.join(", ")}), or --shard i/n`,
      "none set",
    );
  }
  const name = found[0];
  const raw = env[name]!;
  const index = wholeNumber(name, raw);
  if (name !== "SLURM_ARRAY_TASK_ID")
    return checkedShard(`${name} with --shard-count ${count}`, index, count, raw);
  return slurmShard(count, index, env);
}

function wholeNumber(name: string, raw: string): number {
  if (!/^\d+$/.test(raw)) throw new UsageError(name, "a whole number", JSON.stringify(raw));
  return Number(raw);
}

/**
 * A Slurm array task: `--array=MIN-MAX` numbers its tasks from MIN, so the shard index is ID − MIN;
 * every task of MIN…MAX must be a shard (step 1, SLURM_ARRAY_TASK_COUNT = --shard-count), else
 * some items would run twice or never.
 */
function slurmShard(count: number, id: number, env: Readonly<Record<string, string | undefined>>): Shard {
  const optional = (name: string): number | null =>
    env[name] === undefined || env[name] === "" ? null : wholeNumber(name, env[name]!);
  const min = optional("SLURM_ARRAY_TASK_MIN") ?? 0;
  const step = optional("SLURM_ARRAY_TASK_STEP");
  if (step !== null && step !== 1) {
    throw new UsageError(
      "SLURM_ARRAY_TASK_STEP",
      "1 (an --array range without a step)",
      JSON.stringify(String(step)),
    );
  }
  const tasks = optional("SLURM_ARRAY_TASK_COUNT");
  if (tasks !== null && tasks !== count) {
    throw new UsageError(
      "--shard-count",
      `the array's task count SLURM_ARRAY_TASK_COUNT=${tasks}`,
      JSON.stringify(String(count)),
    );
  }
  const max = optional("SLURM_ARRAY_TASK_MAX");
  if (max !== null && max - min + 1 !== count) {
    throw new UsageError(
      "--shard-count",
      `the array's range SLURM_ARRAY_TASK_MIN..MAX = ${min}..${max} (${max - min + 1} tasks) as the shard count`,
      JSON.stringify(String(count)),
    );
  }
  return checkedShard(
    `SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN (${id} − ${min}) with --shard-count ${count}`,
    id - min,
    count,
    String(id - min),
  );
}

/** The item indexes of `shard` among `total` items (all of them without a shard), ascending. */
export function shardItems(total: number, shard: Shard | null): number[] {
  const items: number[] = [];
  for (let k = shard?.index ?? 0; k < total; k += shard?.count ?? 1) items.push(k);
  return items;
}
