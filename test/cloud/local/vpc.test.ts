import {
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteInternetGatewayCommand,
  DeleteRouteTableCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeInternetGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  DisassociateRouteTableCommand,
  RunInstancesCommand,
  waitUntilInstanceExists,
  waitUntilInternetGatewayExists,
  waitUntilSecurityGroupExists,
  waitUntilSubnetAvailable,
  waitUntilVpcAvailable,
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

describe("VPC set-up calls through the real SDK", () => {
  it("the SDK's existence waiters succeed on what was created", async () => {
    const { vpcId, subnetId, groupId } = await network();
    const igw = (await h.ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
    const run = await h.ec2.send(
      new RunInstancesCommand({
        ImageId: AMI,
        InstanceType: "m4.large",
        MinCount: 1,
        MaxCount: 1,
        SubnetId: subnetId,
      }),
    );
    const options = { client: h.ec2, maxWaitTime: 20, minDelay: 0.01, maxDelay: 0.02 };
    const results = await Promise.all([
      waitUntilVpcAvailable(options, { VpcIds: [vpcId] }),
      waitUntilSubnetAvailable(options, { SubnetIds: [subnetId] }),
      waitUntilSecurityGroupExists(options, { GroupIds: [groupId] }),
      waitUntilInternetGatewayExists(options, { InternetGatewayIds: [igw] }),
      waitUntilInstanceExists(options, { InstanceIds: [run.Instances![0].InstanceId!] }),
    ]);
    expect(results.map((r) => r.state)).toEqual(["SUCCESS", "SUCCESS", "SUCCESS", "SUCCESS", "SUCCESS"]);
  });

  it("builds a VPC with subnet, security group rule, internet gateway and routes, describes it, and tears it down", async () => {
    const { vpcId, subnetId, groupId } = await network();
    const clash = await errorOf(
      h.ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.128/25", AvailabilityZone: "us-east-1a" }),
      ),
    );
    expect(clash.name).toBe("InvalidSubnet.Conflict");
    const outside = await errorOf(
      h.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.1.0.0/24" })),
    );
    expect(outside.name).toBe("InvalidSubnet.Range");
    const rule = {
      GroupId: groupId,
      IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.0.0/8" }] }],
    };
    const auth = await h.ec2.send(new AuthorizeSecurityGroupIngressCommand(rule));
    expect(auth.Return).toBe(true);
    expect((await errorOf(h.ec2.send(new AuthorizeSecurityGroupIngressCommand(rule)))).name).toBe(
      "InvalidPermission.Duplicate",
    );
    const igw = (await h.ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
    await h.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
    const rtb = (await h.ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
    await h.ec2.send(
      new CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }),
    );
    const dup = await errorOf(
      h.ec2.send(
        new CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }),
      ),
    );
    expect(dup.name).toBe("RouteAlreadyExists");
    const assoc = await h.ec2.send(new AssociateRouteTableCommand({ RouteTableId: rtb, SubnetId: subnetId }));

    const vpcs = await h.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
    expect(vpcs.Vpcs![0]).toMatchObject({ CidrBlock: "10.0.0.0/16", State: "available", IsDefault: false });
    const subnets = await h.ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }),
    );
    expect(
      subnets.Subnets!.map((s) => [s.SubnetId, s.CidrBlock, s.AvailabilityZone, s.AvailableIpAddressCount]),
    ).toEqual([[subnetId, "10.0.1.0/24", "us-east-1a", 251]]);
    const groups = await h.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
    expect(groups.SecurityGroups![0].IpPermissions).toEqual([
      expect.objectContaining({
        IpProtocol: "tcp",
        FromPort: 22,
        ToPort: 22,
        IpRanges: [{ CidrIp: "10.0.0.0/8" }],
      }),
    ]);
    const gateways = await h.ec2.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [igw] }));
    expect(gateways.InternetGateways![0].Attachments).toEqual([{ VpcId: vpcId, State: "available" }]);
    const tables = await h.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtb] }));
    expect(tables.RouteTables![0].Routes!.map((r) => [r.DestinationCidrBlock, r.GatewayId])).toEqual([
      ["10.0.0.0/16", "local"],
      ["0.0.0.0/0", igw],
    ]);
    expect(tables.RouteTables![0].Associations).toEqual([
      expect.objectContaining({ SubnetId: subnetId, Main: false }),
    ]);

    expect((await errorOf(h.ec2.send(new DeleteVpcCommand({ VpcId: vpcId })))).name).toBe(
      "DependencyViolation",
    );
    expect(
      (await errorOf(h.ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw })))).name,
    ).toBe("DependencyViolation");
    expect((await errorOf(h.ec2.send(new DeleteRouteTableCommand({ RouteTableId: rtb })))).name).toBe(
      "DependencyViolation",
    );
    await h.ec2.send(new DisassociateRouteTableCommand({ AssociationId: assoc.AssociationId! }));
    await h.ec2.send(new DeleteRouteTableCommand({ RouteTableId: rtb }));
    await h.ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
    await h.ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw }));
    await h.ec2.send(new DeleteSubnetCommand({ SubnetId: subnetId }));
    await h.ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
    await h.ec2.send(new DeleteVpcCommand({ VpcId: vpcId }));
    expect((await errorOf(h.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] })))).name).toBe(
      "InvalidVpcID.NotFound",
    );
  });

  it("starts with a default VPC and one default subnet per zone", async () => {
    const vpcs = await h.ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }),
    );
    expect(vpcs.Vpcs!.map((v) => v.CidrBlock)).toEqual(["172.31.0.0/16"]);
    const subnets = await h.ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: "default-for-az", Values: ["true"] }] }),
    );
    expect(subnets.Subnets!.map((s) => s.AvailabilityZone)).toEqual(
      ["a", "b", "c", "d", "e", "f"].map((z) => `us-east-1${z}`),
    );
  });
});
