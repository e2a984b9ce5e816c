import { Ec2Error } from "./errors.js";
import { parseCidr } from "./cidr.js";
import type * as M from "./model.js";
import type { Params } from "./params.js";
import { returnTrue, tagSet } from "./render-common.js";
import { ACCOUNT_ID, applyFilters, lookup, selectByIds, type World } from "./world.js";
import { el, set, type XmlValue } from "./xml.js";

const renderGateway = (g: M.InternetGateway): XmlValue[] => [
  el("internetGatewayId", g.id),
  el("ownerId", ACCOUNT_ID),
  set("attachmentSet", g.vpcIds, (v) => [el("vpcId", v), el("state", "available")]),
  tagSet(g.tags),
];

export function createInternetGateway(world: World, params: Params): XmlValue[] {
  const igw: M.InternetGateway = {
    id: world.newId("igw"),
    tags: world.tagsFor(params, "internet-gateway"),
    vpcIds: [],
  };
  world.internetGateways.set(igw.id, igw);
  return [el("internetGateway", renderGateway(igw))];
}

const findGateway = (world: World, params: Params): M.InternetGateway =>
  lookup(
    params.required("InternetGatewayId"),
    world.internetGateways,
    "InvalidInternetGatewayID.NotFound",
    "internet gateway",
  );

export function attachInternetGateway(world: World, params: Params): XmlValue[] {
  const igw = findGateway(world, params);
  const vpc = lookup(params.required("VpcId"), world.vpcs, "InvalidVpcID.NotFound", "vpc");
  if (igw.vpcIds.length > 0)
    throw new Ec2Error(
      "Resource.AlreadyAssociated",
      `resource ${igw.id} is already attached to network ${igw.vpcIds[0]}`,
    );
  const other = [...world.internetGateways.values()].find((g) => g.vpcIds.includes(vpc.id));
  if (other !== undefined)
    throw new Ec2Error(
      "InvalidParameterValue",
      `Network ${vpc.id} already has an internet gateway attached (${other.id})`,
    );
  igw.vpcIds = [vpc.id];
  return returnTrue;
}

export function detachInternetGateway(world: World, params: Params): XmlValue[] {
  const igw = findGateway(world, params);
  const vpcId = params.required("VpcId");
  if (!igw.vpcIds.includes(vpcId))
    throw new Ec2Error("Gateway.NotAttached", `resource ${igw.id} is not attached to network ${vpcId}`);
  igw.vpcIds = [];
  return returnTrue;
}

export function describeInternetGateways(world: World, params: Params): XmlValue[] {
  const ids = params.strings("InternetGatewayId");
  const chosen = selectByIds(
    ids,
    world.internetGateways,
    "InvalidInternetGatewayID.NotFound",
    "internet gateway",
  );
  const found = applyFilters(
    params,
    chosen,
    (g, name) =>
      ({
        "internet-gateway-id": [g.id],
        "attachment.vpc-id": g.vpcIds,
        "attachment.state": g.vpcIds.map(() => "available"),
      })[name],
    (g) => g.tags,
  );
  return [set("internetGatewaySet", found, renderGateway)];
}

export function deleteInternetGateway(world: World, params: Params): XmlValue[] {
  const igw = findGateway(world, params);
  if (igw.vpcIds.length > 0)
    throw new Ec2Error(
      "DependencyViolation",
      `The internetGateway '${igw.id}' has dependencies and cannot be deleted.`,
    );
  world.internetGateways.delete(igw.id);
  return returnTrue;
}

const renderTable = (t: M.RouteTable): XmlValue[] => [
  el("routeTableId", t.id),
  el("vpcId", t.vpcId),
  el("ownerId", ACCOUNT_ID),
  set("routeSet", t.routes, (r) => [
    el("destinationCidrBlock", r.destination),
    el("gatewayId", r.gatewayId ?? undefined),
    el("networkInterfaceId", r.networkInterfaceId ?? undefined),
    el("instanceId", r.instanceId ?? undefined),
    el("state", "active"),
    el("origin", r.origin),
  ]),
  set("associationSet", t.associations, (a) => [
    el("routeTableAssociationId", a.id),
    el("routeTableId", t.id),
    a.subnetId === "" ? el("main", "true") : el("subnetId", a.subnetId),
    a.subnetId === "" ? undefined : el("main", "false"),
    el("associationState", el("state", "associated")),
  ]),
  el("propagatingVgwSet", []),
  tagSet(t.tags),
];

const findTable = (world: World, id: string): M.RouteTable =>
  lookup(id, world.routeTables, "InvalidRouteTableID.NotFound", "route table");

export function createRouteTable(world: World, params: Params): XmlValue[] {
  const vpc = lookup(params.required("VpcId"), world.vpcs, "InvalidVpcID.NotFound", "vpc");
  const table: M.RouteTable = {
    id: world.newId("rtb"),
    vpcId: vpc.id,
    main: false,
    tags: world.tagsFor(params, "route-table"),
    routes: [
      {
        destination: vpc.cidr,
        gatewayId: "local",
        networkInterfaceId: null,
        instanceId: null,
        origin: "CreateRouteTable",
      },
    ],
    associations: [],
  };
  world.routeTables.set(table.id, table);
  return [el("routeTable", renderTable(table))];
}

