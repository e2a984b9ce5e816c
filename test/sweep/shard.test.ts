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
    expect(() => shardFromEnvironment(4, {})).toThrow("AWS_BATCH_JOB_ARRAY_INDEX or JOB_COMPLETION_INDEX");
    expect(() => shardFromEnvironment(4, { JOB_COMPLETION_INDEX: "4" })).toThrow(
      'JOB_COMPLETION_INDEX with --shard-count 4: expected a 0-based shard index from 0 to 3, found "4"',
    );
    expect(() => shardFromEnvironment(4, { AWS_BATCH_JOB_ARRAY_INDEX: "x" })).toThrow("a whole number");
  });

  it("slices items round-robin; the slices partition the items", () => {
    expect(shardItems(8, { index: 1, count: 3 })).toEqual([1, 4, 7]);
    expect(shardItems(4, null)).toEqual([0, 1, 2, 3]);
    const all = [0, 1, 2].flatMap((index) => shardItems(10, { index, count: 3 })).sort((a, b) => a - b);
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
