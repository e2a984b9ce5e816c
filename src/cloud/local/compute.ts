import { Ec2Error, invalidValue, missingParameter } from "./errors.js";
import type { InterruptOptions } from "./faults.js";
import type { HostInstance } from "./host-backend.js";
import type { EmulatedInstanceType } from "./instance-types.js";
import { renderReservation, stateChanges } from "./instance-views.js";
import type { Instance, NetworkInterface, Reservation, Subnet } from "./model.js";
import { createInterface, deleteInterfaceNow, findInterface } from "./network.js";
import type { Params } from "./params.js";
import { ACCOUNT_ID, lookup, lookupAll, type World } from "./world.js";
import { isoTime, type XmlValue } from "./xml.js";

const SPOT_REASON = {
  code: "Server.SpotInstanceTermination",
  message: "Server.SpotInstanceTermination: Spot instance termination",
};
const USER_REASON = {
  code: "Client.UserInitiatedShutdown",
  message: "Client.UserInitiatedShutdown: User initiated shutdown",
};
const BACKEND_REASON = {
  code: "Server.InternalError",
  message: "Server.InternalError: Internal error on launch",
};

interface InterfaceSpec {
  readonly deviceIndex: number;
  readonly eni?: NetworkInterface;
  readonly subnet?: Subnet;
  readonly privateIp?: string;
  readonly description?: string;
  readonly groupIds?: string[];
  readonly deleteOnTermination?: boolean;
}

/** Install the interrupter the fault API calls. */
export function installCompute(world: World): void {
  world.interrupter = (instanceId: string, options: InterruptOptions) => {
    const instance = world.instances.get(instanceId);
    if (instance === undefined) throw new Error(`interrupt: no instance ${instanceId}`);
    if (instance.lifecycle !== "spot") throw new Error(`interrupt: ${instanceId} is an on-demand instance`);
    if (instance.state === "shutting-down" || instance.state === "terminated") {
      throw new Error(`interrupt: ${instanceId} is already ${instance.state}`);
    }
    const at = options.atMs ?? world.now + world.config.latency.scaled(options.afterSeconds ?? 0);
    scheduleNotice(world, instance, at, options.rebalance ?? true);
  };
}

export function runInstances(world: World, params: Params): XmlValue[] {
  const imageId = params.required("ImageId");
  if (!/^ami-[0-9a-f]{8,17}$/.test(imageId)) {
    throw new Ec2Error("InvalidAMIID.Malformed", `Invalid id: "${imageId}" (expecting "ami-...")`);
  }
  const minCount = params.integer("MinCount", 1, 100);
  const maxCount = params.integer("MaxCount", 1, 100);
  if (minCount === undefined) throw missingParameter("MinCount");
  if (maxCount === undefined) throw missingParameter("MaxCount");
  if (maxCount < minCount) throw invalidValue("MaxCount", String(maxCount), "It must be at least MinCount.");
  const typeName = params.string("InstanceType") ?? "m1.small";
  const type = world.config.instanceTypes.find((t) => t.type === typeName);
  if (type === undefined) throw invalidValue("InstanceType", typeName);
  // Only registered images have an architecture; a bare well-formed id launches anything, as before.
  const architecture = world.images.get(imageId)?.architecture;
  if (
    architecture !== undefined &&
    type.architectures !== undefined &&
    !type.architectures.includes(architecture)
  ) {
    throw new Ec2Error(
      "InvalidParameterValue",
      `The architecture '${type.architectures.join(", ")}' of the specified instance type does not match the architecture '${architecture}' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again.`,
    );
  }
  const reservationId = world.idempotent("RunInstances", params, () =>
    launch(world, params, imageId, maxCount, type),
  );
  return renderReservation(world, world.reservations.get(reservationId) as Reservation);
}

