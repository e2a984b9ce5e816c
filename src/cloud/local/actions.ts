import * as addresses from "./addresses.js";
import * as compute from "./compute.js";
import * as views from "./instance-views.js";
import * as network from "./network.js";
import type { Params } from "./params.js";
import * as routing from "./routing.js";
import { getConsoleOutput } from "./guest.js";
import * as images from "./images.js";
import * as groups from "./security-groups.js";
import { describeSpotPriceHistory } from "./spot-history.js";
import * as storage from "./storage.js";
import { stopInstances } from "./stop.js";
import { createTags, deleteTags } from "./tags.js";
import * as vpc from "./vpc.js";
import type { World } from "./world.js";
import type { XmlValue } from "./xml.js";

export type ActionHandler = (world: World, params: Params) => XmlValue[];

/** Every EC2 action the emulator answers; any other is InvalidAction. */
export const ACTIONS = {
  DescribeSpotPriceHistory: describeSpotPriceHistory,
  RunInstances: compute.runInstances,
  DescribeInstances: views.describeInstances,
  TerminateInstances: compute.terminateInstances,
  DescribeInstanceTypes: views.describeInstanceTypes,
  CreateVolume: storage.createVolume,
  DescribeVolumes: storage.describeVolumes,
  AttachVolume: storage.attachVolume,
  DetachVolume: storage.detachVolume,
  DeleteVolume: storage.deleteVolume,
  CreateNetworkInterface: network.createNetworkInterface,
  DescribeNetworkInterfaces: network.describeNetworkInterfaces,
  AttachNetworkInterface: network.attachNetworkInterface,
  DetachNetworkInterface: network.detachNetworkInterface,
  DeleteNetworkInterface: network.deleteNetworkInterface,
  ModifyNetworkInterfaceAttribute: network.modifyNetworkInterfaceAttribute,
  AllocateAddress: addresses.allocateAddress,
  AssociateAddress: addresses.associateAddress,
  DisassociateAddress: addresses.disassociateAddress,
  ReleaseAddress: addresses.releaseAddress,
  DescribeAddresses: addresses.describeAddresses,
  CreateTags: createTags,
  DeleteTags: deleteTags,
  CreateVpc: vpc.createVpc,
  DescribeVpcs: vpc.describeVpcs,
  DeleteVpc: vpc.deleteVpc,
  CreateSubnet: vpc.createSubnet,
  DescribeSubnets: vpc.describeSubnets,
  DeleteSubnet: vpc.deleteSubnet,
  CreateSecurityGroup: groups.createSecurityGroup,
  DescribeSecurityGroups: groups.describeSecurityGroups,
  DeleteSecurityGroup: groups.deleteSecurityGroup,
  AuthorizeSecurityGroupIngress: groups.authorizeSecurityGroupIngress,
  CreateInternetGateway: routing.createInternetGateway,
  AttachInternetGateway: routing.attachInternetGateway,
  DetachInternetGateway: routing.detachInternetGateway,
  DescribeInternetGateways: routing.describeInternetGateways,
  DeleteInternetGateway: routing.deleteInternetGateway,
  CreateRouteTable: routing.createRouteTable,
  CreateRoute: routing.createRoute,
  DeleteRoute: routing.deleteRoute,
  AssociateRouteTable: routing.associateRouteTable,
  DisassociateRouteTable: routing.disassociateRouteTable,
  DescribeRouteTables: routing.describeRouteTables,
  DeleteRouteTable: routing.deleteRouteTable,
  DescribeAvailabilityZones: vpc.describeAvailabilityZones,
  StopInstances: stopInstances,
  GetConsoleOutput: getConsoleOutput,
  CreateImage: images.createImage,
  RegisterImage: images.registerImage,
  DescribeImages: images.describeImages,
  DeregisterImage: images.deregisterImage,
  DescribeSnapshots: images.describeSnapshots,
  DeleteSnapshot: images.deleteSnapshot,
} as const satisfies Record<string, ActionHandler>;

export type ActionName = keyof typeof ACTIONS;
