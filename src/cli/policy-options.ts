import type { PolicyDefinition, StudyPolicy } from "../api.js";
import { UsageError } from "../errors.js";
import { parseList, parseNumber } from "../options/parse.js";
import { policyByName, policyNames, resolveParams } from "../policies/index.js";

/** `--policy` values into definitions, in the order given; `all` is every registered policy. */
export function selectPolicies(raw: readonly string[]): PolicyDefinition[] {
  const names = parseList("--policy", raw) ?? ["all"];
  const expanded = names.flatMap((name) => (name === "all" ? policyNames : [name]));
  return [...new Set(expanded)].map((name) => policyByName(name));
}

/** `--param` values: `name=value` applies to every selected policy that has `name`; `policy:name=value` to one. */
export function policyParams(
  raw: readonly string[] | undefined,
  selected: readonly PolicyDefinition[],
): StudyPolicy[] {
  const given = new Map<string, Record<string, number>>(selected.map((d) => [d.name, {}]));
  for (const item of parseList("--param", raw) ?? []) {
    const match = /^(?:([\w-]+):)?([\w-]+)=(.+)$/.exec(item);
    if (!match) throw new UsageError("--param", "name=value or policy:name=value", JSON.stringify(item));
    const [, policy, name, text] = match;
    const value = parseNumber(`--param ${name}`, text);
    const targets = policy
      ? selected.filter((d) => d.name === policy)
      : selected.filter((d) => d.params.some((p) => p.name === name));
    if (targets.length === 0) {
      const known = selected.flatMap((d) => d.params.map((p) => `${d.name}:${p.name}`));
      throw new UsageError(
        "--param",
        `a parameter of a selected policy (${known.length > 0 ? known.join(", ") : "none has any"})`,
        JSON.stringify(item),
      );
    }
    for (const target of targets) given.get(target.name)![name] = value;
  }
  return selected.map((definition) => ({
    definition,
    params: resolveParams(definition, given.get(definition.name)!),
  }));
}
