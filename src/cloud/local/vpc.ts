import { Ec2Error, invalidValue } from "./errors.js";
import { overlaps, parseCidr, within } from "./cidr.js";
import type * as M from "./model.js";
import type { Params } from "./params.js";
import { returnTrue, tagSet } from "./render-common.js";
import { ACCOUNT_ID, applyFilters, lookup, selectByIds, type World } from "./world.js";
import { el, set, type XmlValue } from "./xml.js";

function addVpc(world: World, cidr: string, isDefault: boolean, tags: M.Tags): M.Vpc {
  const vpc: M.Vpc = { id: world.newId("vpc"), cidr, isDefault, tags };
  world.vpcs.set(vpc.id, vpc);
  const group: M.SecurityGroup = {
    id: world.newId("sg"),
    name: "default",
    description: "default VPC security group",
    vpcId: vpc.id,
    tags: new Map(),
    ingress: [],
    egress: [
      { protocol: "-1", fromPort: null, toPort: null, cidrs: ["0.0.0.0/0"], ruleIds: [world.newId("sgr")] },
    ],
  };
  world.securityGroups.set(group.id, group);
  const table: M.RouteTable = {
    id: world.newId("rtb"),
    vpcId: vpc.id,
    main: true,
    tags: new Map(),
    routes: [
      {
        destination: cidr,
        gatewayId: "local",
        networkInterfaceId: null,
        instanceId: null,
        origin: "CreateRouteTable",
      },
    ],
    associations: [{ id: world.newId("rtbassoc"), subnetId: "" }],
  };
  world.routeTables.set(table.id, table);
  return vpc;
}

function addSubnet(
  world: World,
  vpc: M.Vpc,
  cidr: string,
  zone: string,
  defaultForAz: boolean,
  tags: M.Tags,
): M.Subnet {
  const subnet: M.Subnet = {
    id: world.newId("subnet"),
    vpcId: vpc.id,
    cidr,
    zone,
    defaultForAz,
    tags,
    nextHost: 4,
  };
  world.subnets.set(subnet.id, subnet);
  return subnet;
}

/** The default VPC AWS gives every account: 172.31.0.0/16, one /20 default subnet per zone, an attached gateway. */
export function createDefaultVpc(world: World): void {
  const vpc = addVpc(world, "172.31.0.0/16", true, new Map());
  world.config.zones.forEach((zone, i) =>
    addSubnet(world, vpc, `172.31.${i * 16}.0/20`, zone, true, new Map()),
  );
  const igw: M.InternetGateway = { id: world.newId("igw"), tags: new Map(), vpcIds: [vpc.id] };
  world.internetGateways.set(igw.id, igw);
  const main = [...world.routeTables.values()].find((t) => t.vpcId === vpc.id && t.main) as M.RouteTable;
  main.routes.push({
    destination: "0.0.0.0/0",
    gatewayId: igw.id,
    networkInterfaceId: null,
    instanceId: null,
    origin: "CreateRoute",
  });
}

const renderVpc = (v: M.Vpc): XmlValue[] => [
  el("vpcId", v.id),
  el("ownerId", ACCOUNT_ID),
  el("state", "available"),
  el("cidrBlock", v.cidr),
  set("cidrBlockAssociationSet", [v], (x) => [
    el("associationId", `${x.id.replace("vpc-", "vpc-cidr-assoc-")}`),
    el("cidrBlock", x.cidr),
    el("cidrBlockState", el("state", "associated")),
  ]),
  el("dhcpOptionsId", "default"),
  el("instanceTenancy", "default"),
  el("isDefault", String(v.isDefault)),
  tagSet(v.tags),
];

export function createVpc(world: World, params: Params): XmlValue[] {
  const cidr = params.required("CidrBlock");
  parseCidr("CidrBlock", cidr, 16, 28);
  return [el("vpc", renderVpc(addVpc(world, cidr, false, world.tagsFor(params, "vpc"))))];
}

export function describeVpcs(world: World, params: Params): XmlValue[] {
  const ids = params.strings("VpcId");
  const chosen = selectByIds(ids, world.vpcs, "InvalidVpcID.NotFound", "vpc");
  const found = applyFilters(
    params,
    chosen,
    (v, name) =>
      ({
        "vpc-id": [v.id],
        "cidr-block": [v.cidr],
        state: ["available"],
        "is-default": [String(v.isDefault)],
      })[name],
    (v) => v.tags,
  );
  return [set("vpcSet", found, renderVpc)];
}

