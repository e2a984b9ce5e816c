import type { BillingModelName } from "./billing.js";
import type { MigrationModelConfig } from "./migration-model.js";
import type { WorkloadProfile } from "./workload.js";
import type { WorkUnit } from "../catalog/types.js";
import type { Lifecycle, MigrationEstimate, Placement } from "./types.js";

/** The workload, billing and migration model of a run, whatever drives it (sim or live). */
export interface RunModel {
  /** Seconds between regular policy consultations (HotSpot's loop: 300). */
  readonly intervalSeconds: number;
  readonly billing: BillingModelName;
  readonly memoryGiB: number;
  /** Work units the application can use at full load (D). */
  readonly demandWork: number;
  readonly workUnit: WorkUnit;
  readonly workload: WorkloadProfile;
  /** Work-unit-hours after which the run ends, or null for open-ended runs. */
  readonly targetWork: number | null;
  readonly migrationModel: MigrationModelConfig;
}

/** One engine run's settings, validated where they entered (CLI or caller); the engine never parses. */
export interface EngineConfig extends RunModel {
  readonly zone: string;
  /** Seconds since epoch; the run covers [start, end). */
  readonly start: number;
  readonly end: number;
  /**
   * The container already runs on an instance of this market (live runs pick up a running container);
   * absent: the policy places it at `start`.
   */
  readonly initial?: Placement;
  /**
   * The hop estimate policies see, when the driver learns it as the run goes (live mode, from its own
   * hops); absent: `migrationModel`'s means.
   */
  readonly migrationEstimate?: (target: Lifecycle) => MigrationEstimate;
}
