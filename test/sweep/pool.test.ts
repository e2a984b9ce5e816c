import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HotspotError } from "../../src/errors.js";
import type { SweepConfig } from "../../src/sweep/config.js";
import type { ItemResult } from "../../src/sweep/item.js";
import { runPool } from "../../src/sweep/pool.js";
import { handTrace } from "../drivers/sim/fixtures.js";

/**
 * A stand-in worker speaking the pool's protocol: ready, then per index a result naming the thread
 * and whether the trace arrived in shared memory; index 7 fails with a HotspotError, 8 exits the thread.
 */
const workerSource = `
import { parentPort, threadId, workerData } from "node:worker_threads";
const shared = workerData.trace.price.buffer instanceof SharedArrayBuffer;
parentPort.on("message", (index) => {
  if (index === 7) return parentPort.postMessage({ kind: "error", code: "HOTSPOT_TEST", message: "item 7 failed", stack: null });
  if (index === 8) process.exit(3);
  parentPort.postMessage({ kind: "result", result: { index, point: threadId, window: shared ? 1 : 0 } });
});
parentPort.postMessage({ kind: "ready" });
`;

let dir: string;
let workerUrl: URL;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-pool-"));
  await writeFile(join(dir, "worker.mjs"), workerSource);
  workerUrl = pathToFileURL(join(dir, "worker.mjs"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const trace = handTrace([["z", "a.large", 0, 0.1]], { start: null, end: null });
const config = {} as SweepConfig;

async function pool(todo: readonly number[], jobs: number, signal?: AbortSignal) {
  const results: ItemResult[] = [];
  await runPool({
    config,
    trace,
    todo,
    execution: { kind: "threads", jobs, workerUrl },
    signal,
    onResult: (result) => results.push(result),
  });
  return results;
}

describe("runPool on threads", () => {
  it("runs every item once across at most `jobs` threads, the trace in shared memory", async () => {
    const results = await pool([0, 1, 2, 3, 4, 5], 2);
    expect(results.map((r) => r.index).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(new Set(results.map((r) => r.point)).size).toBeLessThanOrEqual(2);
    expect(results.every((r) => r.window === 1)).toBe(true);
    // Never more threads than items.
    expect(new Set((await pool([0], 4)).map((r) => r.point)).size).toBe(1);
  });

  it("a worker's HotspotError comes back with its code; a thread that exits is an error", async () => {
    const error = await pool([7], 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HotspotError);
    expect([(error as HotspotError).code, (error as Error).message]).toEqual([
      "HOTSPOT_TEST",
      "item 7 failed",
    ]);
    await expect(pool([8], 1)).rejects.toThrow("sweep worker exited with code 3");
  });

  it("runs nothing for no items or a signal already aborted", async () => {
    const aborted = new AbortController();
    aborted.abort();
    expect(await pool([0, 1], 2, aborted.signal)).toEqual([]);
    expect(await pool([], 2)).toEqual([]);
  });
});
