import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AttachNetworkInterfaceCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DeleteNetworkInterfaceCommand,
  DeleteTagsCommand,
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RunInstancesCommand,
  waitUntilNetworkInterfaceAvailable,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AMI, errorOf, harness, type Harness } from "../../support/emulator-harness.js";

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

async function eni(id: string): Promise<NetworkInterface> {
  return (await h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] })))
    .NetworkInterfaces![0];
}

/** A VPC with one subnet in us-east-1a, built with the set-up calls. */
async function network(): Promise<{ vpcId: string; subnetId: string; groupId: string }> {
  const vpc = await h.ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }));
  const vpcId = vpc.Vpc!.VpcId!;
  const subnet = await h.ec2.send(
    new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a" }),
  );
  const group = await h.ec2.send(
    new CreateSecurityGroupCommand({ GroupName: "hotspot", Description: "hotspot hosts", VpcId: vpcId }),
  );
  return { vpcId, subnetId: subnet.Subnet!.SubnetId!, groupId: group.GroupId! };
}

describe("network interfaces and Elastic IPs through the real SDK", () => {
  it("creates an ENI in a subnet (waitUntilNetworkInterfaceAvailable), attaches it at DeviceIndex 1, detaches it", async () => {
    const { subnetId, groupId } = await network();
    const created = await h.ec2.send(
      new CreateNetworkInterfaceCommand({
        SubnetId: subnetId,
        Groups: [groupId],
        Description: "container identity",
      }),
    );
    const eniId = created.NetworkInterface!.NetworkInterfaceId!;
    expect(created.NetworkInterface).toMatchObject({
      PrivateIpAddress: "10.0.1.4",
      AvailabilityZone: "us-east-1a",
      SourceDestCheck: true,
    });
    expect(
      (
        await waitUntilNetworkInterfaceAvailable(
          { client: h.ec2, maxWaitTime: 20, minDelay: 0.01, maxDelay: 0.02 },
          { NetworkInterfaceIds: [eniId] },
        )
      ).state,
    ).toBe("SUCCESS");
    const run = await h.ec2.send(
      new RunInstancesCommand({
        ImageId: AMI,
        InstanceType: "m4.large",
        MinCount: 1,
        MaxCount: 1,
        SubnetId: subnetId,
      }),
    );
    const instanceId = run.Instances![0].InstanceId!;
    expect(run.Instances![0].PrivateIpAddress).toBe("10.0.1.5");
    await h.clock.advance(1000);
    const att = await h.ec2.send(
      new AttachNetworkInterfaceCommand({
        NetworkInterfaceId: eniId,
        InstanceId: instanceId,
        DeviceIndex: 1,
      }),
    );
    expect(att.AttachmentId).toMatch(/^eni-attach-/);
    expect(await eni(eniId)).toMatchObject({
      Status: "in-use",
      Attachment: { Status: "attaching", DeviceIndex: 1, InstanceId: instanceId },
    });
    await h.clock.advance(480);
    expect((await eni(eniId)).Attachment?.Status).toBe("attached");
    const described = await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    expect(
      described.Reservations![0].Instances![0].NetworkInterfaces!.map((n) => [
        n.NetworkInterfaceId,
        n.Attachment?.DeviceIndex,
      ]),
    ).toEqual([
      [run.Instances![0].NetworkInterfaces![0].NetworkInterfaceId, 0],
      [eniId, 1],
    ]);
    const taken = await errorOf(
      h.ec2.send(
        new AttachNetworkInterfaceCommand({
          NetworkInterfaceId: eniId,
          InstanceId: instanceId,
          DeviceIndex: 2,
        }),
      ),
    );
    expect(taken.name).toBe("InvalidNetworkInterface.InUse");
    const primary = await errorOf(
      h.ec2.send(
        new DetachNetworkInterfaceCommand({
          AttachmentId: run.Instances![0].NetworkInterfaces![0].Attachment!.AttachmentId!,
        }),
      ),
    );
    expect(primary.name).toBe("OperationNotPermitted");
    await h.ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: att.AttachmentId! }));
    expect((await eni(eniId)).Attachment?.Status).toBe("detaching");
    await h.clock.advance(480);
    expect(await eni(eniId)).toMatchObject({ Status: "available" });
    expect((await eni(eniId)).Attachment).toBeUndefined();
    const gone = await errorOf(
      h.ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: att.AttachmentId! })),
    );
    expect(gone.name).toBe("InvalidAttachmentID.NotFound");
  });

  it("refuses an ENI in another zone, and a deletion of an ENI in use", async () => {
    const { subnetId } = await network();
    const created = await h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId }));
    const eniId = created.NetworkInterface!.NetworkInterfaceId!;
    await h.clock.advance(1);
    const run = await h.ec2.send(
      new RunInstancesCommand({
        ImageId: AMI,
        InstanceType: "m4.large",
        MinCount: 1,
        MaxCount: 1,
        Placement: { AvailabilityZone: "us-east-1c" },
      }),
    );
    await h.clock.advance(1000);
    const wrongZone = await errorOf(
      h.ec2.send(
        new AttachNetworkInterfaceCommand({
          NetworkInterfaceId: eniId,
          InstanceId: run.Instances![0].InstanceId!,
          DeviceIndex: 1,
        }),
      ),
    );
    expect(wrongZone.name).toBe("InvalidParameterCombination");
    const inUse = await errorOf(
      h.ec2.send(
        new DeleteNetworkInterfaceCommand({
          NetworkInterfaceId: run.Instances![0].NetworkInterfaces![0].NetworkInterfaceId!,
        }),
      ),
    );
    expect(inUse.name).toBe("InvalidNetworkInterface.InUse");
    await h.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eniId }));
    expect((await errorOf(eni(eniId))).name).toBe("InvalidNetworkInterfaceID.NotFound");
  });

  it("allocates an Elastic IP, associates it with an ENI, moves it with AllowReassociation only", async () => {
    const { subnetId } = await network();
    const one = (await h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId })))
      .NetworkInterface!.NetworkInterfaceId!;
    const two = (await h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId })))
      .NetworkInterface!.NetworkInterfaceId!;
    const eip = await h.ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
    expect(eip.PublicIp).toBe("203.0.113.1");
    const assoc = await h.ec2.send(
      new AssociateAddressCommand({ AllocationId: eip.AllocationId, NetworkInterfaceId: one }),
    );
    expect(assoc.AssociationId).toMatch(/^eipassoc-/);
    expect((await eni(one)).Association).toMatchObject({
      PublicIp: "203.0.113.1",
      AllocationId: eip.AllocationId,
    });
    const taken = await errorOf(
      h.ec2.send(new AssociateAddressCommand({ AllocationId: eip.AllocationId, NetworkInterfaceId: two })),
    );
    expect(taken.name).toBe("Resource.AlreadyAssociated");
    await h.ec2.send(
      new AssociateAddressCommand({
        AllocationId: eip.AllocationId,
        NetworkInterfaceId: two,
        AllowReassociation: true,
      }),
    );
    const addresses = await h.ec2.send(new DescribeAddressesCommand({ AllocationIds: [eip.AllocationId!] }));
    expect(addresses.Addresses![0]).toMatchObject({ NetworkInterfaceId: two, PublicIp: "203.0.113.1" });
    expect((await eni(one)).Association).toBeUndefined();
    expect(h.backend.calls.filter((c) => c.op.endsWith("ssociateAddress")).map((c) => c.op)).toEqual([
      "associateAddress",
      "disassociateAddress",
      "associateAddress",
    ]);
  });

  it("ModifyNetworkInterfaceAttribute turns SourceDestCheck off", async () => {
    const { subnetId } = await network();
    const eniId = (await h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId })))
      .NetworkInterface!.NetworkInterfaceId!;
    await h.ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({
        NetworkInterfaceId: eniId,
        SourceDestCheck: { Value: false },
      }),
    );
    expect((await eni(eniId)).SourceDestCheck).toBe(false);
    const nothing = await errorOf(
      h.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eniId })),
    );
    expect(nothing.name).toBe("MissingParameter");
  });

  it("CreateTags and DeleteTags on instances and ENIs; tag filters see them", async () => {
    const { subnetId } = await network();
    const eniId = (await h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId })))
      .NetworkInterface!.NetworkInterfaceId!;
    await h.ec2.send(
      new CreateTagsCommand({
        Resources: [eniId],
        Tags: [
          { Key: "hotspot:role", Value: "identity" },
          { Key: "x", Value: "1" },
        ],
      }),
    );
    const found = await h.ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "tag:hotspot:role", Values: ["identity"] }] }),
    );
    expect(found.NetworkInterfaces!.map((n) => n.NetworkInterfaceId)).toEqual([eniId]);
    await h.ec2.send(new DeleteTagsCommand({ Resources: [eniId], Tags: [{ Key: "x", Value: "2" }] }));
    expect((await eni(eniId)).TagSet).toHaveLength(2);
    await h.ec2.send(new DeleteTagsCommand({ Resources: [eniId], Tags: [{ Key: "x" }] }));
    expect((await eni(eniId)).TagSet).toEqual([{ Key: "hotspot:role", Value: "identity" }]);
    const unknown = await errorOf(
      h.ec2.send(
        new CreateTagsCommand({ Resources: ["i-00000000000000bad"], Tags: [{ Key: "a", Value: "b" }] }),
      ),
    );
    expect(unknown.name).toBe("InvalidInstanceID.NotFound");
  });
});

