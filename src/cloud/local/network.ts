import { intToIp, ipToInt } from "./cidr.js";
import { Ec2Error, incorrectState } from "./errors.js";
import { disassociateNow } from "./addresses.js";
import type * as M from "./model.js";
import type { Params } from "./params.js";
import { groupSet, returnTrue, tagSet } from "./render-common.js";
import { ACCOUNT_ID, applyFilters, lookup, lookupAll, selectByIds, paginate, type World } from "./world.js";
import { el, isoTime, set, type XmlValue } from "./xml.js";

/** The next free address of a subnet (AWS keeps the first four). */
function allocateIp(world: World, subnet: M.Subnet, wanted?: string): string {
  const [base, bits] = subnet.cidr.split("/");
  const start = ipToInt(base);
  const size = 2 ** (32 - Number(bits));
  const used = new Set(
    [...world.interfaces.values()].filter((e) => e.subnetId === subnet.id).map((e) => e.privateIp),
  );
  if (wanted !== undefined) {
    const n = ipToInt(wanted);
    if (Number.isNaN(n) || n < start + 4 || n >= start + size - 1) {
      throw new Ec2Error(
        "InvalidParameterValue",
        `Address ${wanted} does not fall within the subnet's address range`,
      );
    }
    if (used.has(wanted)) throw new Ec2Error("InvalidIPAddress.InUse", `Address ${wanted} is in use.`);
    return wanted;
  }
  for (let h = Math.max(subnet.nextHost, 4); h < size - 1; h++) {
    const ip = intToIp(start + h);
    if (!used.has(ip)) {
      subnet.nextHost = h + 1;
      return ip;
    }
  }
  throw new Ec2Error(
    "InsufficientFreeAddressesInSubnet",
    `The specified subnet ${subnet.id} has no free addresses.`,
  );
}

/** Create an interface record and tell the data plane; it is `available` once the backend agrees. */
export function createInterface(
  world: World,
  subnet: M.Subnet,
  options: { privateIp?: string; description?: string; groupIds?: string[]; tags?: M.Tags },
): M.NetworkInterface {
  const id = world.newId("eni");
  const n = world.issued("eni");
  const eni: M.NetworkInterface = {
    id,
    subnetId: subnet.id,
    vpcId: subnet.vpcId,
    zone: subnet.zone,
    privateIp: allocateIp(world, subnet, options.privateIp),
    mac: `02:${[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].map((b) => b.toString(16).padStart(2, "0")).join(":")}:01`,
    tags: options.tags ?? new Map(),
    description: options.description ?? "",
    groupIds: options.groupIds ?? [defaultGroupOf(world, subnet.vpcId)],
    sourceDestCheck: true,
    status: "pending",
    attachment: null,
  };
  world.interfaces.set(id, eni);
  void world
    .call("createInterface", id, () =>
      world.config.backend.createInterface({
        networkInterfaceId: id,
        availabilityZone: eni.zone,
        vpcId: eni.vpcId,
        subnetId: eni.subnetId,
        subnetCidr: subnet.cidr,
        privateIpAddress: eni.privateIp,
        macAddress: eni.mac,
      }),
    )
    .then(() => {
      if (eni.status === "pending") eni.status = "available";
    });
  return eni;
}

function defaultGroupOf(world: World, vpcId: string): string {
  for (const g of world.securityGroups.values()) if (g.vpcId === vpcId && g.name === "default") return g.id;
  throw new Error(`VPC ${vpcId} has no default security group`);
}

/**
 * Start attaching `eni` to an instance. The ENI is `in-use` at once, its attachment `attaching`
 * until the modelled time passed and the data plane moved it.
 */
function beginAttachInterface(
  world: World,
  eni: M.NetworkInterface,
  instance: M.Instance,
  deviceIndex: number,
  deleteOnTermination: boolean,
  delayMs: number,
): M.EniAttachment {
  const attachment: M.EniAttachment = {
    id: world.newId("eni-attach"),
    instanceId: instance.id,
    deviceIndex,
    attachTimeMs: world.now,
    status: "attaching",
    deleteOnTermination,
    pending: null,
  };
  eni.attachment = attachment;
  eni.status = "in-use";
  attachment.pending = world.transition(
    delayMs + world.config.latency.scaled(world.faults.extraSeconds("attach", eni.id)),
    "attachInterface",
    eni.id,
    () => world.config.backend.attachInterface(eni.id, instance.id, deviceIndex),
    () => {
      attachment.status = "attached";
      attachment.pending = null;
    },
    () => {
      eni.attachment = null;
      eni.status = "available";
    },
  );
  return attachment;
}

