import { mkdir } from "node:fs/promises";
import { HotspotError } from "../../../errors.js";
import type { Container } from "./container.js";
import { secondsSince } from "../../../host/criu.js";
import { imagesSize, startLazyPagesDaemon, waitLazySocket, type LazyDump } from "./criu.js";
import { holdTraffic, releaseTraffic } from "./network.js";
import { withPipeMaxSize } from "./pipe-size.js";

/** Post-copy keeps the dumped pages in pipes until served; the default 1 MiB cap breaks the dump. */
const LAZY_PIPE_MAX_SIZE = 256 * 2 ** 20;

export const migrationModes = ["stop-and-copy", "lazy"] as const;
export type MigrationMode = (typeof migrationModes)[number];

export interface MigrationPlan {
  /** The container, running on the source instance; on success it runs on the target. */
  readonly container: Container;
  readonly targetNetns: string;
  /** The container's address (its ENI's private IP), held on the target until restore ends. */
  readonly address: string;
  /** Where checkpoint images go; must be reachable from the target once `move` resolved. */
  readonly imagesDir: string;
  readonly mode: MigrationMode;
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
  /** Bytes of images written by the dump (in lazy mode the memory goes over the page server instead). */
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
export function migrateContainer(plan: MigrationPlan): Promise<MigrationResult> {
  return plan.mode === "lazy" ? withPipeMaxSize(LAZY_PIPE_MAX_SIZE, () => migrate(plan)) : migrate(plan);
}

async function migrate(plan: MigrationPlan): Promise<MigrationResult> {
  await mkdir(plan.imagesDir, { recursive: true });
  const { container } = plan;
  const sourceNetns = container.netns;
  await holdTraffic(plan.targetNetns, plan.address);
  try {
    const start = process.hrtime.bigint();
    let lazy: LazyDump | undefined;
    const port = plan.lazyPort ?? 27027;
    if (plan.mode === "lazy") lazy = await container.dumpLazy(plan.imagesDir, port);
    else await container.dump(plan.imagesDir);
    const dumpSeconds = secondsSince(start);
    const checkpointBytes = await imagesSize(plan.imagesDir);
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
    await container.restore(plan.targetNetns, plan.imagesDir, lazy !== undefined);
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
