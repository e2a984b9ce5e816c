import { CreateVolumeCommand, CreateVpcCommand, EC2Client } from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applySetup } from "../../src/setup/apply.js";
import { destroySetup, formatDestroyPlan, planDestroy } from "../../src/setup/destroy.js";
import { observe } from "../../src/setup/observe.js";
import { fastWait, mutating, setupHarness, spec, type SetupHarness } from "../support/setup-emulator.js";

let h: SetupHarness;
beforeEach(async () => {
  h = await setupHarness();
});
afterEach(async () => {
  await h.close();
});

describe("destroySetup on the local cloud's EC2 emulator (real SDK)", () => {
  it("removes exactly what setup made, in dependency order, and leaves untagged and other setups' resources alone", async () => {
    const { result: a } = await applySetup(h.ec2, spec(), fastWait);
    const { result: b } = await applySetup(h.ec2, spec({ name: "other", zone: "us-east-1b" }), fastWait);
    const sdk = new EC2Client({ region: "us-east-1", endpoint: h.emulator.endpoint });
    const untaggedVpc = (await sdk.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }))).Vpc!.VpcId!;
    const untaggedVolume = (
      await sdk.send(new CreateVolumeCommand({ AvailabilityZone: "us-east-1a", Size: 8, VolumeType: "gp3" }))
    ).VolumeId!;
    sdk.destroy();

    const mark = h.emulator.state.requestLog.length;
    const steps = await destroySetup(h.ec2, "t1");
    expect(mutating(h.actionsSince(mark))).toEqual([
      "DisassociateAddress",
      "ReleaseAddress",
      "DeleteNetworkInterface",
      "DeleteVolume",
      "DisassociateRouteTable",
      "DeleteRouteTable",
      "DetachInternetGateway",
      "DeleteInternetGateway",
      "DeleteSecurityGroup",
      "DeleteSubnet",
      "DeleteVpc",
    ]);
    expect(steps.map((s) => s.id).filter((id) => !/assoc/.test(id))).toEqual([
      a.allocationId,
      a.eniId,
      a.volumeId,
      a.routeTableId,
      a.internetGatewayId,
      a.internetGatewayId,
      a.securityGroupId,
      a.subnetId,
      a.vpcId,
    ]);
    expect(h.emulator.state.requestLog.slice(mark).filter((e) => e.error !== null)).toEqual([]);

    const world = h.emulator.state;
    expect(world.vpcs.has(a.vpcId)).toBe(false);
    expect(world.subnets.has(a.subnetId)).toBe(false);
    expect(world.securityGroups.has(a.securityGroupId)).toBe(false);
    expect(world.internetGateways.has(a.internetGatewayId)).toBe(false);
    expect(world.routeTables.has(a.routeTableId)).toBe(false);
    expect(world.interfaces.has(a.eniId)).toBe(false);
    expect(world.addresses.has(a.allocationId)).toBe(false);
    expect([...world.volumes.values()].filter((v) => v.id === a.volumeId && v.state !== "deleting")).toEqual(
      [],
    );

    expect(world.vpcs.has(untaggedVpc)).toBe(true);
    expect(world.volumes.get(untaggedVolume)?.state).toBe("available");
    expect([...world.vpcs.values()].filter((v) => v.isDefault)).toHaveLength(1);
    for (const id of [b.vpcId, b.subnetId, b.eniId]) {
      expect([...world.vpcs.keys(), ...world.subnets.keys(), ...world.interfaces.keys()]).toContain(id);
    }
    expect(world.addresses.get(b.allocationId)?.association?.eniId).toBe(b.eniId);
    expect(world.volumes.get(b.volumeId)?.state).toBe("available");
  });

  it("a second destroy finds nothing and makes no changing call", async () => {
    await applySetup(h.ec2, spec(), fastWait);
    await destroySetup(h.ec2, "t1");
    const mark = h.emulator.state.requestLog.length;
    expect(await destroySetup(h.ec2, "t1")).toEqual([]);
    expect(mutating(h.actionsSince(mark))).toEqual([]);
  });

  it("setup after destroy makes everything again", async () => {
    await applySetup(h.ec2, spec(), fastWait);
    await destroySetup(h.ec2, "t1");
    const mark = h.emulator.state.requestLog.length;
    await applySetup(h.ec2, spec(), fastWait);
    expect(mutating(h.actionsSince(mark))).toHaveLength(14);
  });

  it("the destroy plan (dry run) lists the calls and changes nothing", async () => {
    const { result } = await applySetup(h.ec2, spec(), fastWait);
    const mark = h.emulator.state.requestLog.length;
    const text = formatDestroyPlan("t1", planDestroy("t1", await observe(h.ec2, "t1")));
    expect(mutating(h.actionsSince(mark))).toEqual([]);
    expect(text.split("\n")[0]).toBe("destroy t1: 11 call(s)");
    expect(text).toContain(`DetachInternetGateway  ${result.internetGatewayId} from ${result.vpcId}`);
    expect(text).toContain(`DeleteVpc  ${result.vpcId}`);
  });
});
