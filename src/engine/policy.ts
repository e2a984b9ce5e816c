import type { Decision, Market, MigrationEstimate, Observation } from "./types.js";
import type { BillingModelName } from "./billing.js";
import type { StepPricePath } from "./price-paths.js";
import type { AdvisorHazards } from "../catalog/advisor.js";
import { UsageError } from "../errors.js";

/**
 * A documented policy parameter, listed by `hotspot sim --help-policy NAME`. Names are camelCase,
 * with the unit last where there is one (`minHopIntervalSeconds`). Results documents record every
 * value as a number (a flag as 0 or 1); the policy's `create` receives them typed (see ParamValues).
 */
export type PolicyParam =
  | {
      readonly name: string;
      readonly kind: "number";
      readonly description: string;
      /** What one of it is, as help shows it ("seconds", "fraction"). */
      readonly unit: string;
      readonly default: number;
      readonly min?: number;
      readonly max?: number;
    }
  | { readonly name: string; readonly kind: "flag"; readonly description: string; readonly default: boolean };

/** A policy's parameter values as its `create` sees them: numbers, and flags as booleans. */
export type ParamValues<Params extends readonly PolicyParam[]> = {
  readonly [P in Params[number] as P["name"]]: P["kind"] extends "flag" ? boolean : number;
};

/**
 * Data a policy may need beyond prices and the run's settings, each loaded once by the one loader
 * (src/policies/inputs.ts) from the flag of the same name and handed to every driver alike.
 */
export interface PolicyInputs {
  /** The Spot Instance Advisor's interruption-frequency bucket per instance type (`--advisor`). */
  readonly advisor?: AdvisorHazards;
}

export type PolicyInputName = keyof PolicyInputs;

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
  /** The inputs the policy declared (`PolicyDefinition.inputs`), loaded; the others are absent. */
  readonly inputs: PolicyInputs;
  /**
   * Present in simulation only: each market's price path over the whole trace, the future included
   * (spot from its series, on-demand constant); the offline optimum uses it.
   */
  readonly fullTrace?: { readonly paths: readonly StepPricePath[] };
}

/** One run's decision maker. May keep state built from its own past observations, never the future. */
export interface Policy {
  decide(observation: Observation): Decision;
  /**
   * Called instead of `decide` for `count` interval epochs that the last stay's `until` covered and the
   * engine skipped: `from`, then each `intervalSeconds` after the one before. The policy updates what
   * it would have at those decisions (absent: nothing to update).
   */
  skipped?(from: number, count: number, intervalSeconds: number): void;
}

export interface PolicyDefinition<Params extends readonly PolicyParam[] = readonly PolicyParam[]> {
  readonly name: string;
  readonly summary: string;
  readonly params: Params;
  /** The inputs it cannot decide without; a run that lacks one is refused before it starts. */
  readonly inputs: readonly PolicyInputName[];
  /** True when the policy needs the whole trace (the offline optimum). */
  readonly simulationOnly: boolean;
  create(params: ParamValues<Params>, context: PolicyContext): Policy;
}

/** `definition` with its parameters' names and kinds checked against what `create` reads. */
export function definePolicy<const Params extends readonly PolicyParam[]>(
  definition: PolicyDefinition<Params>,
): PolicyDefinition {
  return definition as unknown as PolicyDefinition;
}

/**
 * The policy for one run: `stored` (a results document's numbers, defaults filled in by
 * resolveParams) typed for its `create`, after checking that `context` holds every input it needs.
 */
export function instantiatePolicy(
  definition: PolicyDefinition,
  stored: Readonly<Record<string, number>>,
  context: PolicyContext,
): Policy {
  const missing = definition.inputs.filter((name) => context.inputs[name] === undefined);
  if (missing.length > 0)
    throw new UsageError(
      missing.map((name) => `--${name}`).join(", "),
      `the input${missing.length > 1 ? "s" : ""} policy ${definition.name} needs`,
      "none given",
    );
  const values: Record<string, number | boolean> = {};
  for (const param of definition.params) {
    const value = stored[param.name] ?? (param.kind === "flag" ? Number(param.default) : param.default);
    values[param.name] = param.kind === "flag" ? value === 1 : value;
  }
  return definition.create(values as ParamValues<readonly PolicyParam[]>, context);
}
