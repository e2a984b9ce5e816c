import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateNetworkInterfaceCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVolumeCommand,
  CreateVpcCommand,
  DeleteInternetGatewayCommand,
  DeleteNetworkInterfaceCommand,
  DeleteRouteTableCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVolumeCommand,
  DeleteVpcCommand,
  DescribeAddressesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVolumesCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  DisassociateAddressCommand,
  DisassociateRouteTableCommand,
  EC2Client,
  ModifyNetworkInterfaceAttributeCommand,
  ReleaseAddressCommand,
  type Filter,
  type ResourceType,
  type Tag,
} from "@aws-sdk/client-ec2";
import { sdkCaller } from "../cloud/ec2-client.js";
import { SETUP_TAG } from "./spec.js";

/** One inbound rule: protocol "-1" means all traffic (ports then absent). */
export interface IngressRule {
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly cidr: string;
}

export interface FoundVpc {
  readonly id: string;
  readonly cidr: string;
}
export interface FoundSubnet {
  readonly id: string;
  readonly vpcId: string;
  readonly cidr: string;
  readonly zone: string;
}
export interface FoundSecurityGroup {
  readonly id: string;
  readonly vpcId: string;
  readonly ingress: readonly IngressRule[];
}
export interface FoundInternetGateway {
  readonly id: string;
  readonly vpcIds: readonly string[];
}
export interface FoundRouteTable {
  readonly id: string;
  readonly vpcId: string;
  readonly routes: readonly { readonly destination: string; readonly gatewayId?: string }[];
  readonly associations: readonly { readonly id: string; readonly subnetId: string }[];
}
export interface FoundInterface {
  readonly id: string;
  readonly subnetId: string;
  readonly privateIp: string;
  readonly sourceDestCheck: boolean;
  readonly status: string;
  /** The instance it is attached to, if any. */
  readonly instanceId?: string;
}
export interface FoundAddress {
  readonly allocationId: string;
  readonly publicIp: string;
  readonly associationId?: string;
  readonly networkInterfaceId?: string;
}
export interface FoundVolume {
  readonly id: string;
  readonly zone: string;
  readonly sizeGiB: number;
  readonly volumeType: string;
  readonly encrypted: boolean;
  readonly state: string;
  readonly attachedTo: readonly string[];
}

/** Tags for a new resource: our setup tag and a readable Name. */
export interface NewTags {
  readonly setupName: string;
  readonly name: string;
}

/**
 * The EC2 calls `hotspot setup` makes, kept narrow so tests and emulators can stand in for it.
 * `find*` return the resources tagged `hotspot:setup=<setupName>`; every method throws CloudApiError.
 */
export interface SetupEc2 {
  readonly region: string;
  findVpcs(setupName: string): Promise<FoundVpc[]>;
  createVpc(cidr: string, tags: NewTags): Promise<string>;
  deleteVpc(id: string): Promise<void>;
  findSubnets(setupName: string): Promise<FoundSubnet[]>;
  createSubnet(vpcId: string, cidr: string, zone: string, tags: NewTags): Promise<string>;
  deleteSubnet(id: string): Promise<void>;
  findSecurityGroups(setupName: string): Promise<FoundSecurityGroup[]>;
  createSecurityGroup(vpcId: string, tags: NewTags): Promise<string>;
  authorizeIngress(groupId: string, rules: readonly IngressRule[]): Promise<void>;
  deleteSecurityGroup(id: string): Promise<void>;
  findInternetGateways(setupName: string): Promise<FoundInternetGateway[]>;
  createInternetGateway(tags: NewTags): Promise<string>;
  attachInternetGateway(gatewayId: string, vpcId: string): Promise<void>;
  detachInternetGateway(gatewayId: string, vpcId: string): Promise<void>;
  deleteInternetGateway(id: string): Promise<void>;
  findRouteTables(setupName: string): Promise<FoundRouteTable[]>;
  createRouteTable(vpcId: string, tags: NewTags): Promise<string>;
  createDefaultRoute(routeTableId: string, gatewayId: string): Promise<void>;
  associateRouteTable(routeTableId: string, subnetId: string): Promise<void>;
  disassociateRouteTable(associationId: string): Promise<void>;
  deleteRouteTable(id: string): Promise<void>;
  findInterfaces(setupName: string): Promise<FoundInterface[]>;
  createInterface(subnetId: string, privateIp: string, groupId: string, tags: NewTags): Promise<string>;
  disableSourceDestCheck(interfaceId: string): Promise<void>;
  deleteInterface(id: string): Promise<void>;
  findAddresses(setupName: string): Promise<FoundAddress[]>;
  allocateAddress(tags: NewTags): Promise<{ allocationId: string; publicIp: string }>;
  associateAddress(allocationId: string, interfaceId: string): Promise<void>;
  disassociateAddress(associationId: string): Promise<void>;
  releaseAddress(allocationId: string): Promise<void>;
  findVolumes(setupName: string): Promise<FoundVolume[]>;
  createVolume(zone: string, sizeGiB: number, tags: NewTags): Promise<string>;
  deleteVolume(id: string): Promise<void>;
}

