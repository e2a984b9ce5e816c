import type { Decision, Market, MigrationEstimate, Observation } from "./types.js";
import type { BillingModelName } from "./billing.js";
import type { Trace } from "../traces/types.js";

/** A documented policy parameter, listed by `hotspot sim --help-policy NAME`. */
export interface PolicyParam {
  readonly name: string;
  readonly description: string;
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
}

/** What a policy instance may know at creation. Only simulation-only policies get the full trace. */
export interface PolicyContext {
  readonly markets: readonly Market[];
  readonly billing: BillingModelName;
  /** Decision epochs are every `intervalSeconds` from `start`. */
  readonly start: number;
  readonly end: number;
  readonly intervalSeconds: number;
  readonly memoryGiB: number;
  readonly demandWork: number;
  readonly utilisation: number;
  /**
   * Per market id, the USD/hour above which the cloud revokes it (bid interruptions only; Infinity for
   * on-demand). Absent when interruptions are not driven by the price.
   */
  readonly bidUsd?: Float64Array;
  /** Mean migration timeline between two markets. */
  migration(from: number, to: number): MigrationEstimate;
  /** Present in simulation only; the offline optimum uses it. */
  readonly fullTrace?: { readonly trace: Trace; readonly marketOfSeries: Int32Array };
}

/** One run's decision maker. May keep state built from its own past observations, never the future. */
export interface Policy {
  decide(observation: Observation): Decision;
}

export interface PolicyDefinition {
  readonly name: string;
  readonly summary: string;
  readonly params: readonly PolicyParam[];
  /** True when the policy needs the whole trace (the offline optimum). */
  readonly simulationOnly: boolean;
  create(params: Readonly<Record<string, number>>, context: PolicyContext): Policy;
}
