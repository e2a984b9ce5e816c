import type { CatalogResolution, ResolvedType } from "../../../src/catalog/work-unit.js";
import { defaultMigrationModel } from "../../../src/engine/migration-model.js";
import { StepWorkload } from "../../../src/engine/workload.js";
import type { SimConfig } from "../../../src/drivers/sim/run.js";
import type { Trace } from "../../../src/traces/types.js";

const intelHaswell = { architecture: "x86_64", cpuVendor: "intel", cpuClass: "intel-haswell" } as const;

/** A hand-made type: memory GiB, work units, on-demand USD/hour. */
export interface HandType {
  readonly type: string;
  readonly memoryGiB: number;
  readonly work: number;
  readonly onDemand: number;
  /** Its CPU; default Intel Haswell x86-64. */
  readonly cpu?: { readonly architecture: "x86_64" | "arm64"; readonly cpuVendor: "intel" | "amd" | "aws" };
}

/** A catalog resolution built by hand (no catalog files involved). */
export function handResolution(types: readonly HandType[]): CatalogResolution {
  const map = new Map<string, ResolvedType>();
  for (const t of types) {
    map.set(t.type, {
      spec: {
        type: t.type,
        vcpu: 4,
        memoryGiB: t.memoryGiB,
        ecu: t.work,
        ...intelHaswell,
        ...(t.cpu === undefined ? {} : { ...t.cpu, cpuClass: null }),
      },
      onDemand: { type: t.type, region: "us-east-1", usdPerHour: t.onDemand, asOf: "2016-04-18" },
      work: t.work,
    });
  }
  return { unit: "ecu", region: "us-east-1", types: map, skipped: [] };
}

/** A trace from rows (zone, type, time, price), sorted as the loader sorts them. */
export function handTrace(
  rows: readonly (readonly [zone: string, type: string, time: number, price: number])[],
  window: { start: number | null; end: number | null },
): Trace {
  const keys: string[] = [];
  const series: { zone: string; instanceType: string; product: string }[] = [];
  const sorted = [...rows].sort((a, b) => a[2] - b[2]);
  const seriesOf = (zone: string, type: string): number => {
    const key = `${zone}/${type}`;
    let id = keys.indexOf(key);
    if (id < 0) {
      keys.push(key);
      series.push({ zone, instanceType: type, product: "Linux/UNIX" });
      id = keys.length - 1;
    }
    return id;
  };
  const ids = sorted.map(([zone, type]) => seriesOf(zone, type));
  return {
    source: { path: "hand-made", format: "csv", gzip: false, sha256: "0".repeat(64), bytes: 0 },
    zoneKind: "zone-name",
    series,
    time: Float64Array.from(sorted, (row) => row[2]),
    seriesId: Uint32Array.from(ids),
    price: Float64Array.from(sorted, (row) => row[3]),
    window,
    report: {
      rowsRead: rows.length,
      rowsKept: rows.length,
      duplicatesDropped: 0,
      filteredOut: { product: 0, zone: 0, type: 0, window: 0 },
      carriedIn: 0,
      skipped: { count: 0, byReason: {}, examples: [] },
      fromCache: false,
    },
  };
}

/** The defaults of `hotspot sim` with a constant full load of `demand` work units. */
export function simConfig(overrides: Partial<SimConfig> = {}): SimConfig {
  const demandWork = overrides.demandWork ?? 10;
  return {
    intervalSeconds: 300,
    billing: "per-second",
    memoryGiB: 8,
    demandWork,
    cpuCompat: "same-vendor",
    workUnit: "ecu",
    workload: StepWorkload.constant(demandWork, 1),
    targetWork: null,
    migrationModel: defaultMigrationModel,
    durations: "mean",
    interruptions: { kind: "none" },
    historyWindowSeconds: 86400,
    seed: 1,
    policyInputs: {},
    ...overrides,
  };
}

/** Two 8 GiB types of 10 work units and $1/h on demand, and one too small for 8 GiB. */
export const twoTypes: readonly HandType[] = [
  { type: "a.large", memoryGiB: 8, work: 10, onDemand: 1 },
  { type: "b.large", memoryGiB: 8, work: 10, onDemand: 1 },
  { type: "tiny.small", memoryGiB: 4, work: 10, onDemand: 0.01 },
];
