import { Worker } from "node:worker_threads";
import type { Trace } from "../traces/types.js";
import type { SweepConfig } from "./config.js";
import { createItemContext, runItem, type ItemResult } from "./item.js";
import { rebuildError, type FromWorker } from "./messages.js";

/**
 * How items run: `inline` on the calling thread (no start-up cost; what `--jobs 1` uses), or `threads`
 * on `jobs` worker threads. `workerUrl` overrides the worker entry (tests running from TypeScript).
 */
export type Execution =
  { readonly kind: "inline" } | { readonly kind: "threads"; readonly jobs: number; readonly workerUrl?: URL };

export interface PoolInput {
  readonly config: SweepConfig;
  readonly trace: Trace;
  /** Item indexes to run, in dispatch order. */
  readonly todo: readonly number[];
  readonly execution: Execution;
  /** Once aborted, no new item starts; items in flight finish and are reported. */
  readonly signal?: AbortSignal;
  readonly onResult: (result: ItemResult) => void;
}

/** Runs the items; resolves when all ran or, after an abort, when the items in flight have finished. */
export async function runPool(input: PoolInput): Promise<void> {
  if (input.todo.length === 0 || input.signal?.aborted) return;
  if (input.execution.kind === "inline") return runInline(input);
  return runThreads(
    input,
    input.execution.jobs,
    input.execution.workerUrl ?? new URL("./worker.js", import.meta.url),
  );
}

async function runInline(input: PoolInput): Promise<void> {
  const context = await createItemContext(input.config, input.trace);
  for (const index of input.todo) {
    if (input.signal?.aborted) return;
    input.onResult(await runItem(context, index));
    // Let signal handlers run between items: the simulation itself never yields to the event loop.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Copies the trace's columns into shared memory once, so every worker reads the same buffers instead of
 * receiving (or loading) its own copy.
 */
function sharedTrace(trace: Trace): Trace {
  const share = <T extends Float64Array | Uint32Array>(
    array: T,
    make: (buffer: SharedArrayBuffer) => T,
  ): T => {
    const copy = make(new SharedArrayBuffer(array.byteLength));
    copy.set(array);
    return copy;
  };
  return {
    ...trace,
    time: share(trace.time, (buffer) => new Float64Array(buffer)),
    seriesId: share(trace.seriesId, (buffer) => new Uint32Array(buffer)),
    price: share(trace.price, (buffer) => new Float64Array(buffer)),
  };
}

function runThreads(input: PoolInput, jobs: number, workerUrl: URL): Promise<void> {
  const trace = sharedTrace(input.trace);
  const count = Math.max(1, Math.min(jobs, input.todo.length));
  let next = 0;
  let inFlight = 0;
  let failure: Error | undefined;
  const workers: Worker[] = [];
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const finishIfIdle = () => {
      if (settled || inFlight > 0) return;
      const stopping = failure !== undefined || input.signal?.aborted || next >= input.todo.length;
      if (!stopping) return;
      settled = true;
      Promise.all(workers.map((worker) => worker.terminate())).then(
        () => (failure === undefined ? resolve() : reject(failure)),
        reject,
      );
    };
    const dispatch = (slot: { worker: Worker; busy: boolean }) => {
      if (failure !== undefined || input.signal?.aborted || next >= input.todo.length) return finishIfIdle();
      inFlight++;
      slot.busy = true;
      slot.worker.postMessage(input.todo[next++]);
    };
    const fail = (error: Error) => {
      failure ??= error;
      finishIfIdle();
    };
    input.signal?.addEventListener("abort", finishIfIdle, { once: true });
    for (let i = 0; i < count; i++) {
      const worker = new Worker(workerUrl, { workerData: { config: input.config, trace } });
      const slot = { worker, busy: false };
      workers.push(worker);
      const release = () => {
        if (slot.busy) {
          slot.busy = false;
          inFlight--;
        }
      };
      worker.on("message", (message: FromWorker) => {
        release();
        if (message.kind === "error") return fail(rebuildError(message));
        if (message.kind === "result") input.onResult(message.result);
        dispatch(slot);
      });
      // A crashed worker's item will never report: count it as done so the pool can stop.
      worker.on("error", (error) => {
        release();
        fail(error instanceof Error ? error : new Error(String(error)));
      });
      worker.on("exit", (code) => {
        if (settled || code === 0) return;
        release();
        fail(new Error(`sweep worker exited with code ${code}`));
      });
    }
  });
}
