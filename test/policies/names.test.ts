import { describe, expect, it } from "vitest";
import { policyNames } from "../../src/policies/names.js";
import { policies } from "../../src/policies/index.js";

describe("policy names", () => {
  it("are the registry's keys in its order, each naming its own definition", () => {
    expect(Object.keys(policies)).toEqual([...policyNames]);
    for (const name of policyNames) expect(policies[name].name).toBe(name);
  });
});
