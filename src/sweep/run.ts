import { existsSync } from "node:fs";
import type { Trace } from "../traces/types.js";
import { HotspotError } from "../errors.js";
import { configHash, type SweepConfig } from "./config.js";
import { buildSweepDocument, readSweep, writeSweep, type SweepDocument } from "./document.js";
import type { ItemResult } from "./item.js";
import { runPool, type Execution } from "./pool.js";
import { shardItems, type Shard } from "./shard.js";

/** The results file belongs to another sweep (or shard) than the one asked to resume. */
export class SweepMismatchError extends HotspotError {
  constructor(path: string, detail: string) {
    super("HOTSPOT_SWEEP_MISMATCH", `${path}: ${detail}`);
  }
}

export interface SweepRunInput {
  readonly config: SweepConfig;
  readonly trace: Trace;
  /** The results file: written atomically as items finish (at most every `checkpointSeconds`) and at the end. */
  readonly out: string;
  /** Continue from `out` when it exists: its items are kept and not run again. */
  readonly resume: boolean;
  readonly shard: Shard | null;
  readonly execution: Execution;
  /** Abort to stop: no new item starts, items in flight finish, the finished ones are written. */
  readonly signal?: AbortSignal;
  readonly checkpointSeconds?: number;
  /** After each item: items of this shard done (including resumed ones), and their total. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface SweepOutcome {
  readonly status: "complete" | "interrupted";
  readonly document: SweepDocument;
  /** Items taken from the results file instead of run. */
  readonly resumed: number;
  /** Items run now. */
  readonly ran: number;
  readonly total: number;
}

async function resumedItems(
  input: SweepRunInput,
  hash: string,
  wanted: ReadonlySet<number>,
): Promise<ItemResult[]> {
  if (!input.resume || !existsSync(input.out)) return [];
  const previous = await readSweep(input.out);
  if (previous.configHash !== hash) {
    throw new SweepMismatchError(
      input.out,
      `results of a different sweep (config hash ${previous.configHash.slice(0, 12)}…, this sweep's is ${hash.slice(0, 12)}…); use another --out or drop --resume to start over`,
    );
  }
  const shardText = (shard: Shard | null) =>
    shard === null ? "the whole sweep" : `shard ${shard.index}/${shard.count}`;
  if (JSON.stringify(previous.shard) !== JSON.stringify(input.shard)) {
    throw new SweepMismatchError(
      input.out,
      `results of ${shardText(previous.shard)}, asked to resume ${shardText(input.shard)}`,
    );
  }
  return previous.items.filter((item) => wanted.has(item.index));
}

/** Runs (or resumes) a sweep's items of one shard and writes the results document. */
export async function runSweep(input: SweepRunInput): Promise<SweepOutcome> {
  const hash = configHash(input.config);
  const mine = shardItems(input.config.items, input.shard);
  const finished = new Map<number, ItemResult>();
  for (const item of await resumedItems(input, hash, new Set(mine))) finished.set(item.index, item);
  const resumed = finished.size;
  const documentNow = () =>
    buildSweepDocument({
      config: input.config,
      configHash: hash,
      shard: input.shard,
      expected: mine.length,
      items: finished.values(),
    });
  const checkpointMs = (input.checkpointSeconds ?? 10) * 1000;
  let lastWrite = performance.now();
  let writing: Promise<void> = Promise.resolve();
  input.onProgress?.(finished.size, mine.length);
  try {
    await runPool({
      config: input.config,
      trace: input.trace,
      todo: mine.filter((index) => !finished.has(index)),
      execution: input.execution,
      signal: input.signal,
      onResult: (result) => {
        finished.set(result.index, result);
        input.onProgress?.(finished.size, mine.length);
        if (performance.now() - lastWrite >= checkpointMs) {
          lastWrite = performance.now();
          const snapshot = documentNow();
          writing = writing.then(() => writeSweep(input.out, snapshot));
        }
      },
    });
  } catch (error) {
    // Keep what finished before the failure, so --resume need not run it again.
    await writing;
    if (finished.size > resumed) await writeSweep(input.out, documentNow());
    throw error;
  }
  await writing;
  const document = documentNow();
  await writeSweep(input.out, document);
  return {
    status: document.complete ? "complete" : "interrupted",
    document,
    resumed,
    ran: finished.size - resumed,
    total: mine.length,
  };
}