function launch(
  world: World,
  params: Params,
  imageId: string,
  count: number,
  type: EmulatedInstanceType,
): string {
  const market = params.sub("InstanceMarketOptions");
  const marketType = market.string("MarketType");
  if (marketType !== undefined && marketType !== "spot" && marketType !== "capacity-block") {
    throw invalidValue("InstanceMarketOptions.MarketType", marketType);
  }
  if (marketType === "capacity-block")
    throw invalidValue("InstanceMarketOptions.MarketType", marketType, "Capacity blocks are not emulated.");
  const spot = marketType === "spot";
  const spotOptions = market.sub("SpotOptions");
  const spotType = spotOptions.string("SpotInstanceType") ?? "one-time";
  if (spotType !== "one-time") {
    throw invalidValue(
      "InstanceMarketOptions.SpotOptions.SpotInstanceType",
      spotType,
      "Only one-time requests are emulated.",
    );
  }
  const behavior = spotOptions.string("InstanceInterruptionBehavior") ?? "terminate";
  if (behavior !== "terminate") {
    throw invalidValue(
      "InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior",
      behavior,
      "One-time requests only support terminate.",
    );
  }
  const maxPriceRaw = spotOptions.string("MaxPrice");
  const maxPrice = maxPriceRaw === undefined ? null : Number(maxPriceRaw);
  if (maxPrice !== null && !(maxPrice > 0))
    throw invalidValue("InstanceMarketOptions.SpotOptions.MaxPrice", maxPriceRaw ?? "");
  const shutdownBehavior = params.string("InstanceInitiatedShutdownBehavior") ?? "stop";
  if (shutdownBehavior !== "stop" && shutdownBehavior !== "terminate")
    throw invalidValue(
      "InstanceInitiatedShutdownBehavior",
      shutdownBehavior,
      "Valid values: stop, terminate.",
    );
  const userData = params.string("UserData") ?? null;
  if (userData !== null && !/^[A-Za-z0-9+/]*={0,2}$/.test(userData)) {
    throw new Ec2Error("InvalidParameterValue", "Invalid BASE64 encoding of user data.");
  }

  const profile = params.sub("IamInstanceProfile");
  const profileName = profile.string("Name");
  const instanceProfileArn =
    profile.string("Arn") ??
    (profileName === undefined ? null : `arn:aws:iam::${ACCOUNT_ID}:instance-profile/${profileName}`);

  const specs = interfaceSpecs(world, params, count);
  const primary = specs.find((s) => s.deviceIndex === 0);
  const subnet = primary?.eni
    ? (world.subnets.get(primary.eni.subnetId) as Subnet)
    : (primary?.subnet ?? chooseSubnet(world, params));
  const zoneWanted = params.sub("Placement").string("AvailabilityZone");
  if (zoneWanted !== undefined) {
    world.checkZone(zoneWanted, "Placement.AvailabilityZone");
    if (zoneWanted !== subnet.zone) {
      throw new Ec2Error(
        "InvalidParameterCombination",
        `Availability zone ${zoneWanted} does not match the zone ${subnet.zone} of subnet ${subnet.id}`,
      );
    }
  }
  for (const s of specs) {
    const zone = s.eni?.zone ?? s.subnet?.zone;
    if (zone !== undefined && zone !== subnet.zone) {
      throw new Ec2Error(
        "InvalidParameterCombination",
        `Network interface at device index ${s.deviceIndex} is not in ${subnet.zone}`,
      );
    }
  }
  const groupIds = params.strings("SecurityGroupId");
  lookupAll(groupIds, world.securityGroups, "InvalidGroup.NotFound", "security group");

  if (world.faults.outOfCapacity(type.type, subnet.zone, spot ? "spot" : "on-demand")) {
    const others = world.config.zones.filter((z) => z !== subnet.zone).join(", ");
    throw new Ec2Error(
      "InsufficientInstanceCapacity",
      `We currently do not have sufficient ${type.type} capacity in the Availability Zone you requested (${subnet.zone}). Our system will be working on provisioning additional capacity. You can currently get ${type.type} capacity by not specifying an Availability Zone in your request or choosing ${others}.`,
      500,
    );
  }
  if (spot && maxPrice !== null) {
    const price = world.config.prices.priceAt(subnet.zone, type.type, world.now);
    if (price !== undefined && maxPrice < price) {
      throw new Ec2Error(
        "SpotMaxPriceTooLow",
        `Your Spot request price of ${maxPrice} is lower than the minimum required Spot request fulfillment price of ${price}.`,
      );
    }
  }

  const reservation: Reservation = { id: world.newId("r"), instanceIds: [], groupIds };
  world.reservations.set(reservation.id, reservation);
  const tags = world.tagsFor(params, "instance");
  const eniTags = world.tagsFor(params, "network-interface");
  for (let i = 0; i < count; i++) {
    const instanceId = world.newId("i");
    const interfaces =
      specs.length > 0
        ? specs
        : [{ deviceIndex: 0, subnet, groupIds: groupIds.length > 0 ? groupIds : undefined }];
    const enis = interfaces.map((s) => ({
      spec: s,
      eni:
        s.eni ??
        createInterface(world, s.subnet ?? subnet, {
          privateIp: s.privateIp ?? (s.deviceIndex === 0 ? params.string("PrivateIpAddress") : undefined),
          description: s.description ?? (s.deviceIndex === 0 ? "Primary network interface" : ""),
          groupIds: s.groupIds,
          tags: new Map(eniTags),
        }),
    }));
    const primaryEni = (enis.find((e) => e.spec.deviceIndex === 0) ?? enis[0]).eni;
    const instance: Instance = {
      id: instanceId,
      reservationId: reservation.id,
      imageId,
      instanceType: type.type,
      zone: subnet.zone,
      vpcId: subnet.vpcId,
      subnetId: primaryEni.subnetId,
      privateIp: primaryEni.privateIp,
      launchIndex: i,
      launchTimeMs: world.now,
      lifecycle: spot ? "spot" : "on-demand",
      spotRequestId: spot ? world.newId("sir", 8) : null,
      maxPrice,
      keyName: params.string("KeyName") ?? null,
      userData,
      instanceProfileArn,
      clientToken: params.string("ClientToken") ?? null,
      shutdownBehavior,
      groupIds: primaryEni.groupIds,
      primaryEniId: primaryEni.id,
      tags: new Map(tags),
      state: "pending",
      stateReason: { code: "pending", message: "pending" },
      stateTransitionReason: "",
      interruption: null,
      rebalanceNoticeMs: null,
      pending: null,
      cancels: [],
    };
    world.instances.set(instanceId, instance);
    reservation.instanceIds.push(instanceId);
    for (const { spec, eni } of enis) {
      eni.status = "in-use";
      eni.attachment = {
        id: world.newId("eni-attach"),
        instanceId,
        deviceIndex: spec.deviceIndex,
        attachTimeMs: world.now,
        status: "attaching",
        deleteOnTermination: spec.deleteOnTermination ?? spec.eni === undefined,
        pending: null,
      };
    }
    start(
      world,
      instance,
      type,
      enis.map((e) => e.eni),
    );
  }
  return reservation.id;
}

