import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { observe, SetupConflictError, single } from "../../src/setup/observe.js";
import { setupHarness, type SetupHarness } from "../support/setup-emulator.js";

describe("single", () => {
  it("gives the one resource of a kind, or none", () => {
    expect(single([{ id: "vpc-1" }], (v) => v.id, "VPC", "t1")).toEqual({ id: "vpc-1" });
    expect(single([], (v: { id: string }) => v.id, "VPC", "t1")).toBeUndefined();
  });

  it("refuses more than one, naming them all and how to clear them up", () => {
    let error: unknown;
    try {
      single([{ id: "vpc-1" }, { id: "vpc-2" }], (v) => v.id, "VPC", "t1");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SetupConflictError);
    expect(error).toMatchObject({
      code: "HOTSPOT_SETUP_CONFLICT",
      message:
        "found 2 VPCs tagged hotspot:setup=t1 (vpc-1, vpc-2); setup makes one — remove the extra ones or run `hotspot setup --destroy --name t1`",
    });
  });
});

describe("observe (EC2 emulator, real SDK)", () => {
  let h: SetupHarness;
  beforeEach(async () => {
    h = await setupHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it("asks once per kind for what carries the setup's tag, and leaves out volumes being deleted", async () => {
    const tags = { setupName: "t1", name: "hotspot-t1-volume" };
    const kept = await h.ec2.createVolume("us-east-1a", 20, tags);
    const deleted = await h.ec2.createVolume("us-east-1a", 20, tags);
    // The emulator's volumes take a moment to become available before they can be deleted.
    for (let i = 0; i < 400 && (await h.ec2.findVolumes("t1")).some((v) => v.state !== "available"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await h.ec2.deleteVolume(deleted);
    const mark = h.emulator.state.requestLog.length;
    const seen = await observe(h.ec2, "t1");
    expect(h.actionsSince(mark)).toEqual([
      "DescribeVpcs",
      "DescribeSubnets",
      "DescribeSecurityGroups",
      "DescribeInternetGateways",
      "DescribeRouteTables",
      "DescribeNetworkInterfaces",
      "DescribeAddresses",
      "DescribeVolumes",
    ]);
    expect(seen.volumes.map((v) => v.id)).toEqual([kept]);
    expect(seen.vpcs).toEqual([]);
  });
});
