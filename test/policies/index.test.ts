import { describe, expect, it } from "vitest";
import { UnknownNameError, UsageError } from "../../src/errors.js";
import { policies, policyByName, resolveParams } from "../../src/policies/index.js";

describe("policy registry", () => {
  it("lists the baselines and the hopping policies", () => {
    expect(Object.keys(policies)).toEqual([
      "on-demand",
      "spot-stay",
      "greedy",
      "hotspot",
      "hotspot-plus",
      "optimal",
    ]);
    for (const [name, definition] of Object.entries(policies)) expect(definition.name).toBe(name);
  });

  it("rejects an unknown name listing the valid ones", () => {
    expect(() => policyByName("cheapest")).toThrow(UnknownNameError);
    expect(() => policyByName("cheapest")).toThrow(
      /valid: on-demand, spot-stay, greedy, hotspot, hotspot-plus, optimal/,
    );
  });

  it("fills defaults and validates given params against the PolicyParam list", () => {
    expect(resolveParams(policies.greedy, {})).toEqual({ minSaving: 0 });
    expect(resolveParams(policies.greedy, { minSaving: 0.2 })).toEqual({ minSaving: 0.2 });
    expect(() => resolveParams(policies.greedy, { minSaving: 2 })).toThrow(UsageError);
    expect(() => resolveParams(policies.greedy, { speed: 1 })).toThrow(/minSaving/);
  });
});
