import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import {
  definePolicy,
  instantiatePolicy,
  type PolicyContext,
  type PolicyInputName,
} from "../../src/engine/policy.js";
import { handMarkets } from "../support/hand-observation.js";

const context: PolicyContext = {
  markets: handMarkets([["m5.large", "spot", 8, 10, 0.096]]),
  billing: "per-second",
  start: 0,
  end: 3600,
  intervalSeconds: 300,
  memoryGiB: 2,
  demandWork: 10,
  utilisation: 1,
  migration: () => ({ acquireSeconds: 67, downtimeSeconds: 39, terminateSeconds: 38.5 }),
  inputs: {},
};

/** A policy that records what `create` received and never decides anything but stay. */
function recording(inputs: readonly PolicyInputName[] = []) {
  const created: { params: unknown; context: PolicyContext }[] = [];
  const definition = definePolicy({
    name: "recording",
    summary: "test policy",
    params: [
      { name: "minSaving", kind: "number", unit: "fraction", description: "d", default: 0.1, min: 0 },
      { name: "waitSeconds", kind: "number", unit: "seconds", description: "d", default: 300 },
      { name: "usdOnly", kind: "flag", description: "d", default: true },
      { name: "strict", kind: "flag", description: "d", default: false },
    ],
    inputs,
    simulationOnly: false,
    create(params, given) {
      // Typed by the declarations: tsc fails here if a flag stops being a boolean.
      params.usdOnly satisfies boolean;
      params.waitSeconds satisfies number;
      created.push({ params, context: given });
      return { decide: () => ({ kind: "stay", reason: "test" }) };
    },
  });
  return { definition, created };
}

describe("definePolicy", () => {
  it("returns the definition itself, only typed for the registry", () => {
    const { definition } = recording();
    expect(definition.name).toBe("recording");
    expect(definition.params.map((p) => p.name)).toEqual(["minSaving", "waitSeconds", "usdOnly", "strict"]);
  });
});

describe("instantiatePolicy", () => {
  it("hands create the stored numbers, flags 1 and 0 as true and false, and the context unchanged", () => {
    const { definition, created } = recording();
    instantiatePolicy(definition, { minSaving: 0.25, waitSeconds: 0, usdOnly: 0, strict: 1 }, context);
    expect(created).toHaveLength(1);
    expect(created[0].params).toEqual({ minSaving: 0.25, waitSeconds: 0, usdOnly: false, strict: true });
    expect(created[0].context).toBe(context);
  });

  it("fills each missing value with its default (a flag's as a boolean) and drops names it does not declare", () => {
    const { definition, created } = recording();
    instantiatePolicy(definition, { waitSeconds: 60, unknownKnob: 5 }, context);
    expect(created[0].params).toEqual({ minSaving: 0.1, waitSeconds: 60, usdOnly: true, strict: false });
  });

  it("refuses a run missing two inputs, naming both flags in the plural, before create runs", () => {
    // Only `advisor` exists today; a second name shows the wording the list takes.
    const { definition, created } = recording(["advisor", "ratings" as PolicyInputName]);
    const attempt = () => instantiatePolicy(definition, {}, context);
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(
      "--advisor, --ratings: expected the inputs policy recording needs, found none given",
    );
    expect(created).toEqual([]);
  });

  it("creates the policy once the input it declares is present", () => {
    const { definition, created } = recording(["advisor"]);
    const advisor = { bucketOfType: new Map([["m5.large", 0]]) } as unknown as NonNullable<
      PolicyContext["inputs"]["advisor"]
    >;
    const policy = instantiatePolicy(definition, {}, { ...context, inputs: { advisor } });
    expect(created).toHaveLength(1);
    expect(created[0].context.inputs.advisor).toBe(advisor);
    expect(policy.decide({} as never)).toEqual({ kind: "stay", reason: "test" });
  });
});