function chooseSubnet(world: World, params: Params): Subnet {
  const subnetId = params.string("SubnetId");
  if (subnetId !== undefined) return lookup(subnetId, world.subnets, "InvalidSubnetID.NotFound", "subnet");
  const zone = params.sub("Placement").string("AvailabilityZone") ?? world.config.zones[0];
  world.checkZone(zone, "Placement.AvailabilityZone");
  const found = [...world.subnets.values()].find((s) => s.defaultForAz && s.zone === zone);
  if (found === undefined)
    throw new Ec2Error("MissingInput", `No default subnet for availability zone: '${zone}'.`);
  return found;
}

function interfaceSpecs(world: World, params: Params, count: number): InterfaceSpec[] {
  const members = params.members("NetworkInterface");
  if (members.length === 0) return [];
  if (params.has("SubnetId") || params.has("SecurityGroupId")) {
    throw new Ec2Error(
      "InvalidParameterCombination",
      "Network interfaces and an instance-level subnet ID or security groups may not be specified on the same request",
    );
  }
  const seen = new Set<number>();
  const specs = members.map((m, i) => {
    const deviceIndex = m.integer("DeviceIndex", 0, 31);
    if (deviceIndex === undefined) throw missingParameter(`NetworkInterface.${i + 1}.DeviceIndex`);
    if (seen.has(deviceIndex))
      throw invalidValue(
        `NetworkInterface.${i + 1}.DeviceIndex`,
        String(deviceIndex),
        "Each device index may be used once.",
      );
    seen.add(deviceIndex);
    const eniId = m.string("NetworkInterfaceId");
    const subnetId = m.string("SubnetId");
    if (eniId !== undefined) {
      if (count > 1)
        throw new Ec2Error(
          "InvalidParameterCombination",
          "An existing network interface can only be used with one instance",
        );
      const eni = findInterface(world, eniId);
      if (eni.status !== "available")
        throw new Ec2Error("InvalidNetworkInterface.InUse", `Interface: [${eni.id}] in use.`);
      return { deviceIndex, eni, deleteOnTermination: m.boolean("DeleteOnTermination") ?? false };
    }
    if (subnetId === undefined) throw missingParameter(`NetworkInterface.${i + 1}.SubnetId`);
    const groupIds = m.strings("SecurityGroupId");
    lookupAll(groupIds, world.securityGroups, "InvalidGroup.NotFound", "security group");
    return {
      deviceIndex,
      subnet: lookup(subnetId, world.subnets, "InvalidSubnetID.NotFound", "subnet"),
      privateIp: m.string("PrivateIpAddress"),
      description: m.string("Description"),
      groupIds: groupIds.length > 0 ? groupIds : undefined,
      deleteOnTermination: m.boolean("DeleteOnTermination") ?? true,
    };
  });
  if (!seen.has(0)) throw missingParameter("NetworkInterface.N.DeviceIndex=0 (the primary interface)");
  return specs.sort((a, b) => a.deviceIndex - b.deviceIndex);
}

