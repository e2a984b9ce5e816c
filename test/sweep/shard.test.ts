import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { parseShard, shardFromEnvironment, shardItems } from "../../src/sweep/shard.js";

describe("shards", () => {
  it("parses i/n with a 0-based index", () => {
    expect(parseShard("2/3")).toEqual({ index: 2, count: 3 });
    expect(() => parseShard("3/3")).toThrow(
      '--shard: expected a 0-based shard index from 0 to 2, found "3/3"',
    );
    expect(() => parseShard("1-3")).toThrow(UsageError);
    expect(() => parseShard("0/0")).toThrow("a shard count ≥ 1");
  });

  it("takes the index from AWS Batch, else from a Kubernetes Indexed Job", () => {
    expect(shardFromEnvironment(4, { AWS_BATCH_JOB_ARRAY_INDEX: "3" })).toEqual({ index: 3, count: 4 });
    expect(shardFromEnvironment(4, { JOB_COMPLETION_INDEX: "1" })).toEqual({ index: 1, count: 4 });
    expect(() => shardFromEnvironment(4, {})).toThrow(
      "AWS_BATCH_JOB_ARRAY_INDEX, JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID",
    );
    expect(() => shardFromEnvironment(4, { JOB_COMPLETION_INDEX: "4" })).toThrow(
      'JOB_COMPLETION_INDEX with --shard-count 4: expected a 0-based shard index from 0 to 3, found "4"',
    );
    expect(() => shardFromEnvironment(4, { AWS_BATCH_JOB_ARRAY_INDEX: "x" })).toThrow("a whole number");
  });

  it("takes the index of a Slurm array task counted from the array's first task", () => {
    const array = { SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_MAX: "4", SLURM_ARRAY_TASK_COUNT: "4" };
    expect(shardFromEnvironment(4, { ...array, SLURM_ARRAY_TASK_ID: "1" })).toEqual({ index: 0, count: 4 });
    expect(shardFromEnvironment(4, { ...array, SLURM_ARRAY_TASK_ID: "4" })).toEqual({ index: 3, count: 4 });
    expect(shardFromEnvironment(3, { SLURM_ARRAY_TASK_ID: "2" })).toEqual({ index: 2, count: 3 });
    expect(() => shardFromEnvironment(3, { ...array, SLURM_ARRAY_TASK_ID: "2" })).toThrow(
      '--shard-count: expected the array\'s task count SLURM_ARRAY_TASK_COUNT=4, found "3"',
    );
    expect(() =>
      shardFromEnvironment(2, {
        SLURM_ARRAY_TASK_ID: "2",
        SLURM_ARRAY_TASK_MIN: "0",
        SLURM_ARRAY_TASK_STEP: "2",
      }),
    ).toThrow("SLURM_ARRAY_TASK_STEP: expected 1 (an --array range without a step)");
    expect(() =>
      shardFromEnvironment(2, {
        SLURM_ARRAY_TASK_ID: "5",
        SLURM_ARRAY_TASK_MIN: "3",
        SLURM_ARRAY_TASK_MAX: "5",
      }),
    ).toThrow("SLURM_ARRAY_TASK_MIN..MAX = 3..5 (3 tasks)");
    // AWS Batch first: a Batch job that happens to run where Slurm variables leak keeps its index.
    expect(shardFromEnvironment(4, { AWS_BATCH_JOB_ARRAY_INDEX: "2", SLURM_ARRAY_TASK_ID: "0" })).toEqual({
      index: 2,
      count: 4,
    });
  });

  it("slices items round-robin; the slices partition the items", () => {
    expect(shardItems(8, { index: 1, count: 3 })).toEqual([1, 4, 7]);
    expect(shardItems(4, null)).toEqual([0, 1, 2, 3]);
    const all = [0, 1, 2].flatMap((index) => shardItems(10, { index, count: 3 })).sort((a, b) => a - b);
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
