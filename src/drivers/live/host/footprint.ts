import type { Market } from "../../../engine/types.js";
import type { CgroupMemory } from "./cgroup-usage.js";

/**
 * Peak use × this is what a server must hold for a container without a memory limit: a peak seen so
 * far is a lower bound on what it will use, and a restore that runs out of memory kills it.
 */
export const DEFAULT_MEMORY_HEADROOM = 1.5;

/**
 * GiB every server needs for itself beside the container: kernel and page tables, systemd, sshd,
 * the LXC monitor, CRIU during a dump or restore, and the hotspot controller (Node) when self-migrating.
 */
export const HOST_OVERHEAD_GIB = 0.5;

/** The memory a market must have to host the container, and how that number came about. */
export interface MemoryNeed {
  readonly gib: number;
  /** E.g. "peak 8.00 GiB × 1.5 + 0.5 GiB host", "limit 2.00 GiB + 0.5 GiB host", "--memory". */
  readonly basis: string;
}

const GIB = 2 ** 30;

function gib(value: number): string {
  return `${value.toFixed(2)} GiB`;
}

/**
 * The container's footprint from its cgroup, re-evaluated at every measurement: its memory limit when
 * one is set (it may grow to it), else the most it used (memory.peak, or the highest memory.current
 * seen by this run when the kernel keeps no peak; a restore starts a fresh cgroup, so both count) times
 * the headroom; plus the host's own overhead either way.
 */
export class MemoryFootprint {
  private highestBytes = 0;
  private limitBytes: number | null = null;
  private measured = false;

  constructor(
    readonly headroom = DEFAULT_MEMORY_HEADROOM,
    readonly overheadGiB = HOST_OVERHEAD_GIB,
  ) {}

  observe(memory: CgroupMemory): void {
    this.measured = true;
    this.highestBytes = Math.max(this.highestBytes, memory.currentBytes, memory.peakBytes ?? 0);
    this.limitBytes = memory.limitBytes;
  }

  /** Null before the first measurement. */
  need(): MemoryNeed | null {
    if (!this.measured) return null;
    const host = `${this.overheadGiB} GiB host`;
    if (this.limitBytes !== null) {
      const limit = this.limitBytes / GIB;
      return { gib: limit + this.overheadGiB, basis: `limit ${gib(limit)} + ${host}` };
    }
    const peak = this.highestBytes / GIB;
    return {
      gib: peak * this.headroom + this.overheadGiB,
      basis: `peak ${gib(peak)} × ${this.headroom} + ${host}`,
    };
  }
}

/**
 * One line per instance type of `markets` too small for `need`, smallest first, e.g.
 * "c4.large excluded: 3.75 GiB < 12.50 GiB needed (peak 8.00 GiB × 1.5 + 0.5 GiB host)".
 */
export function memoryExclusions(markets: readonly Market[], need: MemoryNeed): string[] {
  const small = new Map<string, number>();
  for (const market of markets) {
    if (market.memoryGiB < need.gib) small.set(market.instanceType, market.memoryGiB);
  }
  return [...small]
    .sort(([a, x], [b, y]) => x - y || (a < b ? -1 : a > b ? 1 : 0))
    .map(([type, memory]) => `${type} excluded: ${gib(memory)} < ${gib(need.gib)} needed (${need.basis})`);
}