function start(
  world: World,
  instance: Instance,
  type: { vcpus: number; memoryMiB: number },
  enis: NetworkInterface[],
): void {
  const host: HostInstance = {
    instanceId: instance.id,
    instanceType: instance.instanceType,
    availabilityZone: instance.zone,
    vpcId: instance.vpcId,
    subnetId: instance.subnetId,
    vcpus: type.vcpus,
    memoryMiB: type.memoryMiB,
    lifecycle: instance.lifecycle,
    userData: instance.userData === null ? null : new Uint8Array(Buffer.from(instance.userData, "base64")),
    tags: Object.fromEntries(instance.tags),
  };
  const backend = world.config.backend;
  instance.pending = world.transition(
    world.delay(instance.lifecycle === "spot" ? "spotAcquire" : "onDemandAcquire"),
    "startInstance",
    instance.id,
    async () => {
      await backend.startInstance(host);
      for (const eni of enis) {
        const index = eni.attachment?.deviceIndex ?? 0;
        const ok = await world.call("attachInterface", eni.id, () =>
          backend.attachInterface(eni.id, instance.id, index),
        );
        if (!ok) throw new Error(`attaching ${eni.id} at device index ${index} failed`);
      }
    },
    () => {
      instance.pending = null;
      instance.state = "running";
      instance.stateReason = null;
      for (const eni of enis) if (eni.attachment) eni.attachment.status = "attached";
      onRunning(world, instance);
      world.guests.booted(instance);
    },
    () => {
      instance.pending = null;
      beginTerminate(world, instance, BACKEND_REASON, "Server.InternalError");
    },
  );
}

