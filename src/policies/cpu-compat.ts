import type { Architecture, CpuVendor } from "../catalog/types.js";
import type { Market } from "../engine/types.js";
import { fitsMemory, usdPerWorkHour } from "../engine/candidates.js";

/** What a restore needs of the target's CPU, as the catalog knows it per type. */
export interface CpuOf {
  readonly architecture: Architecture;
  readonly cpuVendor: CpuVendor;
}

/**
 * Which markets a container may hop to, given the CPU it started on (its origin). A process picks
 * instruction-set code paths at start-up (glibc selects AVX2/AVX-512 variants by CPUID) and dies with
 * SIGILL when restored on a CPU without them; an arm64 server cannot run an x86-64 image at all.
 * `same-vendor` (the default) keeps the architecture and the vendor: the safest rule the catalog can
 * state (within one vendor, live mode's `criu cpuinfo check` still guards generations). `same-arch`
 * allows Intel <-> AMD; `any-x86` every x86-64 type, never arm64; `none` is for studies only: it shows
 * what the restriction costs and is refused live.
 */
export const cpuCompatRules = {
  "same-vendor": (origin: CpuOf, cpu: CpuOf) =>
    cpu.architecture === origin.architecture && cpu.cpuVendor === origin.cpuVendor,
  "same-arch": (origin: CpuOf, cpu: CpuOf) => cpu.architecture === origin.architecture,
  "any-x86": (_origin: CpuOf, cpu: CpuOf) => cpu.architecture === "x86_64",
  none: () => true,
} as const satisfies Record<string, (origin: CpuOf, cpu: CpuOf) => boolean>;

export type CpuCompat = keyof typeof cpuCompatRules;

/** The rules a live run takes (`none` would let a hop cross architectures). */
export const liveCpuCompatRules = {
  "same-vendor": true,
  "same-arch": true,
  "any-x86": true,
} as const satisfies Partial<Record<CpuCompat, true>>;

export const DEFAULT_CPU_COMPAT: CpuCompat = "same-vendor";

/** Whether a container that started on `origin` may be restored on `cpu` under `rule`. */
export function cpuCompatible(rule: CpuCompat, origin: CpuOf, cpu: CpuOf): boolean {
  return cpuCompatRules[rule](origin, cpu);
}

/**
 * Where a simulated container starts, for the rule's origin: the market with the lowest USD per
 * delivered work-unit-hour at the start among those that fit the memory (and, under `any-x86`, are
 * x86-64); ties to the lower id. -1 when no market has a price then.
 */
export function originMarket(
  rule: CpuCompat,
  markets: readonly Market[],
  priceAt: (marketId: number) => number,
  memoryGiB: number,
  demandWork: number,
): number {
  let best = -1;
  let bestCost = Infinity;
  for (const market of markets) {
    if (!fitsMemory(market, memoryGiB) || (rule === "any-x86" && market.architecture !== "x86_64")) continue;
    const cost = usdPerWorkHour(market, priceAt(market.id), demandWork);
    if (cost < bestCost) {
      bestCost = cost;
      best = market.id;
    }
  }
  return best;
}
