import type { Market, Observation } from "../../src/engine/types.js";

/** A hand-made market: [instance type, lifecycle, memory GiB, work units, on-demand $/h]. */
export type HandMarket = readonly [string, Market["lifecycle"], number, number, number];

export function handMarkets(rows: readonly HandMarket[]): Market[] {
  return rows.map(([instanceType, lifecycle, memoryGiB, work, onDemandUsd], id) => ({
    id,
    zone: "us-east-1a",
    instanceType,
    lifecycle,
    vcpu: 4,
    memoryGiB,
    work,
    onDemandUsd,
    architecture: "x86_64",
    cpuVendor: "intel",
  }));
}

/** An observation built by hand: prices per market id, the current market (or null), the trigger. */
export function handObservation(
  markets: readonly Market[],
  prices: readonly number[],
  options: {
    current?: number | null;
    trigger?: Observation["trigger"];
    excluded?: number[];
    demand?: number;
  } = {},
): Observation {
  const current = options.current ?? null;
  return {
    now: 1000,
    trigger: options.trigger ?? (current === null ? "start" : "interval"),
    zone: "us-east-1a",
    workUnit: "ecu",
    markets,
    prices: Float64Array.from(prices),
    excluded: new Set(options.excluded ?? []),
    current: current === null ? null : { marketId: current, instanceStart: 0 },
    workload: { memoryGiB: 8, demandWork: options.demand ?? 10, utilisation: 1 },
    billing: { model: "per-second", intervalSeconds: 1, paidTimeLeft: 0 },
    interruptionAt: options.trigger === "notice" ? 1120 : null,
    rebalance: new Map(),
    history: { windowSeconds: 86400, changes: () => 0, meanTimeToChangeOfCheapest: () => Infinity },
    migration: () => ({ acquireSeconds: 67, downtimeSeconds: 39, terminateSeconds: 38.5 }),
  };
}