function onRunning(world: World, instance: Instance): void {
  if (instance.lifecycle !== "spot") return;
  for (const rule of world.faults.interruptionsFor({
    instanceType: instance.instanceType,
    zone: instance.zone,
    tags: instance.tags,
  })) {
    scheduleNotice(
      world,
      instance,
      world.now + world.config.latency.scaled(rule.afterSeconds),
      rule.rebalance ?? true,
    );
  }
  if (world.config.priceInterruptions && instance.maxPrice !== null) {
    const at = world.config.prices.nextPriceAbove(
      instance.zone,
      instance.instanceType,
      world.now,
      instance.maxPrice,
    );
    if (at !== undefined) scheduleNotice(world, instance, at, false);
  }
}

/** At `atMs` the 2-minute notice appears in metadata; the instance is terminated when it runs out. */
function scheduleNotice(world: World, instance: Instance, atMs: number, rebalance: boolean): void {
  instance.cancels.push(
    world.config.scheduler.schedule(atMs - world.now, () => {
      if (instance.interruption !== null || (instance.state !== "running" && instance.state !== "pending"))
        return;
      const notice = world.delay("spotNotice");
      instance.interruption = { action: "terminate", timeMs: world.now + notice };
      if (rebalance) instance.rebalanceNoticeMs = world.now;
      instance.cancels.push(
        world.config.scheduler.schedule(notice, () =>
          beginTerminate(world, instance, SPOT_REASON, "Service initiated"),
        ),
      );
    }),
  );
}

/**
 * Begin termination: `shutting-down` now; every attachment is released (volumes become `available`,
 * interfaces with DeleteOnTermination are deleted, others become `available`) and the instance is
 * `terminated` once the modelled time passed and the data plane is done.
 */
export function beginTerminate(
  world: World,
  instance: Instance,
  reason: { code: string; message: string },
  initiator: string,
): void {
  if (instance.state === "shutting-down" || instance.state === "terminated") return;
  instance.pending?.cancel();
  for (const cancel of instance.cancels) cancel();
  instance.cancels = [];
  instance.state = "shutting-down";
  instance.stateReason = reason;
  instance.stateTransitionReason = `${initiator} (${isoTime(world.now)
    .replace("T", " ")
    .replace(/\.\d+Z$/, " GMT")})`;
  const volumes = [...world.volumes.values()].filter((v) => v.attachment?.instanceId === instance.id);
  const enis = [...world.interfaces.values()].filter((e) => e.attachment?.instanceId === instance.id);
  for (const v of volumes) {
    v.attachment?.pending?.cancel();
    if (v.attachment) v.attachment.status = "detaching";
  }
  for (const e of enis) e.attachment?.pending?.cancel();
  const backend = world.config.backend;
  const finish = (): void => {
    instance.pending = null;
    instance.state = "terminated";
    for (const v of volumes) {
      if (v.attachment?.instanceId !== instance.id) continue;
      v.attachment = null;
      v.state = "available";
    }
    for (const e of enis) {
      if (e.attachment?.instanceId !== instance.id) continue;
      const remove = e.attachment.deleteOnTermination;
      e.attachment = null;
      e.status = "available";
      if (remove) deleteInterfaceNow(world, e);
    }
  };
  instance.pending = world.transition(
    world.delay("terminate"),
    "terminateInstance",
    instance.id,
    async () => {
      for (const v of volumes)
        await world.call("detachVolume", v.id, () =>
          backend.detachVolume(v.id, instance.id, { force: true }),
        );
      for (const e of enis)
        await world.call("detachInterface", e.id, () =>
          backend.detachInterface(e.id, instance.id, { force: true }),
        );
      await backend.terminateInstance(instance.id);
    },
    finish,
    finish,
  );
}

export function terminateInstances(world: World, params: Params): XmlValue[] {
  const ids = params.strings("InstanceId");
  if (ids.length === 0) throw missingParameter("InstanceId");
  const instances = lookupAll(ids, world.instances, "InvalidInstanceID.NotFound", "instance");
  return stateChanges(instances, (instance) =>
    beginTerminate(world, instance, USER_REASON, "User initiated"),
  );
}
