import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SweepConfig } from "../../src/sweep/config.js";
import { readSweep, serializeSweep, type SweepDocument } from "../../src/sweep/document.js";
import { MergeError, mergeSweepDocuments } from "../../src/sweep/merge.js";
import { runSweep } from "../../src/sweep/run.js";
import type { Trace } from "../../src/traces/types.js";
import { prepareSmall, tsWorkerUrl, writeSmallTrace } from "./fixture.js";

let dir: string;
let prepared: { config: SweepConfig; trace: Trace };
let whole: string;
const shards: { path: string; document: SweepDocument }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-merge-"));
  const tracePath = await writeSmallTrace(dir);
  prepared = await prepareSmall(tracePath);
  await runSweep({
    ...prepared,
    out: join(dir, "whole.json"),
    resume: false,
    shard: null,
    execution: { kind: "inline" },
  });
  whole = await readFile(join(dir, "whole.json"), "utf8");
  for (const index of [0, 1, 2]) {
    const path = join(dir, `shard-${index}.json`);
    // One shard on worker threads, so merge also meets their output.
    const execution =
      index === 1
        ? { kind: "threads" as const, jobs: 2, workerUrl: tsWorkerUrl }
        : { kind: "inline" as const };
    await runSweep({ ...prepared, out: path, resume: false, shard: { index, count: 3 }, execution });
    shards.push({ path, document: await readSweep(path) });
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("mergeSweepDocuments", () => {
  it("makes 3 shards into the unsharded document, byte for byte, in any order", () => {
    expect(shards.map(({ document }) => document.items.map((item) => item.index))).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    expect(serializeSweep(mergeSweepDocuments(shards))).toBe(whole);
    expect(serializeSweep(mergeSweepDocuments([shards[2], shards[0], shards[1]]))).toBe(whole);
  });

  it("names an item whose content was edited (cost -999) instead of merging it", () => {
    const [first, ...rest] = shards;
    const edited = structuredClone(first.document) as SweepDocument;
    const item = edited.items[1];
    (item.outcomes[0] as { costUsd: number }).costUsd = -999;
    expect(() => mergeSweepDocuments([{ path: first.path, document: edited }, ...rest])).toThrow(
      `${first.path}: item 3 (point ${item.point}, window ${item.window}) was altered: its content no longer matches its digest ${item.digest.slice(0, 12)}…; run that shard again`,
    );
  });

  it("names the item missing from a complete-looking shard", () => {
    const [first, ...rest] = shards;
    const cut = { ...first.document, items: first.document.items.slice(0, 1) };
    expect(() => mergeSweepDocuments([{ path: first.path, document: cut }, ...rest])).toThrow(
      `the shards hold 5 of the sweep's 6 items; missing item(s) 3 (shard 0: ${first.path})`,
    );
  });

  it("names a missing shard", () => {
    expect(() => mergeSweepDocuments([shards[0], shards[2]])).toThrow(MergeError);
    expect(() => mergeSweepDocuments([shards[0], shards[2]])).toThrow("missing shard(s) 1/3");
  });

  it("names overlapping shards", () => {
    expect(() => mergeSweepDocuments([shards[0], shards[1], { ...shards[1], path: "copy.json" }])).toThrow(
      `copy.json and ${shards[1].path} overlap: both hold shard 1/3`,
    );
  });

  it("refuses shards of another sweep, of another shard count, unfinished, or a whole sweep", async () => {
    const other = await prepareSmall(prepared.config.trace.path, { seed: 9 });
    const path = join(dir, "other.json");
    await runSweep({
      ...other,
      out: path,
      resume: false,
      shard: { index: 2, count: 3 },
      execution: { kind: "inline" },
    });
    const foreign = { path, document: await readSweep(path) };
    expect(() => mergeSweepDocuments([shards[0], shards[1], foreign])).toThrow(
      `${path}: belongs to another sweep`,
    );
    const four = { path: "four.json", document: { ...shards[2].document, shard: { index: 2, count: 4 } } };
    expect(() => mergeSweepDocuments([shards[0], shards[1], four])).toThrow("four.json: shard of 4");
    const unfinished = {
      path: "partial.json",
      document: { ...shards[2].document, items: shards[2].document.items.slice(0, 1), complete: false },
    };
    expect(() => mergeSweepDocuments([shards[0], shards[1], unfinished])).toThrow(
      "partial.json: shard 2/3 is unfinished (1 item(s)); finish it with --resume",
    );
    const wholeDocument = { path: "whole.json", document: await readSweep(join(dir, "whole.json")) };
    expect(() => mergeSweepDocuments([wholeDocument])).toThrow(
      "whole.json: holds a whole sweep, not a shard",
    );
    expect(() => mergeSweepDocuments([])).toThrow("no shard files given");
  });
});