/** Start detaching; `then` runs when the interface is free again. */
function beginDetachInterface(
  world: World,
  eni: M.NetworkInterface,
  force: boolean,
  then: () => void = () => undefined,
): void {
  const attachment = eni.attachment;
  if (attachment === null) return;
  attachment.pending?.cancel();
  attachment.status = "detaching";
  const stuck = !force && world.faults.stuck(eni.id);
  attachment.pending = world.transition(
    world.delay("detach") + world.config.latency.scaled(world.faults.extraSeconds("detach", eni.id)),
    "detachInterface",
    eni.id,
    () => world.config.backend.detachInterface(eni.id, attachment.instanceId, { force }),
    () => {
      eni.attachment = null;
      eni.status = "available";
      then();
    },
    () => {
      attachment.status = "attached";
      attachment.pending = null;
    },
    stuck,
  );
}

export function deleteInterfaceNow(world: World, eni: M.NetworkInterface): void {
  for (const address of world.addresses.values()) {
    if (address.association?.eniId === eni.id) disassociateNow(world, address);
  }
  world.interfaces.delete(eni.id);
  void world.call("deleteInterface", eni.id, () => world.config.backend.deleteInterface(eni.id));
}

function renderInterface(world: World, eni: M.NetworkInterface): XmlValue[] {
  const address = [...world.addresses.values()].find((a) => a.association?.eniId === eni.id);
  const association =
    address === undefined
      ? undefined
      : el(
          "association",
          el("publicIp", address.publicIp),
          el("publicDnsName", ""),
          el("ipOwnerId", ACCOUNT_ID),
          el("allocationId", address.allocationId),
          el("associationId", address.association?.id),
        );
  const a = eni.attachment;
  return [
    el("networkInterfaceId", eni.id),
    el("subnetId", eni.subnetId),
    el("vpcId", eni.vpcId),
    el("availabilityZone", eni.zone),
    el("description", eni.description),
    el("ownerId", ACCOUNT_ID),
    el("requesterManaged", "false"),
    el("status", eni.status),
    el("macAddress", eni.mac),
    el("privateIpAddress", eni.privateIp),
    el("sourceDestCheck", String(eni.sourceDestCheck)),
    el("interfaceType", "interface"),
    groupSet(world, eni.groupIds),
    association,
    a === null
      ? undefined
      : el(
          "attachment",
          el("attachmentId", a.id),
          el("instanceId", a.instanceId),
          el("instanceOwnerId", ACCOUNT_ID),
          el("deviceIndex", a.deviceIndex),
          el("networkCardIndex", 0),
          el("status", a.status),
          el("attachTime", isoTime(a.attachTimeMs)),
          el("deleteOnTermination", String(a.deleteOnTermination)),
        ),
    tagSet(eni.tags),
    set("privateIpAddressesSet", [eni], (e) => [
      el("privateIpAddress", e.privateIp),
      el("primary", "true"),
      association,
    ]),
    el("ipv6AddressesSet", []),
  ];
}

export function findInterface(world: World, id: string): M.NetworkInterface {
  return lookup(id, world.interfaces, "InvalidNetworkInterfaceID.NotFound", "network interface");
}

export function createNetworkInterface(world: World, params: Params): XmlValue[] {
  const subnetId = params.required("SubnetId");
  const id = world.idempotent("CreateNetworkInterface", params, () => {
    const subnet = lookup(subnetId, world.subnets, "InvalidSubnetID.NotFound", "subnet");
    const groupIds = params.strings("SecurityGroupId");
    lookupAll(groupIds, world.securityGroups, "InvalidGroup.NotFound", "security group");
    return createInterface(world, subnet, {
      privateIp: params.string("PrivateIpAddress"),
      description: params.string("Description"),
      groupIds: groupIds.length > 0 ? groupIds : undefined,
      tags: world.tagsFor(params, "network-interface"),
    }).id;
  });
  return [
    el("networkInterface", renderInterface(world, findInterface(world, id))),
    el("clientToken", params.string("ClientToken")),
  ];
}

export function describeNetworkInterfaces(world: World, params: Params): XmlValue[] {
  const ids = params.strings("NetworkInterfaceId");
  const chosen = selectByIds(
    ids,
    world.interfaces,
    "InvalidNetworkInterfaceID.NotFound",
    "network interface",
  );
  const filtered = applyFilters(params, chosen, interfaceField, (e) => e.tags);
  const { page, nextToken } = paginate(params, filtered, { min: 5, max: 1000 });
  return [set("networkInterfaceSet", page, (e) => renderInterface(world, e)), el("nextToken", nextToken)];
}

