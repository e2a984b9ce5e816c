import type { BillingModelName } from "../../engine/billing.js";
import { instantiatePolicy, type Policy, type PolicyDefinition } from "../../engine/policy.js";
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

/** What a live run (acting or dry) tells its policy at creation. */
export interface LivePolicyRun {
  readonly markets: readonly Market[];
  readonly billing: BillingModelName;
  readonly start: number;
  readonly end: number;
  readonly intervalSeconds: number;
  readonly memoryGiB: number;
  readonly demandWork: number;
  readonly utilisation: number;
  /** The hop's mean timeline to a target of `lifecycle` (the model's, or as learned from this run's hops). */
  readonly migration: (lifecycle: Market["lifecycle"]) => MigrationEstimate;
}

/** The one construction of a live policy, so that the dry run asks exactly what the acting run would. */
export function createLivePolicy(
  definition: PolicyDefinition,
  policy: LiveConfig["policy"],
  run: LivePolicyRun,
): Policy {
  const { markets } = run;
  return instantiatePolicy(definition, policy.params, {
    markets,
    billing: run.billing,
    start: run.start,
    end: run.end,
    intervalSeconds: run.intervalSeconds,
    memoryGiB: run.memoryGiB,
    demandWork: run.demandWork,
    utilisation: run.utilisation,
    // Spot requests carry no maximum price: EC2 then caps it at the on-demand price.
    bidUsd: Float64Array.from(markets, (m) => (m.lifecycle === "spot" ? m.onDemandUsd : Infinity)),
    migration: (_from, to) => run.migration(markets[to].lifecycle),
    inputs: policy.inputs,
  });
}
