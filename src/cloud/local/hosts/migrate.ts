import { copyFile, mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { HotspotError, UsageError } from "../../../errors.js";
import type { Container } from "./container.js";
import { secondsSince } from "../../../host/criu.js";
import { imagesSize, startLazyPagesDaemon, waitLazySocket, type LazyDump } from "./criu.js";
import { mountMemoryDir, removeMemoryDir } from "./memory-dir.js";
import { holdTraffic, releaseTraffic } from "./network.js";
import { startPageServer, type PageServer, type PageServerEndpoint } from "./page-server.js";
import { withPipeMaxSize } from "./pipe-size.js";

/** Post-copy keeps the dumped pages in pipes until served; the default 1 MiB cap breaks the dump. */
const LAZY_PIPE_MAX_SIZE = 256 * 2 ** 20;

/** A page server whose dump ended has written everything and exits at once; this long means it never was used. */
const PAGE_SERVER_EXIT_MS = 30_000;

export const migrationModes = ["stop-and-copy", "lazy"] as const;
export type MigrationMode = (typeof migrationModes)[number];

/**
 * Stop-and-copy with memory sent straight into the target's memory: a CRIU page server on the target
 * writes the pages into a tmpfs there while the source dumps, so no disk write of the memory lies
 * between dump and restore; only the small rest of the images rides on the volume.
 */
export interface MemoryTransfer {
  /** Mounted as a tmpfs for the migration, unmounted after it (success or not). */
  readonly dir: string;
  /** The tmpfs's cap, bytes (the container's memory and some slack). */
  readonly sizeBytes: number;
  /** Where the target's page server listens: its private address, which the source reaches. */
  readonly endpoint: PageServerEndpoint;
}

export interface MigrationPlan {
  /** The container, running on the source instance; on success it runs on the target. */
  readonly container: Container;
  readonly targetNetns: string;
  /** The container's address (its ENI's private IP), held on the target until restore ends. */
  readonly address: string;
  /** Where checkpoint images go; must be reachable from the target once `move` resolved. */
  readonly imagesDir: string;
  readonly mode: MigrationMode;
  /** Stop-and-copy only: memory over a page server into the target's memory, not via `imagesDir`. */
  readonly memoryTransfer?: MemoryTransfer;
  /** Page-server port on the source's loopback (lazy mode). */
  readonly lazyPort?: number;
  /** Lazy mode: how long the remaining pages may take to arrive after the restore (default 10 min). */
  readonly postCopyTimeoutMs?: number;
  /** Detaches the container's volume and ENI from the source and attaches them to the target. */
  readonly move: () => Promise<void>;
}

export interface MigrationResult {
  /** From dump start until the restored tree runs (the container's downtime, as the host sees it). */
  readonly downtimeSeconds: number;
  readonly dumpSeconds: number;
  readonly moveSeconds: number;
  readonly restoreSeconds: number;
  /** Bytes of images written by the dump, wherever they went (in lazy mode memory is served later instead). */
  readonly checkpointBytes: number;
  /** Lazy mode: from restore end until the last page arrived; 0 for stop-and-copy. */
  readonly postCopySeconds: number;
}

/**
 * Checkpoint on the source, move disk and network, restore on the target (the design's steps 2–5).
 * The target drops packets to the container's address from before the ENI arrives until the restore
 * finished, so the peer's retransmissions meet silence, not a reset. Post-copy raises fs.pipe-max-size
 * for its duration and restores it.
 */
export async function migrateContainer(plan: MigrationPlan): Promise<MigrationResult> {
  if (plan.mode === "lazy") {
    if (plan.memoryTransfer !== undefined) {
      throw new UsageError(
        "migration plan memoryTransfer",
        "none in lazy mode (post-copy serves memory itself)",
        `a transfer into ${plan.memoryTransfer.dir}`,
      );
    }
    return withPipeMaxSize(LAZY_PIPE_MAX_SIZE, () => migrate(plan));
  }
  const memory = plan.memoryTransfer;
  return memory === undefined ? migrate(plan) : withMemoryDir(memory, () => migrate(plan, memory));
}

/** Mounts the memory directory around `work` and removes it after, whether `work` succeeded or not. */
async function withMemoryDir<T>(memory: MemoryTransfer, work: () => Promise<T>): Promise<T> {
  await mountMemoryDir(memory.dir, memory.sizeBytes);
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await removeMemoryDir(memory.dir).catch(() => undefined);
    throw error;
  }
  await removeMemoryDir(memory.dir);
  return result;
}

/** Copies the images the dump left in `from` (all but memory, which the page server wrote) beside the pages. */
async function gatherImages(from: string, to: string): Promise<void> {
  for (const name of await readdir(from)) {
    if (name.endsWith(".img")) await copyFile(join(from, name), join(to, name));
  }
}

async function migrate(plan: MigrationPlan, memory?: MemoryTransfer): Promise<MigrationResult> {
  await mkdir(plan.imagesDir, { recursive: true });
  const { container } = plan;
  const sourceNetns = container.netns;
  await holdTraffic(plan.targetNetns, plan.address);
  let pageServer: PageServer | undefined;
  try {
    // Listening before the container stops, so the page server's start costs no downtime.
    if (memory) pageServer = await startPageServer(plan.targetNetns, memory.dir, memory.endpoint);
    const start = process.hrtime.bigint();
    let lazy: LazyDump | undefined;
    const port = plan.lazyPort ?? 27027;
    if (plan.mode === "lazy") lazy = await container.dumpLazy(plan.imagesDir, port);
    else await container.dump(plan.imagesDir, memory?.endpoint);
    // The server exits once the dump closed the session: then every page is in the target's memory.
    if (pageServer)
      await untilOrTimeout(pageServer.finished, PAGE_SERVER_EXIT_MS, "page server exit after the dump");
    const dumpSeconds = secondsSince(start);
    const checkpointBytes =
      (await imagesSize(plan.imagesDir)) + (memory === undefined ? 0 : await imagesSize(memory.dir));
    const moveStart = process.hrtime.bigint();
    await plan.move();
    const moveSeconds = secondsSince(moveStart);
    let daemon: Promise<void> | undefined;
    if (lazy) {
      daemon = startLazyPagesDaemon(sourceNetns, plan.imagesDir, port);
      daemon.catch(() => undefined);
      await waitLazySocket(plan.imagesDir);
    }
    const restoreStart = process.hrtime.bigint();
    if (memory) await gatherImages(plan.imagesDir, memory.dir);
    // Logs beside the dump's on the volume: the memory directory is removed while the container runs.
    await container.restore(
      plan.targetNetns,
      memory?.dir ?? plan.imagesDir,
      lazy !== undefined,
      plan.imagesDir,
    );
    const restoreSeconds = secondsSince(restoreStart);
    const downtimeSeconds = secondsSince(start);
    await releaseTraffic(plan.targetNetns, plan.address);
    const postStart = process.hrtime.bigint();
    if (lazy && daemon) {
      await untilOrTimeout(
        Promise.all([lazy.finished, daemon]),
        plan.postCopyTimeoutMs ?? 600_000,
        "post-copy transfer",
      );
    }
    return {
      downtimeSeconds,
      dumpSeconds,
      moveSeconds,
      restoreSeconds,
      checkpointBytes,
      postCopySeconds: lazy ? secondsSince(postStart) : 0,
    };
  } catch (err) {
    await releaseTraffic(plan.targetNetns, plan.address).catch(() => undefined);
    throw err;
  } finally {
    await pageServer?.stop();
  }
}

async function untilOrTimeout<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new HotspotError("HOTSPOT_HOST_TIMEOUT", `${what} not done after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
