import { readAdvisorFile, type AdvisorHazards } from "../catalog/advisor.js";
import type { PolicyDefinition, PolicyInputName, PolicyInputs } from "../engine/policy.js";
import { UsageError } from "../errors.js";

/** Where each input comes from on the command line: a flag of its name and what it is. */
export const policyInputFlags = {
  advisor:
    "Spot Advisor feed (spot-advisor-data.json): for --interruptions advisor and for policies that need it",
} as const satisfies Record<PolicyInputName, string>;

/** The inputs' files as given (`--advisor FILE --advisor-os OS`), read in `region`. */
export interface PolicyInputFiles {
  readonly advisor?: string;
  readonly advisorOs: string;
  readonly region: string;
}

/**
 * The one loader every command uses: reads each input a selected policy needs (refusing a run that
 * lacks one, naming the policy) and each input given though none needs it (other users, such as the
 * advisor interruption model, take it from here too).
 */
export async function loadPolicyInputs(
  definitions: readonly PolicyDefinition[],
  files: PolicyInputFiles,
): Promise<PolicyInputs> {
  checkPolicyInputs(definitions, files);
  return files.advisor === undefined
    ? {}
    : { advisor: await readAdvisorFile(files.advisor, files.region, files.advisorOs) };
}

/** Refuses, before any work, a run whose policies need an input not given. */
export function checkPolicyInputs(
  definitions: readonly PolicyDefinition[],
  given: Partial<Record<PolicyInputName, unknown>>,
): void {
  for (const name of new Set(definitions.flatMap((definition) => definition.inputs))) {
    if (given[name] === undefined) {
      const who = definitions.filter((definition) => definition.inputs.includes(name)).map((d) => d.name);
      throw new UsageError(`--${name}`, `a file: policy ${who.join(", ")} needs it`, "none");
    }
  }
}

/** Loaded inputs as a JSON value (hotspot.json, sweep configs), kept to `types` so it stays small. */
export function inputsToJson(inputs: PolicyInputs, types: readonly string[]): Record<string, unknown> {
  if (inputs.advisor === undefined) return {};
  const { source, region, os, bucketOfType } = inputs.advisor;
  const buckets: Record<string, number> = {};
  for (const type of [...types].sort()) {
    const bucket = bucketOfType.get(type);
    if (bucket !== undefined) buckets[type] = bucket;
  }
  return { advisor: { source, region, os, buckets } };
}

/**
 * `inputsToJson`'s value read back; `fail` says where a field is wrong (it never returns). Unknown
 * inputs are refused: a config written by a newer hotspot should not be half understood.
 */
export function inputsFromJson(
  value: unknown,
  fail: (field: string, expected: string, found: unknown) => never,
): PolicyInputs {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return fail("inputs", 'an object such as {"advisor": {...}}', value);
  const { advisor, ...rest } = value as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined)
    fail(
      `inputs.${extra}`,
      `no such input (inputs: ${Object.keys(policyInputFlags).join(", ")})`,
      rest[extra],
    );
  if (advisor === undefined) return {};
  return { advisor: advisorFromJson(advisor, fail) };
}

function advisorFromJson(
  value: unknown,
  fail: (field: string, expected: string, found: unknown) => never,
): AdvisorHazards {
  const expected = "an object with source, region, os (strings) and buckets (type → 0..4)";
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return fail("inputs.advisor", expected, value);
  const { source, region, os, buckets } = value as Record<string, unknown>;
  for (const [field, text] of Object.entries({ source, region, os }))
    if (typeof text !== "string") fail(`inputs.advisor.${field}`, "a string", text);
  if (typeof buckets !== "object" || buckets === null || Array.isArray(buckets))
    return fail("inputs.advisor.buckets", "an object of instance type to bucket 0..4", buckets);
  const bucketOfType = new Map<string, number>();
  for (const [type, bucket] of Object.entries(buckets)) {
    if (typeof bucket !== "number" || !Number.isInteger(bucket) || bucket < 0 || bucket > 4)
      fail(`inputs.advisor.buckets.${type}`, "a bucket 0..4", bucket);
    bucketOfType.set(type, bucket as number);
  }
  return { source: source as string, region: region as string, os: os as string, bucketOfType };
}
