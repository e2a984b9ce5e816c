import { describe, expect, it } from "vitest";
import { definePolicy, type PolicyContext } from "../../../src/engine/policy.js";
import type { Market, MigrationEstimate } from "../../../src/engine/types.js";
import { createLivePolicy, livePolicyDefinition } from "../../../src/drivers/live/live-policy.js";

const market = (id: number, lifecycle: Market["lifecycle"], onDemandUsd: number): Market => ({
  id,
  zone: "us-east-1a",
  instanceType: "m5.large",
  lifecycle,
  vcpu: 2,
  memoryGiB: 8,
  work: 10,
  onDemandUsd,
  architecture: "x86_64",
  cpuVendor: "intel",
});

const estimate = (acquireSeconds: number): MigrationEstimate =>
  ({ acquireSeconds }) as unknown as MigrationEstimate;

describe("the one construction of a live policy (acting run and dry run)", () => {
  it("refuses a simulation-only policy by name", () => {
    expect(() => livePolicyDefinition({ name: "optimal", params: {}, inputs: {} })).toThrow(
      "policy: expected a policy that can run live (not simulation-only), found optimal",
    );
  });

  it("gives the policy its typed params, the config's inputs, EC2's default bid and the hop estimate by target lifecycle", () => {
    let seen: { params: unknown; context: PolicyContext } | undefined;
    const probe = definePolicy({
      name: "probe",
      summary: "records what it is given",
      params: [{ name: "fast", kind: "flag", description: "a flag", default: false }],
      inputs: [],
      simulationOnly: false,
      create(params, context) {
        seen = { params, context };
        return { decide: () => ({ kind: "stay", reason: "probe" }) };
      },
    });
    const advisor = {
      source: "feed.json",
      region: "us-east-1",
      os: "Linux",
      bucketOfType: new Map([["m5.large", 2]]),
    };
    const markets = [market(0, "spot", 0.096), market(1, "on-demand", 0.096)];
    createLivePolicy(
      probe,
      { name: "probe", params: { fast: 1 }, inputs: { advisor } },
      {
        markets,
        billing: "per-second",
        start: 100,
        end: 200,
        intervalSeconds: 300,
        memoryGiB: 1,
        demandWork: 2,
        utilisation: 0.5,
        migration: (lifecycle) => estimate(lifecycle === "spot" ? 90 : 30),
      },
    );
    expect(seen!.params).toEqual({ fast: true });
    expect(seen!.context.inputs.advisor).toBe(advisor);
    expect([...seen!.context.bidUsd!]).toEqual([0.096, Infinity]);
    expect(seen!.context.migration(1, 0).acquireSeconds).toBe(90);
    expect(seen!.context.migration(0, 1).acquireSeconds).toBe(30);
    expect([seen!.context.start, seen!.context.end, seen!.context.utilisation]).toEqual([100, 200, 0.5]);
  });
});
