import {
  instantiatePolicy,
  type Policy,
  type PolicyContext,
  type PolicyDefinition,
} from "../../engine/policy.js";
import type { Market, MigrationEstimate } from "../../engine/types.js";
import { UsageError } from "../../errors.js";
import { policyByName } from "../../policies/index.js";
import type { LiveConfig } from "../../setup/config.js";

/** The configured policy's definition, refused early when it can only run in simulation. */
export function livePolicyDefinition(policy: LiveConfig["policy"]): PolicyDefinition {
  const definition = policyByName(policy.name);
  if (definition.simulationOnly)
    throw new UsageError("policy", "a policy that can run live (not simulation-only)", policy.name);
  return definition;
}

/** What a live run (acting or dry) tells its policy at creation; bids and inputs are the same for all. */
export type LivePolicyRun = Omit<PolicyContext, "bidUsd" | "migration" | "inputs" | "fullTrace"> & {
  /** The hop's mean timeline to a target of `lifecycle` (the model's, or as learned from this run's hops). */
  readonly migration: (lifecycle: Market["lifecycle"]) => MigrationEstimate;
};

/** The one construction of a live policy, so that the dry run asks exactly what the acting run would. */
export function createLivePolicy(
  definition: PolicyDefinition,
  policy: LiveConfig["policy"],
  run: LivePolicyRun,
): Policy {
  const { migration, ...settings } = run;
  const { markets } = settings;
  return instantiatePolicy(definition, policy.params, {
    ...settings,
    // Spot requests carry no maximum price: EC2 then caps it at the on-demand price.
    bidUsd: Float64Array.from(markets, (m) => (m.lifecycle === "spot" ? m.onDemandUsd : Infinity)),
    migration: (_from, to) => migration(markets[to].lifecycle),
    inputs: policy.inputs,
  });
}