export interface SetupEc2Options {
  readonly region: string;
  /** Another EC2-compatible endpoint, e.g. the local emulator. */
  readonly endpoint?: string;
}

const ownFilter = (setupName: string): Filter[] => [{ Name: `tag:${SETUP_TAG}`, Values: [setupName] }];

const tagSpec = (type: ResourceType, tags: NewTags) => [
  {
    ResourceType: type,
    Tags: [
      { Key: SETUP_TAG, Value: tags.setupName },
      { Key: "Name", Value: tags.name },
    ] satisfies Tag[],
  },
];

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === null || value === "") throw new Error(`EC2 returned no ${what}`);
  return value;
}

/** The real EC2 API; credentials come only from the SDK's default provider chain. */
export function createSetupEc2(options: SetupEc2Options): SetupEc2 & { destroy(): void } {
  const client = new EC2Client({ region: options.region, endpoint: options.endpoint });
  const region = options.region;
  // Every call goes through here so any failure becomes a CloudApiError with credentials scrubbed.
  const call = sdkCaller(client, region);
  return {
    region,
    destroy: () => client.destroy(),

    findVpcs: (setupName) =>
      call("DescribeVpcs", async () => {
        const out = await client.send(new DescribeVpcsCommand({ Filters: ownFilter(setupName) }));
        return (out.Vpcs ?? []).map((v) => ({
          id: required(v.VpcId, "VpcId"),
          cidr: required(v.CidrBlock, "CidrBlock"),
        }));
      }),
    createVpc: (cidr, tags) =>
      call("CreateVpc", async () => {
        const out = await client.send(
          new CreateVpcCommand({ CidrBlock: cidr, TagSpecifications: tagSpec("vpc", tags) }),
        );
        return required(out.Vpc?.VpcId, "VpcId");
      }),
    deleteVpc: (id) =>
      call("DeleteVpc", async () => {
        await client.send(new DeleteVpcCommand({ VpcId: id }));
      }),

    findSubnets: (setupName) =>
      call("DescribeSubnets", async () => {
        const out = await client.send(new DescribeSubnetsCommand({ Filters: ownFilter(setupName) }));
        return (out.Subnets ?? []).map((s) => ({
          id: required(s.SubnetId, "SubnetId"),
          vpcId: required(s.VpcId, "VpcId"),
          cidr: required(s.CidrBlock, "CidrBlock"),
          zone: required(s.AvailabilityZone, "AvailabilityZone"),
        }));
      }),
    createSubnet: (vpcId, cidr, zone, tags) =>
      call("CreateSubnet", async () => {
        const out = await client.send(
          new CreateSubnetCommand({
            VpcId: vpcId,
            CidrBlock: cidr,
            AvailabilityZone: zone,
            TagSpecifications: tagSpec("subnet", tags),
          }),
        );
        return required(out.Subnet?.SubnetId, "SubnetId");
      }),
    deleteSubnet: (id) =>
      call("DeleteSubnet", async () => {
        await client.send(new DeleteSubnetCommand({ SubnetId: id }));
      }),

    findSecurityGroups: (setupName) =>
      call("DescribeSecurityGroups", async () => {
        const out = await client.send(new DescribeSecurityGroupsCommand({ Filters: ownFilter(setupName) }));
        return (out.SecurityGroups ?? []).map((g) => ({
          id: required(g.GroupId, "GroupId"),
          vpcId: required(g.VpcId, "VpcId"),
          ingress: (g.IpPermissions ?? []).flatMap((p) =>
            (p.IpRanges ?? []).map((r) => ({
              protocol: required(p.IpProtocol, "IpProtocol"),
              fromPort: p.IpProtocol === "-1" ? undefined : p.FromPort,
              toPort: p.IpProtocol === "-1" ? undefined : p.ToPort,
              cidr: required(r.CidrIp, "CidrIp"),
            })),
          ),
        }));
      }),
    createSecurityGroup: (vpcId, tags) =>
      call("CreateSecurityGroup", async () => {
        const out = await client.send(
          new CreateSecurityGroupCommand({
            VpcId: vpcId,
            GroupName: tags.name,
            Description: `hotspot setup ${tags.setupName}`,
            TagSpecifications: tagSpec("security-group", tags),
          }),
        );
        return required(out.GroupId, "GroupId");
      }),
    authorizeIngress: (groupId, rules) =>
      call("AuthorizeSecurityGroupIngress", async () => {
        await client.send(
          new AuthorizeSecurityGroupIngressCommand({
            GroupId: groupId,
            IpPermissions: rules.map((r) => ({
              IpProtocol: r.protocol,
              FromPort: r.fromPort,
              ToPort: r.toPort,
              IpRanges: [{ CidrIp: r.cidr }],
            })),
          }),
        );
      }),
    deleteSecurityGroup: (id) =>
      call("DeleteSecurityGroup", async () => {
        await client.send(new DeleteSecurityGroupCommand({ GroupId: id }));
      }),

    findInternetGateways: (setupName) =>
      call("DescribeInternetGateways", async () => {
        const out = await client.send(new DescribeInternetGatewaysCommand({ Filters: ownFilter(setupName) }));
        return (out.InternetGateways ?? []).map((g) => ({
          id: required(g.InternetGatewayId, "InternetGatewayId"),
          vpcIds: (g.Attachments ?? []).map((a) => required(a.VpcId, "VpcId")),
        }));
      }),
    createInternetGateway: (tags) =>
      call("CreateInternetGateway", async () => {
        const out = await client.send(
          new CreateInternetGatewayCommand({ TagSpecifications: tagSpec("internet-gateway", tags) }),
        );
        return required(out.InternetGateway?.InternetGatewayId, "InternetGatewayId");
      }),
    attachInternetGateway: (gatewayId, vpcId) =>
      call("AttachInternetGateway", async () => {
        await client.send(new AttachInternetGatewayCommand({ InternetGatewayId: gatewayId, VpcId: vpcId }));
      }),
    detachInternetGateway: (gatewayId, vpcId) =>
      call("DetachInternetGateway", async () => {
        await client.send(new DetachInternetGatewayCommand({ InternetGatewayId: gatewayId, VpcId: vpcId }));
      }),
    deleteInternetGateway: (id) =>
      call("DeleteInternetGateway", async () => {
        await client.send(new DeleteInternetGatewayCommand({ InternetGatewayId: id }));
      }),

    findRouteTables: (setupName) =>
      call("DescribeRouteTables", async () => {
        const out = await client.send(new DescribeRouteTablesCommand({ Filters: ownFilter(setupName) }));
        return (out.RouteTables ?? []).map((t) => ({
          id: required(t.RouteTableId, "RouteTableId"),
          vpcId: required(t.VpcId, "VpcId"),
          // IPv6 and prefix-list routes have no IPv4 destination; setup only manages 0.0.0.0/0.
          routes: (t.Routes ?? []).flatMap((r) =>
            r.DestinationCidrBlock ? [{ destination: r.DestinationCidrBlock, gatewayId: r.GatewayId }] : [],
          ),
          associations: (t.Associations ?? [])
            .filter((a) => a.SubnetId !== undefined && a.SubnetId !== "")
            .map((a) => ({
              id: required(a.RouteTableAssociationId, "RouteTableAssociationId"),
              subnetId: required(a.SubnetId, "SubnetId"),
            })),
        }));
      }),
    createRouteTable: (vpcId, tags) =>
      call("CreateRouteTable", async () => {
        const out = await client.send(
          new CreateRouteTableCommand({ VpcId: vpcId, TagSpecifications: tagSpec("route-table", tags) }),
        );
        return required(out.RouteTable?.RouteTableId, "RouteTableId");
      }),
    createDefaultRoute: (routeTableId, gatewayId) =>
      call("CreateRoute", async () => {
        await client.send(
          new CreateRouteCommand({
            RouteTableId: routeTableId,
            DestinationCidrBlock: "0.0.0.0/0",
            GatewayId: gatewayId,
          }),
        );
      }),
    associateRouteTable: (routeTableId, subnetId) =>
      call("AssociateRouteTable", async () => {
        await client.send(new AssociateRouteTableCommand({ RouteTableId: routeTableId, SubnetId: subnetId }));
      }),
    disassociateRouteTable: (associationId) =>
      call("DisassociateRouteTable", async () => {
        await client.send(new DisassociateRouteTableCommand({ AssociationId: associationId }));
      }),
    deleteRouteTable: (id) =>
      call("DeleteRouteTable", async () => {
        await client.send(new DeleteRouteTableCommand({ RouteTableId: id }));
      }),

    findInterfaces: (setupName) =>
      call("DescribeNetworkInterfaces", async () => {
        const out = await client.send(
          new DescribeNetworkInterfacesCommand({ Filters: ownFilter(setupName) }),
        );
        return (out.NetworkInterfaces ?? []).map((e) => ({
          id: required(e.NetworkInterfaceId, "NetworkInterfaceId"),
          subnetId: required(e.SubnetId, "SubnetId"),
          privateIp: required(e.PrivateIpAddress, "PrivateIpAddress"),
          sourceDestCheck: e.SourceDestCheck ?? true,
          status: required(e.Status, "Status"),
          instanceId: e.Attachment?.InstanceId,
        }));
      }),
    createInterface: (subnetId, privateIp, groupId, tags) =>
      call("CreateNetworkInterface", async () => {
        const out = await client.send(
          new CreateNetworkInterfaceCommand({
            SubnetId: subnetId,
            PrivateIpAddress: privateIp,
            Groups: [groupId],
            Description: `hotspot container identity (${tags.setupName})`,
            TagSpecifications: tagSpec("network-interface", tags),
          }),
        );
        return required(out.NetworkInterface?.NetworkInterfaceId, "NetworkInterfaceId");
      }),
    disableSourceDestCheck: (interfaceId) =>
      call("ModifyNetworkInterfaceAttribute", async () => {
        await client.send(
          new ModifyNetworkInterfaceAttributeCommand({
            NetworkInterfaceId: interfaceId,
            SourceDestCheck: { Value: false },
          }),
        );
      }),
    deleteInterface: (id) =>
      call("DeleteNetworkInterface", async () => {
        await client.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: id }));
      }),

    findAddresses: (setupName) =>
      call("DescribeAddresses", async () => {
        const out = await client.send(new DescribeAddressesCommand({ Filters: ownFilter(setupName) }));
        return (out.Addresses ?? []).map((a) => ({
          allocationId: required(a.AllocationId, "AllocationId"),
          publicIp: required(a.PublicIp, "PublicIp"),
          associationId: a.AssociationId,
          networkInterfaceId: a.NetworkInterfaceId,
        }));
      }),
    allocateAddress: (tags) =>
      call("AllocateAddress", async () => {
        const out = await client.send(
          new AllocateAddressCommand({ Domain: "vpc", TagSpecifications: tagSpec("elastic-ip", tags) }),
        );
        return {
          allocationId: required(out.AllocationId, "AllocationId"),
          publicIp: required(out.PublicIp, "PublicIp"),
        };
      }),
    associateAddress: (allocationId, interfaceId) =>
      call("AssociateAddress", async () => {
        await client.send(
          new AssociateAddressCommand({ AllocationId: allocationId, NetworkInterfaceId: interfaceId }),
        );
      }),
    disassociateAddress: (associationId) =>
      call("DisassociateAddress", async () => {
        await client.send(new DisassociateAddressCommand({ AssociationId: associationId }));
      }),
    releaseAddress: (allocationId) =>
      call("ReleaseAddress", async () => {
        await client.send(new ReleaseAddressCommand({ AllocationId: allocationId }));
      }),

    findVolumes: (setupName) =>
      call("DescribeVolumes", async () => {
        const out = await client.send(new DescribeVolumesCommand({ Filters: ownFilter(setupName) }));
        return (out.Volumes ?? []).map((v) => ({
          id: required(v.VolumeId, "VolumeId"),
          zone: required(v.AvailabilityZone, "AvailabilityZone"),
          sizeGiB: required(v.Size, "Size"),
          volumeType: required(v.VolumeType, "VolumeType"),
          encrypted: v.Encrypted ?? false,
          state: required(v.State, "State"),
          attachedTo: (v.Attachments ?? []).map((a) => required(a.InstanceId, "InstanceId")),
        }));
      }),
    createVolume: (zone, sizeGiB, tags) =>
      call("CreateVolume", async () => {
        const out = await client.send(
          new CreateVolumeCommand({
            AvailabilityZone: zone,
            Size: sizeGiB,
            VolumeType: "gp3",
            Encrypted: true,
            TagSpecifications: tagSpec("volume", tags),
          }),
        );
        return required(out.VolumeId, "VolumeId");
      }),
    deleteVolume: (id) =>
      call("DeleteVolume", async () => {
        await client.send(new DeleteVolumeCommand({ VolumeId: id }));
      }),
  };
}
