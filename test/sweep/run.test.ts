import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SweepConfig } from "../../src/sweep/config.js";
import { readSweep } from "../../src/sweep/document.js";
import type { Execution } from "../../src/sweep/pool.js";
import { runSweep, SweepMismatchError } from "../../src/sweep/run.js";
import type { Trace } from "../../src/traces/types.js";
import { prepareSmall, tsWorkerUrl, writeSmallTrace } from "./fixture.js";

let dir: string;
let tracePath: string;
let prepared: { config: SweepConfig; trace: Trace };
let reference: string;
const inline: Execution = { kind: "inline" };
const threads: Execution = { kind: "threads", jobs: 2, workerUrl: tsWorkerUrl };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-sweep-"));
  tracePath = await writeSmallTrace(dir);
  prepared = await prepareSmall(tracePath);
  await runSweep({
    ...prepared,
    out: join(dir, "reference.json"),
    resume: false,
    shard: null,
    execution: inline,
  });
  reference = await readFile(join(dir, "reference.json"), "utf8");
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const run = (out: string, execution: Execution, extra: { signal?: AbortSignal; resume?: boolean } = {}) =>
  runSweep({
    ...prepared,
    out: join(dir, out),
    resume: extra.resume ?? false,
    shard: null,
    execution,
    ...extra,
  });

