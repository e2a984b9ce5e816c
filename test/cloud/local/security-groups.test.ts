import {
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
} from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { errorOf, harness, type Harness } from "../../support/emulator-harness.js";

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

const defaultVpc = () => [...h.emulator.state.vpcs.values()].find((v) => v.isDefault)!.id;

describe("security groups", () => {
  it("a new group lands in the default VPC with EC2's allow-all egress rule; found by name", async () => {
    const { GroupId } = await h.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "web", Description: "web hosts" }),
    );
    const [group] = (await h.ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ["web"] })))
      .SecurityGroups!;
    expect(group).toMatchObject({ GroupId, GroupName: "web", Description: "web hosts", VpcId: defaultVpc() });
    expect(group.IpPermissions).toEqual([]);
    expect(group.IpPermissionsEgress!.map((p) => [p.IpProtocol, p.IpRanges!.map((r) => r.CidrIp)])).toEqual([
      ["-1", ["0.0.0.0/0"]],
    ]);
    expect(
      await errorOf(h.ec2.send(new CreateSecurityGroupCommand({ GroupName: "web", Description: "again" }))),
    ).toMatchObject({
      name: "InvalidGroup.Duplicate",
      message: `The security group 'web' already exists for VPC '${defaultVpc()}'`,
    });
    expect(
      await errorOf(h.ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ["nobody"] }))),
    ).toMatchObject({ name: "InvalidGroup.NotFound", message: "The security group 'nobody' does not exist" });
  });

  it("adds ingress rules once; the same rule again is InvalidPermission.Duplicate", async () => {
    const { GroupId } = await h.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "web", Description: "d" }),
    );
    const ssh = {
      GroupId,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "198.51.100.0/24" }] },
      ],
    };
    await h.ec2.send(new AuthorizeSecurityGroupIngressCommand(ssh));
    const [group] = (await h.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [GroupId!] })))
      .SecurityGroups!;
    expect(
      group.IpPermissions!.map((p) => [p.IpProtocol, p.FromPort, p.ToPort, p.IpRanges![0].CidrIp]),
    ).toEqual([["tcp", 22, 22, "198.51.100.0/24"]]);
    expect(await errorOf(h.ec2.send(new AuthorizeSecurityGroupIngressCommand(ssh)))).toMatchObject({
      name: "InvalidPermission.Duplicate",
      message:
        'the specified rule "peer: 198.51.100.0/24, TCP, from port: 22, to port: 22, ALLOW" already exists',
    });
  });

  it("will not delete the default group or one an ENI uses; deletes an unused one", async () => {
    const defaultGroup = [...h.emulator.state.securityGroups.values()].find((g) => g.name === "default")!.id;
    expect(
      await errorOf(h.ec2.send(new DeleteSecurityGroupCommand({ GroupId: defaultGroup }))),
    ).toMatchObject({
      name: "CannotDelete",
      message: `the specified group: "${defaultGroup}" name: "default" cannot be deleted by a user`,
    });
    const { GroupId } = await h.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "web", Description: "d" }),
    );
    const subnet = [...h.emulator.state.subnets.values()].find((s) => s.zone === "us-east-1a")!.id;
    const eni = (
      await h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnet, Groups: [GroupId!] }))
    ).NetworkInterface!.NetworkInterfaceId!;
    expect(await errorOf(h.ec2.send(new DeleteSecurityGroupCommand({ GroupId })))).toMatchObject({
      name: "DependencyViolation",
      message: `resource ${GroupId} has a dependent object (${eni})`,
    });
    const { GroupId: unused } = await h.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "spare", Description: "d" }),
    );
    await h.ec2.send(new DeleteSecurityGroupCommand({ GroupId: unused }));
    expect(h.emulator.state.securityGroups.has(unused!)).toBe(false);
  });
});
