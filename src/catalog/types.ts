/** The unit a run measures work in. ECU is the paper's; newer types have none published. */
export type WorkUnit = "ecu" | "vcpu" | "score";

export interface InstanceSpec {
  readonly type: string;
  readonly vcpu: number;
  readonly memoryGiB: number;
  /** EC2 compute units; null where AWS publishes none (newer types, `variable` burstables). */
  readonly ecu: number | null;
  /** A user-given performance score (from `--specs`), used when the work unit is `score`. */
  readonly score?: number;
}

/** Linux on-demand USD per hour of one type in one region, as published on `asOf` (YYYY-MM-DD). */
export interface OnDemandPrice {
  readonly type: string;
  readonly region: string;
  readonly usdPerHour: number;
  readonly asOf: string;
}

export interface Catalog {
  spec(type: string): InstanceSpec | undefined;
  /**
   * The on-demand price in force at `at` (seconds since epoch): the latest snapshot not after `at`,
   * else the earliest one. Undefined when the catalog has none for the type and region.
   */
  onDemand(type: string, region: string, at: number): OnDemandPrice | undefined;
  /** Where the data came from, e.g. `built-in (AWS prices as of 2016-04-18, 2025-06-01)` + `--specs FILE`. */
  readonly description: string;
}
