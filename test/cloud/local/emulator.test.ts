import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AttachVolumeCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  CreateVolumeCommand,
  DeleteRouteCommand,
  DeleteSecurityGroupCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DetachInternetGatewayCommand,
  DetachVolumeCommand,
  DisassociateAddressCommand,
  ReleaseAddressCommand,
  RunInstancesCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AMI, errorOf, harness, type Harness } from "../../support/emulator-harness.js";

let h: Harness;
let instanceId: string;
let volumeId: string;
beforeAll(async () => {
  h = await harness();
  instanceId = (
    await h.ec2.send(
      new RunInstancesCommand({ ImageId: AMI, InstanceType: "m4.large", MinCount: 1, MaxCount: 1 }),
    )
  ).Instances![0].InstanceId!;
  volumeId = (await h.ec2.send(new CreateVolumeCommand({ AvailabilityZone: "us-east-1a", Size: 8 })))
    .VolumeId!;
  await h.clock.advance(1000);
});
afterAll(async () => {
  await h.close();
});

type Call = (ec2: EC2Client) => Promise<unknown>;
const defaultGroup = () =>
  [...h.emulator.state.securityGroups.values()].find((g) => g.name === "default")!.id;
const defaultVpc = () => [...h.emulator.state.vpcs.values()].find((v) => v.isDefault)!.id;

const cases: Array<[string, string, Call]> = [
  [
    "InvalidAMIID.Malformed",
    "RunInstances",
    (c) => c.send(new RunInstancesCommand({ ImageId: "image-1", MinCount: 1, MaxCount: 1 })),
  ],
  [
    "InvalidSubnetID.NotFound",
    "RunInstances",
    (c) =>
      c.send(
        new RunInstancesCommand({
          ImageId: AMI,
          MinCount: 1,
          MaxCount: 1,
          SubnetId: "subnet-0000000000000dead",
        }),
      ),
  ],
  [
    "InvalidGroup.NotFound",
    "DescribeSecurityGroups",
    (c) => c.send(new DescribeSecurityGroupsCommand({ GroupIds: ["sg-0000000000000dead"] })),
  ],
  [
    "InvalidGroup.Duplicate",
    "CreateSecurityGroup",
    (c) =>
      c.send(
        new CreateSecurityGroupCommand({ GroupName: "default", Description: "again", VpcId: defaultVpc() }),
      ),
  ],
  [
    "CannotDelete",
    "DeleteSecurityGroup",
    (c) => c.send(new DeleteSecurityGroupCommand({ GroupId: defaultGroup() })),
  ],
  [
    "Gateway.NotAttached",
    "DetachInternetGateway",
    (c) =>
      c.send(
        new DetachInternetGatewayCommand({
          InternetGatewayId: [...h.emulator.state.internetGateways.keys()][0],
          VpcId: "vpc-00000000000000000",
        }),
      ),
  ],
  [
    "InvalidRoute.NotFound",
    "DeleteRoute",
    (c) =>
      c.send(
        new DeleteRouteCommand({
          RouteTableId: [...h.emulator.state.routeTables.keys()][0],
          DestinationCidrBlock: "192.0.2.0/24",
        }),
      ),
  ],
  [
    "InvalidAssociationID.NotFound",
    "DisassociateAddress",
    (c) => c.send(new DisassociateAddressCommand({ AssociationId: "eipassoc-00000000000000000" })),
  ],
  [
    "InvalidAllocationID.NotFound",
    "ReleaseAddress",
    (c) => c.send(new ReleaseAddressCommand({ AllocationId: "eipalloc-00000000000000000" })),
  ],
  [
    "InvalidAddress.NotFound",
    "AssociateAddress",
    (c) => c.send(new AssociateAddressCommand({ PublicIp: "192.0.2.1", InstanceId: instanceId })),
  ],
  [
    "InvalidAttachment.NotFound",
    "DetachVolume",
    async (c) => {
      await c.send(
        new AttachVolumeCommand({ VolumeId: volumeId, InstanceId: instanceId, Device: "/dev/sdf" }),
      );
      return c.send(new DetachVolumeCommand({ VolumeId: volumeId, InstanceId: "i-00000000000000000" }));
    },
  ],
  [
    "InvalidSnapshot.NotFound",
    "CreateVolume",
    (c) =>
      c.send(
        new CreateVolumeCommand({ AvailabilityZone: "us-east-1a", SnapshotId: "snap-0000000000000dead" }),
      ),
  ],
  [
    "InvalidID",
    "CreateTags",
    (c) => c.send(new CreateTagsCommand({ Resources: ["thing-1"], Tags: [{ Key: "a", Value: "b" }] })),
  ],
  [
    "InvalidIPAddress.InUse",
    "CreateNetworkInterface",
    (c) =>
      c.send(
        new CreateNetworkInterfaceCommand({
          SubnetId: h.emulator.state.instances.get(instanceId)!.subnetId,
          PrivateIpAddress: h.emulator.state.instances.get(instanceId)!.privateIp,
        }),
      ),
  ],
  ["DryRunOperation", "DescribeInstances", (c) => c.send(new DescribeInstancesCommand({ DryRun: true }))],
];

describe("error codes through the real SDK", () => {
  it.each(cases)("%s from %s", async (code, _action, call) => {
    const err = await errorOf(call(h.ec2));
    expect(err.name).toBe(code);
    expect(err.status).toBe(code === "DryRunOperation" ? 412 : 400);
  });

  it("InvalidIPAddress.InUse on releasing an associated address", async () => {
    const eip = await h.ec2.send(new AllocateAddressCommand({}));
    await h.ec2.send(new AssociateAddressCommand({ AllocationId: eip.AllocationId, InstanceId: instanceId }));
    expect(
      (await errorOf(h.ec2.send(new ReleaseAddressCommand({ AllocationId: eip.AllocationId })))).name,
    ).toBe("InvalidIPAddress.InUse");
    const described = await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    expect(described.Reservations![0].Instances![0].PublicIpAddress).toBe(eip.PublicIp);
  });
});

describe("protocol errors (raw HTTP)", () => {
  const post = (body: string, auth = true) =>
    fetch(h.emulator.endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        ...(auth
          ? {
              authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDLOCALCLOUDTEST/20260101/us-east-1/ec2/aws4_request",
            }
          : {}),
      },
      body,
    });

  it("answers an unknown action with InvalidAction, no action with MissingAction, no signature with AuthFailure", async () => {
    const unknown = await post("Action=LaunchRocket&Version=2016-11-15");
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toMatch(
      /<Response><Errors><Error><Code>InvalidAction<\/Code><Message>The action LaunchRocket is not valid for this web service\.<\/Message><\/Error><\/Errors><RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>/,
    );
    expect(await (await post("Version=2016-11-15")).text()).toContain("<Code>MissingAction</Code>");
    const unsigned = await post("Action=DescribeVolumes&Version=2016-11-15", false);
    expect(unsigned.status).toBe(401);
    expect(await unsigned.text()).toContain("<Code>AuthFailure</Code>");
  });

  it("answers in the 2016-11-15 namespace with a requestId", async () => {
    const ok = await post("Action=DescribeVolumes&Version=2016-11-15");
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<DescribeVolumesResponse xmlns="http:\/\/ec2\.amazonaws\.com\/doc\/2016-11-15\/"><requestId>[0-9a-f-]{36}<\/requestId><volumeSet>/,
    );
  });
});