describe("RunInstances with NetworkInterface.N specs", () => {
  it("launches with a new primary ENI in a subnet and an existing ENI at device index 1", async () => {
    const { subnetId, groupId } = await network();
    const identity = (await h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId })))
      .NetworkInterface!.NetworkInterfaceId!;
    await h.clock.advance(1);
    const run = await h.ec2.send(
      new RunInstancesCommand({
        ImageId: AMI,
        InstanceType: "m4.large",
        MinCount: 1,
        MaxCount: 1,
        NetworkInterfaces: [
          { DeviceIndex: 0, SubnetId: subnetId, Groups: [groupId], PrivateIpAddress: "10.0.1.10" },
          { DeviceIndex: 1, NetworkInterfaceId: identity },
        ],
      }),
    );
    const instance = run.Instances![0];
    expect(instance.PrivateIpAddress).toBe("10.0.1.10");
    expect(instance.SecurityGroups).toEqual([{ GroupId: groupId, GroupName: "hotspot" }]);
    expect(
      instance.NetworkInterfaces!.map((n) => [n.Attachment?.DeviceIndex, n.Attachment?.DeleteOnTermination]),
    ).toEqual([
      [0, true],
      [1, false],
    ]);
    await h.clock.advance(1000);
    expect(await eni(identity)).toMatchObject({
      Status: "in-use",
      Attachment: { InstanceId: instance.InstanceId, Status: "attached" },
    });
    const both = await errorOf(
      h.ec2.send(
        new RunInstancesCommand({
          ImageId: AMI,
          InstanceType: "m4.large",
          MinCount: 1,
          MaxCount: 1,
          SubnetId: subnetId,
          NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnetId }],
        }),
      ),
    );
    expect(both.name).toBe("InvalidParameterCombination");
  });
});