export function createRoute(world: World, params: Params): XmlValue[] {
  const table = findTable(world, params.required("RouteTableId"));
  const destination = params.required("DestinationCidrBlock");
  parseCidr("DestinationCidrBlock", destination, 0, 32);
  const gatewayId = params.string("GatewayId") ?? null;
  const eniId = params.string("NetworkInterfaceId") ?? null;
  const instanceId = params.string("InstanceId") ?? null;
  if ([gatewayId, eniId, instanceId].filter((x) => x !== null).length !== 1) {
    throw new Ec2Error(
      "InvalidParameterCombination",
      "Exactly one of GatewayId, NetworkInterfaceId or InstanceId must be given",
    );
  }
  if (gatewayId !== null) {
    const igw = lookup(gatewayId, world.internetGateways, "InvalidGatewayID.NotFound", "gateway");
    if (!igw.vpcIds.includes(table.vpcId))
      throw new Ec2Error(
        "InvalidParameterValue",
        `route table ${table.id} and network gateway ${igw.id} belong to different networks`,
      );
  }
  if (eniId !== null)
    lookup(eniId, world.interfaces, "InvalidNetworkInterfaceID.NotFound", "network interface");
  if (instanceId !== null) lookup(instanceId, world.instances, "InvalidInstanceID.NotFound", "instance");
  if (table.routes.some((r) => r.destination === destination)) {
    throw new Ec2Error("RouteAlreadyExists", `The route identified by ${destination} already exists.`);
  }
  table.routes.push({ destination, gatewayId, networkInterfaceId: eniId, instanceId, origin: "CreateRoute" });
  return returnTrue;
}

export function deleteRoute(world: World, params: Params): XmlValue[] {
  const table = findTable(world, params.required("RouteTableId"));
  const destination = params.required("DestinationCidrBlock");
  const route = table.routes.find((r) => r.destination === destination);
  if (route === undefined)
    throw new Ec2Error(
      "InvalidRoute.NotFound",
      `no route with destination-cidr-block ${destination} in route table ${table.id}`,
    );
  if (route.gatewayId === "local")
    throw new Ec2Error(
      "InvalidParameterValue",
      `cannot remove local route ${destination} in route table ${table.id}`,
    );
  table.routes = table.routes.filter((r) => r !== route);
  return returnTrue;
}

export function associateRouteTable(world: World, params: Params): XmlValue[] {
  const table = findTable(world, params.required("RouteTableId"));
  const subnet = lookup(params.required("SubnetId"), world.subnets, "InvalidSubnetID.NotFound", "subnet");
  if (subnet.vpcId !== table.vpcId)
    throw new Ec2Error(
      "InvalidParameterValue",
      `Route table ${table.id} and subnet ${subnet.id} belong to different networks`,
    );
  const current = [...world.routeTables.values()].find((t) =>
    t.associations.some((a) => a.subnetId === subnet.id),
  );
  if (current !== undefined)
    throw new Ec2Error(
      "Resource.AlreadyAssociated",
      `the specified association for route table ${current.id} conflicts with an existing association`,
    );
  const association = { id: world.newId("rtbassoc"), subnetId: subnet.id };
  table.associations.push(association);
  return [el("associationId", association.id), el("associationState", el("state", "associated"))];
}

export function disassociateRouteTable(world: World, params: Params): XmlValue[] {
  const id = params.required("AssociationId");
  const table = [...world.routeTables.values()].find((t) =>
    t.associations.some((a) => a.id === id && a.subnetId !== ""),
  );
  if (table === undefined)
    throw new Ec2Error("InvalidAssociationID.NotFound", `The association ID '${id}' does not exist`);
  table.associations = table.associations.filter((a) => a.id !== id);
  return returnTrue;
}

export function describeRouteTables(world: World, params: Params): XmlValue[] {
  const ids = params.strings("RouteTableId");
  const chosen = selectByIds(ids, world.routeTables, "InvalidRouteTableID.NotFound", "route table");
  const found = applyFilters(
    params,
    chosen,
    (t, name) =>
      ({
        "route-table-id": [t.id],
        "vpc-id": [t.vpcId],
        "association.main": [String(t.main)],
        "association.subnet-id": t.associations.map((a) => a.subnetId).filter((s) => s !== ""),
      })[name],
    (t) => t.tags,
  );
  return [set("routeTableSet", found, renderTable)];
}

export function deleteRouteTable(world: World, params: Params): XmlValue[] {
  const table = findTable(world, params.required("RouteTableId"));
  if (table.main || table.associations.length > 0) {
    throw new Ec2Error(
      "DependencyViolation",
      `The routeTable '${table.id}' has dependencies and cannot be deleted.`,
    );
  }
  world.routeTables.delete(table.id);
  return returnTrue;
}
