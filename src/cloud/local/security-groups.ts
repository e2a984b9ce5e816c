import { Ec2Error, missingParameter } from "./errors.js";
import { parseCidr } from "./cidr.js";
import type * as M from "./model.js";
import type { Params } from "./params.js";
import { tagSet } from "./render-common.js";
import { ACCOUNT_ID, applyFilters, lookup, selectByIds, type World } from "./world.js";
import { el, set, type XmlValue } from "./xml.js";

const renderPermission = (p: M.IpPermission): XmlValue[] => [
  el("ipProtocol", p.protocol),
  el("fromPort", p.fromPort ?? undefined),
  el("toPort", p.toPort ?? undefined),
  el("groups", []),
  set("ipRanges", p.cidrs, (c) => [el("cidrIp", c)]),
  el("ipv6Ranges", []),
  el("prefixListIds", []),
];

const renderGroup = (g: M.SecurityGroup): XmlValue[] => [
  el("ownerId", ACCOUNT_ID),
  el("groupId", g.id),
  el("groupName", g.name),
  el("groupDescription", g.description),
  el("vpcId", g.vpcId),
  set("ipPermissions", g.ingress, renderPermission),
  set("ipPermissionsEgress", g.egress, renderPermission),
  tagSet(g.tags),
];

export function createSecurityGroup(world: World, params: Params): XmlValue[] {
  const name = params.required("GroupName");
  const description = params.required("GroupDescription");
  const vpcId = params.string("VpcId") ?? [...world.vpcs.values()].find((v) => v.isDefault)?.id;
  if (vpcId === undefined) throw missingParameter("VpcId");
  lookup(vpcId, world.vpcs, "InvalidVpcID.NotFound", "vpc");
  if ([...world.securityGroups.values()].some((g) => g.vpcId === vpcId && g.name === name)) {
    throw new Ec2Error(
      "InvalidGroup.Duplicate",
      `The security group '${name}' already exists for VPC '${vpcId}'`,
    );
  }
  const group: M.SecurityGroup = {
    id: world.newId("sg"),
    name,
    description,
    vpcId,
    tags: world.tagsFor(params, "security-group"),
    ingress: [],
    egress: [
      { protocol: "-1", fromPort: null, toPort: null, cidrs: ["0.0.0.0/0"], ruleIds: [world.newId("sgr")] },
    ],
  };
  world.securityGroups.set(group.id, group);
  return [el("return", "true"), el("groupId", group.id), tagSet(group.tags)];
}

export function describeSecurityGroups(world: World, params: Params): XmlValue[] {
  const ids = params.strings("GroupId");
  let chosen = selectByIds(ids, world.securityGroups, "InvalidGroup.NotFound", "security group");
  const names = params.strings("GroupName");
  if (names.length > 0) {
    const missing = names.filter((n) => !chosen.some((g) => g.name === n));
    if (missing.length > 0)
      throw new Ec2Error("InvalidGroup.NotFound", `The security group '${missing[0]}' does not exist`);
    chosen = chosen.filter((g) => names.includes(g.name));
  }
  const found = applyFilters(
    params,
    chosen,
    (g, name) =>
      ({ "group-id": [g.id], "group-name": [g.name], "vpc-id": [g.vpcId], description: [g.description] })[
        name
      ],
    (g) => g.tags,
  );
  return [set("securityGroupInfo", found, renderGroup)];
}

export function authorizeSecurityGroupIngress(world: World, params: Params): XmlValue[] {
  const groupId = params.string("GroupId");
  if (groupId === undefined) throw missingParameter("GroupId");
  const group = lookup(groupId, world.securityGroups, "InvalidGroup.NotFound", "security group");
  const wanted = params.members("IpPermissions").map((p, i) => ({
    protocol:
      p.string("IpProtocol") ??
      (() => {
        throw missingParameter(`IpPermissions.${i + 1}.IpProtocol`);
      })(),
    fromPort: p.integer("FromPort", -1, 65535) ?? null,
    toPort: p.integer("ToPort", -1, 65535) ?? null,
    cidrs: p.members("IpRanges").map((r) => r.required("CidrIp")),
  }));
  if (params.has("IpProtocol")) {
    wanted.push({
      protocol: params.required("IpProtocol"),
      fromPort: params.integer("FromPort", -1, 65535) ?? null,
      toPort: params.integer("ToPort", -1, 65535) ?? null,
      cidrs: [params.string("CidrIp") ?? "0.0.0.0/0"],
    });
  }
  if (wanted.length === 0) throw missingParameter("IpPermissions");
  const rules: Array<{ id: string; p: (typeof wanted)[number]; cidr: string }> = [];
  for (const p of wanted) {
    for (const cidr of p.cidrs) {
      parseCidr("CidrIp", cidr, 0, 32);
      const dup = group.ingress.some(
        (q) =>
          q.protocol === p.protocol &&
          q.fromPort === p.fromPort &&
          q.toPort === p.toPort &&
          q.cidrs.includes(cidr),
      );
      if (dup) {
        throw new Ec2Error(
          "InvalidPermission.Duplicate",
          `the specified rule "peer: ${cidr}, ${p.protocol.toUpperCase()}, from port: ${p.fromPort}, to port: ${p.toPort}, ALLOW" already exists`,
        );
      }
    }
  }
  for (const p of wanted) {
    for (const cidr of p.cidrs) {
      const id = world.newId("sgr");
      group.ingress.push({
        protocol: p.protocol,
        fromPort: p.fromPort,
        toPort: p.toPort,
        cidrs: [cidr],
        ruleIds: [id],
      });
      rules.push({ id, p, cidr });
    }
  }
  return [
    el("return", "true"),
    set("securityGroupRuleSet", rules, (r) => [
      el("securityGroupRuleId", r.id),
      el("groupId", group.id),
      el("groupOwnerId", ACCOUNT_ID),
      el("isEgress", "false"),
      el("ipProtocol", r.p.protocol),
      el("fromPort", r.p.fromPort ?? -1),
      el("toPort", r.p.toPort ?? -1),
      el("cidrIpv4", r.cidr),
    ]),
  ];
}

export function deleteSecurityGroup(world: World, params: Params): XmlValue[] {
  const group = lookup(
    params.required("GroupId"),
    world.securityGroups,
    "InvalidGroup.NotFound",
    "security group",
  );
  if (group.name === "default")
    throw new Ec2Error(
      "CannotDelete",
      `the specified group: "${group.id}" name: "default" cannot be deleted by a user`,
    );
  const users = [...world.interfaces.values()].filter((e) => e.groupIds.includes(group.id));
  if (users.length > 0) {
    throw new Ec2Error(
      "DependencyViolation",
      `resource ${group.id} has a dependent object (${users.map((e) => e.id).join(", ")})`,
    );
  }
  world.securityGroups.delete(group.id);
  return [el("return", "true"), el("groupId", group.id)];
}
