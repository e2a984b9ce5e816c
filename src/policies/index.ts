import { UnknownNameError, UsageError } from "../errors.js";
import { greedyPolicy } from "./greedy.js";
import { hotspotPolicy } from "./hotspot.js";
import { hotspotPlusPolicy } from "./hotspot-plus.js";
import { onDemandPolicy } from "./on-demand.js";
import { optimalPolicy } from "./optimal.js";
import { spotStayPolicy } from "./spot-stay.js";
import type { PolicyDefinition } from "../engine/policy.js";
import { policyNames, type PolicyName } from "./names.js";

export { policyNames, type PolicyName };

/** Every policy hotspot knows, by name (each name of names.ts, no other). */
export const policies = {
  "on-demand": onDemandPolicy,
  "spot-stay": spotStayPolicy,
  greedy: greedyPolicy,
  hotspot: hotspotPolicy,
  "hotspot-plus": hotspotPlusPolicy,
  optimal: optimalPolicy,
} as const satisfies Record<PolicyName, PolicyDefinition>;

/** The definition of `name`, or UnknownNameError listing the valid names. */
export function policyByName(name: string): PolicyDefinition {
  if (!Object.hasOwn(policies, name)) throw new UnknownNameError("policy", name, policyNames);
  return policies[name as PolicyName];
}

/**
 * A policy's parameter values as results documents record them (a flag as 0 or 1): its defaults
 * overridden by `given` (name → value), each checked against the policy's PolicyParam list. `flag`
 * names where the values came from.
 */
export function resolveParams(
  definition: PolicyDefinition,
  given: Readonly<Record<string, number>>,
  flag = "--param",
): Record<string, number> {
  const values: Record<string, number> = {};
  for (const param of definition.params) values[param.name] = Number(param.default);
  for (const [name, value] of Object.entries(given)) {
    const param = definition.params.find((candidate) => candidate.name === name);
    if (param === undefined) {
      const valid = definition.params.map((candidate) => candidate.name);
      throw new UsageError(
        flag,
        `a parameter of policy ${definition.name} (${valid.length > 0 ? valid.join(", ") : "it has none"})`,
        JSON.stringify(name),
      );
    }
    if (param.kind === "flag") {
      if (value !== 0 && value !== 1)
        throw new UsageError(`${flag} ${name}`, "0 or 1", JSON.stringify(String(value)));
    } else {
      const min = param.min ?? -Infinity;
      const max = param.max ?? Infinity;
      if (!Number.isFinite(value) || value < min || value > max) {
        throw new UsageError(
          `${flag} ${name}`,
          `a number of ${param.unit}${Number.isFinite(min) ? ` ≥ ${min}` : ""}${Number.isFinite(max) ? ` ≤ ${max}` : ""}`,
          JSON.stringify(String(value)),
        );
      }
    }
    values[name] = value;
  }
  return values;
}