describe("runSweep", () => {
  it("writes every item, sorted, with every policy, and statistics that are those of the items", async () => {
    const document = await readSweep(join(dir, "reference.json"));
    expect(document.complete).toBe(true);
    expect(document.shard).toBeNull();
    expect(document.items.map((item) => [item.index, item.point, item.window])).toEqual([
      [0, 0, 0],
      [1, 0, 1],
      [2, 0, 2],
      [3, 1, 0],
      [4, 1, 1],
      [5, 1, 2],
    ]);
    for (const item of document.items) {
      expect(item.outcomes.map((outcome) => outcome.policy)).toEqual(["on-demand", "greedy", "hotspot"]);
      expect(item.outcomes[0].percentOfOnDemand).toBeCloseTo(100, 9);
      expect(Date.parse(item.end) - Date.parse(item.start)).toBe(86_400_000);
      expect(item.seed).toBe(prepared.config.windows[item.window].seed);
    }
    expect(document.points.map((point) => point.varied)).toEqual([{ "memory-gib": 1 }, { "memory-gib": 16 }]);
    const greedy = document.points[1].policies[1];
    const costs = document.items.filter((item) => item.point === 1).map((item) => item.outcomes[1].costUsd);
    expect(greedy.policy).toBe("greedy");
    expect(greedy.metrics.costUsd.n).toBe(3);
    expect(greedy.metrics.costUsd.mean).toBeCloseTo((costs[0] + costs[1] + costs[2]) / 3, 12);
    expect(greedy.metrics.costUsd.p50).toBe([...costs].sort((a, b) => a - b)[1]);
  });

  it("gives the same bytes on 2 worker threads as on the main thread", async () => {
    const outcome = await run("threads.json", threads);
    expect(outcome.status).toBe("complete");
    expect(outcome.ran).toBe(6);
    expect(await readFile(join(dir, "threads.json"), "utf8")).toBe(reference);
  });

  it("stops on abort keeping finished items, then --resume completes to the same bytes", async () => {
    const controller = new AbortController();
    const stopped = await runSweep({
      ...prepared,
      out: join(dir, "resume.json"),
      resume: false,
      shard: null,
      execution: inline,
      signal: controller.signal,
      onProgress: (done) => {
        if (done === 2) controller.abort();
      },
    });
    expect(stopped.status).toBe("interrupted");
    const partial = await readSweep(join(dir, "resume.json"));
    expect(partial.complete).toBe(false);
    expect(partial.items.map((item) => item.index)).toEqual([0, 1]);
    expect(partial.points[0].windows).toBe(2);

    const resumed = await run("resume.json", inline, { resume: true });
    expect(resumed).toMatchObject({ status: "complete", resumed: 2, ran: 4, total: 6 });
    expect(await readFile(join(dir, "resume.json"), "utf8")).toBe(reference);
  });

  it("stops worker threads on abort after the items in flight, and resumes to the same bytes", async () => {
    const controller = new AbortController();
    const stopped = await runSweep({
      ...prepared,
      out: join(dir, "resume-threads.json"),
      resume: false,
      shard: null,
      execution: threads,
      signal: controller.signal,
      onProgress: (done) => {
        if (done === 1) controller.abort();
      },
    });
    expect(stopped.status).toBe("interrupted");
    // One item finished when the abort came; at most the other worker's item was still in flight.
    expect(stopped.document.items.length).toBeGreaterThanOrEqual(1);
    expect(stopped.document.items.length).toBeLessThanOrEqual(2);
    const resumed = await run("resume-threads.json", threads, { resume: true });
    expect(resumed.resumed + resumed.ran).toBe(6);
    expect(await readFile(join(dir, "resume-threads.json"), "utf8")).toBe(reference);
  });

  it("starts afresh when --resume finds no results file", async () => {
    const outcome = await run("fresh.json", inline, { resume: true });
    expect(outcome).toMatchObject({ status: "complete", resumed: 0, ran: 6 });
  });

  it("refuses to resume another sweep's results, or another shard's", async () => {
    const other = await prepareSmall(tracePath, { seed: 6 });
    const attempt = runSweep({
      ...other,
      out: join(dir, "reference.json"),
      resume: true,
      shard: null,
      execution: inline,
    });
    await expect(attempt).rejects.toThrow(SweepMismatchError);
    await expect(attempt).rejects.toThrow("results of a different sweep");
    await expect(
      runSweep({
        ...prepared,
        out: join(dir, "reference.json"),
        resume: true,
        shard: { index: 0, count: 2 },
        execution: inline,
      }),
    ).rejects.toThrow("results of the whole sweep, asked to resume shard 0/2");
    expect(await readFile(join(dir, "reference.json"), "utf8")).toBe(reference);
  });

  it("fails with the item's error, keeping the items finished before it (main thread and workers)", async () => {
    // Window 1 starts at NaN: the catalog cannot date it.
    const windows = prepared.config.windows.map((w, i) => (i === 1 ? { ...w, start: NaN } : w));
    const broken = { ...prepared, config: { ...prepared.config, windows } };
    const out = join(dir, "broken.json");
    await expect(runSweep({ ...broken, out, resume: false, shard: null, execution: inline })).rejects.toThrow(
      "Invalid time value",
    );
    expect((await readSweep(out)).items.map((item) => item.index)).toEqual([0]);
    const onThreads = runSweep({
      ...broken,
      out: join(dir, "broken-threads.json"),
      resume: false,
      shard: null,
      execution: threads,
    });
    await expect(onThreads).rejects.toThrow("sweep worker failed: Invalid time value");
  });

  it("keeps a worker's HotspotError code", async () => {
    const policies = [{ name: "cheapest", params: {} }];
    const attempt = runSweep({
      ...prepared,
      config: { ...prepared.config, policies },
      out: join(dir, "unknown.json"),
      resume: false,
      shard: null,
      execution: threads,
    });
    await expect(attempt).rejects.toMatchObject({ code: "HOTSPOT_UNKNOWN_NAME" });
    await expect(attempt).rejects.toThrow('unknown policy "cheapest"');
    expect(existsSync(join(dir, "unknown.json"))).toBe(false);
  });

  it("fails, rather than waits, when a worker thread cannot start", async () => {
    const missing = new URL("./no-such-worker.mjs", import.meta.url);
    const attempt = runSweep({
      ...prepared,
      out: join(dir, "no-worker.json"),
      resume: false,
      shard: null,
      execution: { kind: "threads", jobs: 2, workerUrl: missing },
    });
    await expect(attempt).rejects.toThrow("no-such-worker.mjs");
  });

  it("runs nothing when aborted before the first item, and still writes the (empty) results file", async () => {
    const controller = new AbortController();
    controller.abort();
    const outcome = await run("aborted.json", threads, { signal: controller.signal });
    expect(outcome).toMatchObject({ status: "interrupted", ran: 0 });
    expect(existsSync(join(dir, "aborted.json"))).toBe(true);
    expect((await readSweep(join(dir, "aborted.json"))).items).toEqual([]);
  });
});