function interfaceField(e: M.NetworkInterface, name: string): readonly string[] | undefined {
  switch (name) {
    case "network-interface-id":
      return [e.id];
    case "status":
      return [e.status];
    case "subnet-id":
      return [e.subnetId];
    case "vpc-id":
      return [e.vpcId];
    case "availability-zone":
      return [e.zone];
    case "private-ip-address":
    case "addresses.private-ip-address":
      return [e.privateIp];
    case "mac-address":
      return [e.mac];
    case "description":
      return [e.description];
    case "group-id":
      return e.groupIds;
    case "attachment.instance-id":
      return e.attachment ? [e.attachment.instanceId] : [];
    case "attachment.attachment-id":
      return e.attachment ? [e.attachment.id] : [];
    case "attachment.status":
      return e.attachment ? [e.attachment.status] : [];
    case "attachment.device-index":
      return e.attachment ? [String(e.attachment.deviceIndex)] : [];
    default:
      return undefined;
  }
}

/** Zone, state and device-index rules shared by AttachNetworkInterface and RunInstances. */
function checkAttachable(
  world: World,
  eni: M.NetworkInterface,
  instance: M.Instance,
  deviceIndex: number,
): void {
  if (eni.status !== "available")
    throw new Ec2Error("InvalidNetworkInterface.InUse", `Interface: [${eni.id}] in use.`);
  if (eni.zone !== instance.zone) {
    throw new Ec2Error(
      "InvalidParameterCombination",
      `You may not attach a network interface to an instance if they are not in the same availability zone (${eni.zone} vs ${instance.zone})`,
    );
  }
  const taken = [...world.interfaces.values()].some(
    (e) => e.attachment?.instanceId === instance.id && e.attachment.deviceIndex === deviceIndex,
  );
  if (taken) {
    throw new Ec2Error(
      "InvalidParameterValue",
      `Instance '${instance.id}' already has an interface attached at device index '${deviceIndex}'.`,
    );
  }
}

export function attachNetworkInterface(world: World, params: Params): XmlValue[] {
  const eni = findInterface(world, params.required("NetworkInterfaceId"));
  const instance = lookup(
    params.required("InstanceId"),
    world.instances,
    "InvalidInstanceID.NotFound",
    "instance",
  );
  const deviceIndex = params.integer("DeviceIndex", 0, 31);
  if (deviceIndex === undefined)
    throw new Ec2Error("MissingParameter", "The request must contain the parameter DeviceIndex");
  if (instance.state !== "running")
    throw incorrectState(`The instance '${instance.id}' is not in the 'running' state.`);
  checkAttachable(world, eni, instance, deviceIndex);
  const attachment = beginAttachInterface(world, eni, instance, deviceIndex, false, world.delay("attach"));
  return [el("attachmentId", attachment.id), el("networkCardIndex", 0)];
}

export function detachNetworkInterface(world: World, params: Params): XmlValue[] {
  const attachmentId = params.required("AttachmentId");
  const force = params.boolean("Force") ?? false;
  const eni = [...world.interfaces.values()].find((e) => e.attachment?.id === attachmentId);
  if (eni === undefined || eni.attachment === null) {
    throw new Ec2Error("InvalidAttachmentID.NotFound", `The attachment ID '${attachmentId}' does not exist`);
  }
  if (eni.attachment.deviceIndex === 0) {
    throw new Ec2Error(
      "OperationNotPermitted",
      "The network interface at device index 0 cannot be detached.",
    );
  }
  if (eni.attachment.status === "detaching") {
    if (force) eni.attachment.pending?.hurry();
    return returnTrue;
  }
  if (eni.attachment.status !== "attached") {
    throw incorrectState(
      `The network interface attachment '${attachmentId}' is in the '${eni.attachment.status}' state.`,
    );
  }
  beginDetachInterface(world, eni, force);
  return returnTrue;
}

export function deleteNetworkInterface(world: World, params: Params): XmlValue[] {
  const eni = findInterface(world, params.required("NetworkInterfaceId"));
  if (eni.status !== "available")
    throw new Ec2Error("InvalidNetworkInterface.InUse", `Interface: [${eni.id}] in use.`);
  deleteInterfaceNow(world, eni);
  return returnTrue;
}

export function modifyNetworkInterfaceAttribute(world: World, params: Params): XmlValue[] {
  const eni = findInterface(world, params.required("NetworkInterfaceId"));
  const check = params.sub("SourceDestCheck").boolean("Value");
  const description = params.sub("Description").string("Value");
  const groups = params.strings("SecurityGroupId");
  if (check === undefined && description === undefined && groups.length === 0) {
    throw new Ec2Error(
      "MissingParameter",
      "The request must contain one attribute to modify: SourceDestCheck, Description or SecurityGroupId",
    );
  }
  if (groups.length > 0) {
    lookupAll(groups, world.securityGroups, "InvalidGroup.NotFound", "security group");
    eni.groupIds = groups;
  }
  if (check !== undefined) eni.sourceDestCheck = check;
  if (description !== undefined) eni.description = description;
  return returnTrue;
}
