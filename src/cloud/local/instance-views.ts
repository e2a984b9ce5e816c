import { Ec2Error } from "./errors.js";
import { INSTANCE_STATE_CODES, type Instance, type InstanceStateName, type Reservation } from "./model.js";
import type { Params } from "./params.js";
import type { EmulatedInstanceType } from "./instance-types.js";
import { groupSet, tagSet } from "./render-common.js";
import { ACCOUNT_ID, applyFilters, selectByIds, paginate, type World } from "./world.js";
import { el, isoTime, set, type XmlNode, type XmlValue } from "./xml.js";

export function stateNode(name: string, state: InstanceStateName): XmlNode {
  return el(name, el("code", INSTANCE_STATE_CODES[state]), el("name", state));
}

/** What StopInstances and TerminateInstances answer: each instance's state before and after `begin`. */
export function stateChanges(
  instances: readonly Instance[],
  begin: (instance: Instance) => void,
): XmlValue[] {
  const changes = instances.map((instance) => {
    const previous = instance.state;
    begin(instance);
    return { instance, previous };
  });
  return [
    set("instancesSet", changes, ({ instance, previous }) => [
      el("instanceId", instance.id),
      stateNode("currentState", instance.state),
      stateNode("previousState", previous),
    ]),
  ];
}

export function describeInstances(world: World, params: Params): XmlValue[] {
  const ids = params.strings("InstanceId");
  if (ids.length > 0 && params.has("MaxResults")) {
    throw new Ec2Error(
      "InvalidParameterCombination",
      "The parameter instancesSet cannot be used with the parameter maxResults",
    );
  }
  const chosen = selectByIds(ids, world.instances, "InvalidInstanceID.NotFound", "instance");
  const filtered = applyFilters(
    params,
    chosen,
    (i, name) => instanceField(world, i, name),
    (i) => i.tags,
  );
  const { page, nextToken } = paginate(params, filtered, { min: 5, max: 1000 });
  const groups: Array<{ reservation: Reservation; instances: Instance[] }> = [];
  for (const instance of page) {
    const last = groups[groups.length - 1];
    if (last !== undefined && last.reservation.id === instance.reservationId) last.instances.push(instance);
    else
      groups.push({
        reservation: world.reservations.get(instance.reservationId) as Reservation,
        instances: [instance],
      });
  }
  return [
    set("reservationSet", groups, (g) => reservationBody(world, g.reservation, g.instances)),
    el("nextToken", nextToken),
  ];
}

function instanceField(world: World, i: Instance, name: string): readonly string[] | undefined {
  switch (name) {
    case "instance-id":
      return [i.id];
    case "instance-state-name":
      return [i.state];
    case "instance-state-code":
      return [String(INSTANCE_STATE_CODES[i.state])];
    case "instance-type":
      return [i.instanceType];
    case "availability-zone":
      return [i.zone];
    case "subnet-id":
      return [i.subnetId];
    case "vpc-id":
      return [i.vpcId];
    case "image-id":
      return [i.imageId];
    case "instance-lifecycle":
      return i.lifecycle === "spot" ? ["spot"] : [];
    case "private-ip-address":
      return [i.privateIp];
    case "reservation-id":
      return [i.reservationId];
    case "client-token":
      return i.clientToken === null ? [] : [i.clientToken];
    case "spot-instance-request-id":
      return i.spotRequestId === null ? [] : [i.spotRequestId];
    case "network-interface.network-interface-id":
      return [...world.interfaces.values()].filter((e) => e.attachment?.instanceId === i.id).map((e) => e.id);
    case "block-device-mapping.volume-id":
      return [...world.volumes.values()].filter((v) => v.attachment?.instanceId === i.id).map((v) => v.id);
    default:
      return undefined;
  }
}

export function renderReservation(world: World, reservation: Reservation): XmlValue[] {
  return reservationBody(
    world,
    reservation,
    reservation.instanceIds.map((id) => world.instances.get(id) as Instance),
  );
}

function reservationBody(world: World, reservation: Reservation, instances: Instance[]): XmlValue[] {
  return [
    el("reservationId", reservation.id),
    el("ownerId", ACCOUNT_ID),
    groupSet(world, reservation.groupIds),
    set("instancesSet", instances, (i) => renderInstance(world, i)),
  ];
}

