/** The unit a run measures work in. ECU is the paper's; newer types have none published. */
export type WorkUnit = "ecu" | "vcpu" | "score";

/** The instruction set a type runs: a checkpoint restores only on the same one. */
export type Architecture = "x86_64" | "arm64";

/** Who designs the type's CPU (`aws` = Graviton). */
export type CpuVendor = "intel" | "amd" | "aws";

export const architectures = ["x86_64", "arm64"] as const satisfies readonly Architecture[];
export const cpuVendors = ["intel", "amd", "aws"] as const satisfies readonly CpuVendor[];

export interface InstanceSpec {
  readonly type: string;
  readonly vcpu: number;
  readonly memoryGiB: number;
  /** EC2 compute units; null where AWS publishes none (newer types, `variable` burstables). */
  readonly ecu: number | null;
  /** A user-given performance score (from `--specs`), used when the work unit is `score`. */
  readonly score?: number;
  readonly architecture: Architecture;
  readonly cpuVendor: CpuVendor;
  /**
   * The oldest CPU generation AWS may place the type on, i.e. its guaranteed feature floor, such as
   * `intel-haswell`, `amd-zen3` or `graviton2`; null where unknown (families spread over many CPUs).
   */
  readonly cpuClass: string | null;
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
