import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CloudApiError } from "../../src/errors.js";
import { setupHarness, type SetupHarness } from "../support/setup-emulator.js";

let h: SetupHarness;
beforeEach(async () => {
  h = await setupHarness();
});
afterEach(async () => {
  await h.close();
});

const tags = (kind: string) => ({ setupName: "t1", name: `hotspot-t1-${kind}` });

describe("createSetupEc2 against the EC2 emulator (real SDK)", () => {
  it("makes each resource tagged with the setup, and finds exactly those back with their fields", async () => {
    const { ec2 } = h;
    const vpcId = await ec2.createVpc("10.0.0.0/16", tags("vpc"));
    const subnetId = await ec2.createSubnet(vpcId, "10.0.1.0/24", "us-east-1a", tags("subnet"));
    const groupId = await ec2.createSecurityGroup(vpcId, tags("security-group"));
    await ec2.authorizeIngress(groupId, [
      { protocol: "tcp", fromPort: 22, toPort: 22, cidr: "198.51.100.0/24" },
      { protocol: "-1", cidr: "10.0.0.0/16" },
    ]);
    const gatewayId = await ec2.createInternetGateway(tags("internet-gateway"));
    await ec2.attachInternetGateway(gatewayId, vpcId);
    const tableId = await ec2.createRouteTable(vpcId, tags("route-table"));
    await ec2.createDefaultRoute(tableId, gatewayId);
    await ec2.associateRouteTable(tableId, subnetId);
    const eniId = await ec2.createInterface(subnetId, "10.0.1.10", groupId, tags("network-interface"));
    await ec2.disableSourceDestCheck(eniId);
    const { allocationId, publicIp } = await ec2.allocateAddress(tags("elastic-ip"));
    await ec2.associateAddress(allocationId, eniId);
    const volumeId = await ec2.createVolume("us-east-1a", 20, tags("volume"));
    // Another setup's resource and an untagged one are not ours.
    await ec2.createVpc("10.9.0.0/16", { setupName: "other", name: "hotspot-other-vpc" });

    expect(await ec2.findVpcs("t1")).toEqual([{ id: vpcId, cidr: "10.0.0.0/16" }]);
    expect(await ec2.findSubnets("t1")).toEqual([
      { id: subnetId, vpcId, cidr: "10.0.1.0/24", zone: "us-east-1a" },
    ]);
    const [group] = await ec2.findSecurityGroups("t1");
    expect(group.id).toBe(groupId);
    expect(group.vpcId).toBe(vpcId);
    expect(group.ingress).toEqual(
      expect.arrayContaining([
        { protocol: "tcp", fromPort: 22, toPort: 22, cidr: "198.51.100.0/24" },
        { protocol: "-1", fromPort: undefined, toPort: undefined, cidr: "10.0.0.0/16" },
      ]),
    );
    expect(await ec2.findInternetGateways("t1")).toEqual([{ id: gatewayId, vpcIds: [vpcId] }]);
    const [table] = await ec2.findRouteTables("t1");
    expect(table.id).toBe(tableId);
    expect(table.routes).toContainEqual({ destination: "0.0.0.0/0", gatewayId });
    expect(table.associations).toEqual([{ id: expect.stringMatching(/^rtbassoc-/), subnetId }]);
    expect(await ec2.findInterfaces("t1")).toEqual([
      {
        id: eniId,
        subnetId,
        privateIp: "10.0.1.10",
        sourceDestCheck: false,
        status: "available",
        instanceId: undefined,
      },
    ]);
    expect(await ec2.findAddresses("t1")).toEqual([
      {
        allocationId,
        publicIp,
        associationId: expect.stringMatching(/^eipassoc-/),
        networkInterfaceId: eniId,
      },
    ]);
    const [volume] = await ec2.findVolumes("t1");
    expect(volume).toMatchObject({
      id: volumeId,
      zone: "us-east-1a",
      sizeGiB: 20,
      volumeType: "gp3",
      encrypted: true,
      attachedTo: [],
    });
    expect(await ec2.findVpcs("nobody")).toEqual([]);
  });

  it("turns an EC2 error into a CloudApiError naming the operation, the region and AWS's code", async () => {
    const error = await h.ec2.deleteVpc("vpc-0123456789abcdef0").then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(CloudApiError);
    expect(error).toMatchObject({
      apiCode: "InvalidVpcID.NotFound",
      code: "HOTSPOT_CLOUD_InvalidVpcID.NotFound",
    });
    expect((error as Error).message).toMatch(
      /^DeleteVpc in us-east-1 failed: InvalidVpcID\.NotFound \(HTTP 400, request [0-9a-f-]+\): /,
    );
  });
});