export function deleteVpc(world: World, params: Params): XmlValue[] {
  const vpc = lookup(params.required("VpcId"), world.vpcs, "InvalidVpcID.NotFound", "vpc");
  const blockers = [
    ...[...world.subnets.values()].filter((s) => s.vpcId === vpc.id).map((s) => s.id),
    ...[...world.internetGateways.values()].filter((g) => g.vpcIds.includes(vpc.id)).map((g) => g.id),
    ...[...world.securityGroups.values()]
      .filter((g) => g.vpcId === vpc.id && g.name !== "default")
      .map((g) => g.id),
    ...[...world.routeTables.values()].filter((t) => t.vpcId === vpc.id && !t.main).map((t) => t.id),
  ];
  if (blockers.length > 0) {
    throw new Ec2Error(
      "DependencyViolation",
      `The vpc '${vpc.id}' has dependencies and cannot be deleted: ${blockers.join(", ")}`,
    );
  }
  for (const g of [...world.securityGroups.values()])
    if (g.vpcId === vpc.id) world.securityGroups.delete(g.id);
  for (const t of [...world.routeTables.values()]) if (t.vpcId === vpc.id) world.routeTables.delete(t.id);
  world.vpcs.delete(vpc.id);
  return returnTrue;
}

const renderSubnet = (world: World, s: M.Subnet): XmlValue[] => {
  const size = 2 ** (32 - Number(s.cidr.split("/")[1]));
  const used = [...world.interfaces.values()].filter((e) => e.subnetId === s.id).length;
  return [
    el("subnetId", s.id),
    el("subnetArn", `arn:aws:ec2:${world.config.region}:${ACCOUNT_ID}:subnet/${s.id}`),
    el("state", "available"),
    el("ownerId", ACCOUNT_ID),
    el("vpcId", s.vpcId),
    el("cidrBlock", s.cidr),
    el("availableIpAddressCount", size - 5 - used),
    el("availabilityZone", s.zone),
    el("defaultForAz", String(s.defaultForAz)),
    el("mapPublicIpOnLaunch", String(s.defaultForAz)),
    tagSet(s.tags),
  ];
};

export function createSubnet(world: World, params: Params): XmlValue[] {
  const vpc = lookup(params.required("VpcId"), world.vpcs, "InvalidVpcID.NotFound", "vpc");
  const cidr = params.required("CidrBlock");
  const range = parseCidr("CidrBlock", cidr, 16, 28);
  if (!within(range, parseCidr("CidrBlock", vpc.cidr, 16, 28))) {
    throw new Ec2Error(
      "InvalidSubnet.Range",
      `The CIDR '${cidr}' is invalid for VPC ${vpc.id} (${vpc.cidr}).`,
    );
  }
  const clash = [...world.subnets.values()].find(
    (s) => s.vpcId === vpc.id && overlaps(range, parseCidr("CidrBlock", s.cidr, 16, 28)),
  );
  if (clash !== undefined)
    throw new Ec2Error(
      "InvalidSubnet.Conflict",
      `The CIDR '${cidr}' conflicts with another subnet (${clash.id}).`,
    );
  const zone = params.string("AvailabilityZone") ?? world.config.zones[0];
  world.checkZone(zone);
  return [
    el(
      "subnet",
      renderSubnet(world, addSubnet(world, vpc, cidr, zone, false, world.tagsFor(params, "subnet"))),
    ),
  ];
}

export function describeSubnets(world: World, params: Params): XmlValue[] {
  const ids = params.strings("SubnetId");
  const chosen = selectByIds(ids, world.subnets, "InvalidSubnetID.NotFound", "subnet");
  const found = applyFilters(
    params,
    chosen,
    (s, name) =>
      ({
        "subnet-id": [s.id],
        "vpc-id": [s.vpcId],
        "cidr-block": [s.cidr],
        "availability-zone": [s.zone],
        "default-for-az": [String(s.defaultForAz)],
        state: ["available"],
      })[name],
    (s) => s.tags,
  );
  return [set("subnetSet", found, (s) => renderSubnet(world, s))];
}

export function deleteSubnet(world: World, params: Params): XmlValue[] {
  const subnet = lookup(params.required("SubnetId"), world.subnets, "InvalidSubnetID.NotFound", "subnet");
  const enis = [...world.interfaces.values()].filter((e) => e.subnetId === subnet.id);
  if (enis.length > 0) {
    throw new Ec2Error(
      "DependencyViolation",
      `The subnet '${subnet.id}' has dependencies and cannot be deleted: ${enis.map((e) => e.id).join(", ")}`,
    );
  }
  for (const t of world.routeTables.values())
    t.associations = t.associations.filter((a) => a.subnetId !== subnet.id);
  world.subnets.delete(subnet.id);
  return returnTrue;
}

export function describeAvailabilityZones(world: World, params: Params): XmlValue[] {
  const names = params.strings("ZoneName");
  const unknown = names.filter((n) => !world.config.zones.includes(n));
  if (unknown.length > 0)
    throw invalidValue("ZoneName", unknown[0], `Valid zones: ${world.config.zones.join(", ")}.`);
  const zones = names.length > 0 ? names : [...world.config.zones];
  return [
    set("availabilityZoneInfo", zones, (z) => [
      el("zoneName", z),
      el("zoneState", "available"),
      el("regionName", world.config.region),
      el("zoneType", "availability-zone"),
      el("optInStatus", "opt-in-not-required"),
      el("messageSet", []),
    ]),
  ];
}