function renderInstance(world: World, i: Instance): XmlValue[] {
  const enis = [...world.interfaces.values()]
    .filter((e) => e.attachment?.instanceId === i.id)
    .sort((a, b) => (a.attachment?.deviceIndex ?? 0) - (b.attachment?.deviceIndex ?? 0));
  const volumes = [...world.volumes.values()].filter((v) => v.attachment?.instanceId === i.id);
  const primary = world.interfaces.get(i.primaryEniId);
  const publicIp = [...world.addresses.values()].find(
    (a) => a.association !== null && a.association.eniId === i.primaryEniId,
  )?.publicIp;
  const dnsName = `ip-${i.privateIp.replace(/\./g, "-")}.ec2.internal`;
  return [
    el("instanceId", i.id),
    el("imageId", i.imageId),
    stateNode("instanceState", i.state),
    el("privateDnsName", dnsName),
    el("dnsName", ""),
    el("reason", i.stateTransitionReason),
    el("keyName", i.keyName ?? undefined),
    el("amiLaunchIndex", i.launchIndex),
    el("productCodes", []),
    el("instanceType", i.instanceType),
    el("launchTime", isoTime(i.launchTimeMs)),
    el("placement", el("availabilityZone", i.zone), el("groupName", ""), el("tenancy", "default")),
    el("monitoring", el("state", "disabled")),
    el("subnetId", i.subnetId),
    el("vpcId", i.vpcId),
    el("privateIpAddress", i.privateIp),
    el("ipAddress", publicIp),
    el("sourceDestCheck", String(primary?.sourceDestCheck ?? true)),
    groupSet(world, i.groupIds),
    i.stateReason
      ? el("stateReason", el("code", i.stateReason.code), el("message", i.stateReason.message))
      : undefined,
    el("architecture", "x86_64"),
    el("rootDeviceType", "ebs"),
    el("rootDeviceName", "/dev/xvda"),
    set("blockDeviceMapping", volumes, (v) => [
      el("deviceName", v.attachment?.device),
      el(
        "ebs",
        el("volumeId", v.id),
        el("status", v.attachment?.status),
        el("attachTime", isoTime(v.attachment?.attachTimeMs ?? 0)),
        el("deleteOnTermination", String(v.attachment?.deleteOnTermination ?? false)),
      ),
    ]),
    el("virtualizationType", "hvm"),
    el("clientToken", i.clientToken ?? ""),
    tagSet(i.tags),
    el("hypervisor", "xen"),
    set("networkInterfaceSet", enis, (e) => [
      el("networkInterfaceId", e.id),
      el("subnetId", e.subnetId),
      el("vpcId", e.vpcId),
      el("description", e.description),
      el("ownerId", ACCOUNT_ID),
      el("status", e.status),
      el("macAddress", e.mac),
      el("privateIpAddress", e.privateIp),
      el("privateDnsName", `ip-${e.privateIp.replace(/\./g, "-")}.ec2.internal`),
      el("sourceDestCheck", String(e.sourceDestCheck)),
      groupSet(world, e.groupIds),
      el(
        "attachment",
        el("attachmentId", e.attachment?.id),
        el("deviceIndex", e.attachment?.deviceIndex),
        el("status", e.attachment?.status),
        el("attachTime", isoTime(e.attachment?.attachTimeMs ?? 0)),
        el("deleteOnTermination", String(e.attachment?.deleteOnTermination ?? false)),
        el("networkCardIndex", 0),
      ),
      el("interfaceType", "interface"),
    ]),
    el("ebsOptimized", "false"),
    el("enaSupport", "true"),
    el("instanceLifecycle", i.lifecycle === "spot" ? "spot" : undefined),
    el("spotInstanceRequestId", i.spotRequestId ?? undefined),
  ];
}

export function describeInstanceTypes(world: World, params: Params): XmlValue[] {
  const names = params.strings("InstanceType");
  const known = world.config.instanceTypes;
  const missing = names.filter((n) => !known.some((t) => t.type === n));
  if (missing.length > 0) {
    throw new Ec2Error(
      "InvalidInstanceType",
      `The following supplied instance types do not exist: [${missing.join(", ")}]`,
    );
  }
  const chosen = names.length > 0 ? known.filter((t) => names.includes(t.type)) : [...known];
  const filtered = applyFilters(
    params,
    chosen,
    (t, name) => {
      switch (name) {
        case "instance-type":
          return [t.type];
        case "vcpu-info.default-vcpus":
          return [String(t.vcpus)];
        case "memory-info.size-in-mib":
          return [String(t.memoryMiB)];
        default:
          return undefined;
      }
    },
    () => new Map(),
  );
  const { page, nextToken } = paginate(params, filtered, { min: 5, max: 100 });
  return [
    set("instanceTypeSet", page, (t) => [
      el("instanceType", t.type),
      el("supportedUsageClasses", el("item", "on-demand"), el("item", "spot")),
      el("vCpuInfo", el("defaultVCpus", t.vcpus)),
      el("memoryInfo", el("sizeInMiB", t.memoryMiB)),
      ...processorInfo(t),
    ]),
    el("nextToken", nextToken),
  ];
}

function processorInfo(t: EmulatedInstanceType): XmlValue[] {
  return [
    el(
      "processorInfo",
      t.architectures === undefined ? undefined : set("supportedArchitectures", t.architectures, (a) => [a]),
      el("sustainedClockSpeedInGhz", t.clockGhz),
      el("manufacturer", t.manufacturer),
    ),
    el("hypervisor", t.hypervisor),
    el("networkInfo", el("networkPerformance", t.network)),
  ];
}
