import { describe, expect, it } from "vitest";
import { policyParams, selectPolicies } from "../../src/cli/policy-options.js";
import { policyNames } from "../../src/policies/names.js";

const names = (raw: string[]) => selectPolicies(raw).map((d) => d.name);

describe("selectPolicies", () => {
  it("takes names in the order given, comma-separated or repeated, once each; all is every policy", () => {
    expect(names(["greedy,spot-stay"])).toEqual(["greedy", "spot-stay"]);
    expect(names(["spot-stay", "greedy", "spot-stay"])).toEqual(["spot-stay", "greedy"]);
    expect(names(["all"])).toEqual([...policyNames]);
    expect(names(["greedy,all"])).toEqual(["greedy", ...policyNames.filter((n) => n !== "greedy")]);
  });

  it("refuses an unknown name listing the valid ones, and an empty item", () => {
    expect(() => selectPolicies(["gredy"])).toThrow(
      `unknown policy "gredy"; valid: ${policyNames.join(", ")}`,
    );
    expect(() => selectPolicies(["greedy,"])).toThrow(
      '--policy: expected a comma-separated list with no empty items, found "greedy,"',
    );
  });
});

describe("policyParams", () => {
  const selected = selectPolicies(["greedy,spot-stay,on-demand"]);

  it("gives every selected policy its defaults when no --param is given", () => {
    expect(policyParams(undefined, selected).map((p) => [p.definition.name, p.params])).toEqual([
      ["greedy", { minSaving: 0 }],
      ["spot-stay", { fallback: 1 }],
      ["on-demand", {}],
    ]);
  });

  it("applies name=value to each policy that has the name, policy:name=value to that one only", () => {
    const params = policyParams(["minSaving=0.25", "spot-stay:fallback=0"], selected);
    expect(params.map((p) => p.params)).toEqual([{ minSaving: 0.25 }, { fallback: 0 }, {}]);
  });

  it("refuses a malformed item, a parameter no selected policy has, and a bad number", () => {
    expect(() => policyParams(["minSaving"], selected)).toThrow(
      '--param: expected name=value or policy:name=value, found "minSaving"',
    );
    expect(() => policyParams(["epsilon=0.1"], selected)).toThrow(
      '--param: expected a parameter of a selected policy (greedy:minSaving, spot-stay:fallback), found "epsilon=0.1"',
    );
    expect(() => policyParams(["x=1"], selectPolicies(["on-demand"]))).toThrow(
      '--param: expected a parameter of a selected policy (none has any), found "x=1"',
    );
    expect(() => policyParams(["minSaving=lots"], selected)).toThrow(/^--param minSaving: expected /);
  });
});
