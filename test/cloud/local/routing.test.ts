import {
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteRouteCommand,
  DescribeRouteTablesCommand,
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

async function vpcWithTable() {
  const vpcId = (await h.ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  const subnetId = (
    await h.ec2.send(
      new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a" }),
    )
  ).Subnet!.SubnetId!;
  const tableId = (await h.ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
  const igw = (await h.ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
  return { vpcId, subnetId, tableId, igw };
}

describe("internet gateways and route tables", () => {
  it("a new table has the VPC's local route; a default route needs the gateway attached to that VPC", async () => {
    const { vpcId, tableId, igw } = await vpcWithTable();
    const route = { RouteTableId: tableId, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw };
    expect(await errorOf(h.ec2.send(new CreateRouteCommand(route)))).toMatchObject({
      name: "InvalidParameterValue",
      message: `route table ${tableId} and network gateway ${igw} belong to different networks`,
    });
    await h.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
    await h.ec2.send(new CreateRouteCommand(route));
    const [table] = (await h.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [tableId] })))
      .RouteTables!;
    expect(table.Routes!.map((r) => [r.DestinationCidrBlock, r.GatewayId])).toEqual([
      ["10.0.0.0/16", "local"],
      ["0.0.0.0/0", igw],
    ]);
    expect(await errorOf(h.ec2.send(new CreateRouteCommand(route)))).toMatchObject({
      name: "RouteAlreadyExists",
      message: "The route identified by 0.0.0.0/0 already exists.",
    });
    expect(
      await errorOf(
        h.ec2.send(new CreateRouteCommand({ RouteTableId: tableId, DestinationCidrBlock: "10.1.0.0/16" })),
      ),
    ).toMatchObject({
      name: "InvalidParameterCombination",
      message: "Exactly one of GatewayId, NetworkInterfaceId or InstanceId must be given",
    });
  });

  it("a gateway attaches to one VPC, and a VPC takes one gateway", async () => {
    const { vpcId, igw } = await vpcWithTable();
    await h.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
    const other = (await h.ec2.send(new CreateVpcCommand({ CidrBlock: "10.1.0.0/16" }))).Vpc!.VpcId!;
    expect(
      await errorOf(h.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: other }))),
    ).toMatchObject({
      name: "Resource.AlreadyAssociated",
      message: `resource ${igw} is already attached to network ${vpcId}`,
    });
    const second = (await h.ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!
      .InternetGatewayId!;
    expect(
      await errorOf(
        h.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: second, VpcId: vpcId })),
      ),
    ).toMatchObject({
      name: "InvalidParameterValue",
      message: `Network ${vpcId} already has an internet gateway attached (${igw})`,
    });
  });

  it("never removes the local route, and associates a subnet with one table only", async () => {
    const { vpcId, subnetId, tableId } = await vpcWithTable();
    expect(
      await errorOf(
        h.ec2.send(new DeleteRouteCommand({ RouteTableId: tableId, DestinationCidrBlock: "10.0.0.0/16" })),
      ),
    ).toMatchObject({
      name: "InvalidParameterValue",
      message: `cannot remove local route 10.0.0.0/16 in route table ${tableId}`,
    });
    const assoc = await h.ec2.send(
      new AssociateRouteTableCommand({ RouteTableId: tableId, SubnetId: subnetId }),
    );
    expect(assoc.AssociationState?.State).toBe("associated");
    const second = (await h.ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!
      .RouteTableId!;
    expect(
      await errorOf(h.ec2.send(new AssociateRouteTableCommand({ RouteTableId: second, SubnetId: subnetId }))),
    ).toMatchObject({
      name: "Resource.AlreadyAssociated",
      message: `the specified association for route table ${tableId} conflicts with an existing association`,
    });
  });
});
