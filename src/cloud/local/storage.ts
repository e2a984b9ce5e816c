import { Ec2Error, incorrectState, invalidValue, missingParameter } from "./errors.js";
import type * as M from "./model.js";
import type { Params } from "./params.js";
import { returnTrue, tagSet } from "./render-common.js";
import { applyFilters, lookup, selectByIds, paginate, type World } from "./world.js";
import { el, isoTime, set, type XmlValue } from "./xml.js";

/** Size limits (GiB) per volume type, as EBS documents them. */
const VOLUME_TYPES: Readonly<Record<string, { min: number; max: number }>> = {
  gp2: { min: 1, max: 16384 },
  gp3: { min: 1, max: 16384 },
  io1: { min: 4, max: 16384 },
  io2: { min: 4, max: 65536 },
  st1: { min: 125, max: 16384 },
  sc1: { min: 125, max: 16384 },
  standard: { min: 1, max: 1024 },
};

function findVolume(world: World, id: string): M.Volume {
  return lookup(id, world.volumes, "InvalidVolume.NotFound", "volume");
}

function renderAttachment(volumeId: string, a: M.VolumeAttachment): XmlValue[] {
  return [
    el("volumeId", volumeId),
    el("instanceId", a.instanceId),
    el("device", a.device),
    el("status", a.status),
    el("attachTime", isoTime(a.attachTimeMs)),
    el("deleteOnTermination", String(a.deleteOnTermination)),
  ];
}

function renderVolume(v: M.Volume): XmlValue[] {
  return [
    el("volumeId", v.id),
    el("size", v.sizeGiB),
    el("snapshotId", ""),
    el("availabilityZone", v.zone),
    el("status", v.state),
    el("createTime", isoTime(v.createTimeMs)),
    set("attachmentSet", v.attachment ? [v.attachment] : [], (a) => renderAttachment(v.id, a)),
    el("volumeType", v.volumeType),
    el("iops", v.iops ?? undefined),
    el("throughput", v.throughput ?? undefined),
    el("encrypted", String(v.encrypted)),
    el("multiAttachEnabled", "false"),
    tagSet(v.tags),
  ];
}

export function createVolume(world: World, params: Params): XmlValue[] {
  const zone = params.required("AvailabilityZone");
  world.checkZone(zone);
  const volumeType = params.string("VolumeType") ?? "gp2";
  const limits = VOLUME_TYPES[volumeType];
  if (limits === undefined) {
    throw invalidValue("VolumeType", volumeType, `Valid types: ${Object.keys(VOLUME_TYPES).join(", ")}.`);
  }
  if (params.string("SnapshotId") !== undefined) {
    throw new Ec2Error(
      "InvalidSnapshot.NotFound",
      `The snapshot '${params.string("SnapshotId")}' does not exist.`,
    );
  }
  const size = params.integer("Size");
  if (size === undefined) throw missingParameter("Size");
  if (size < limits.min || size > limits.max) {
    throw new Ec2Error(
      "InvalidParameterValue",
      `Volume of ${size}GiB is outside the ${limits.min}-${limits.max}GiB range of volume type ${volumeType}.`,
    );
  }
  const gp3 = volumeType === "gp3";
  const id = world.idempotent("CreateVolume", params, () => {
    const volume: M.Volume = {
      id: world.newId("vol"),
      zone,
      sizeGiB: size,
      volumeType,
      iops: params.integer("Iops") ?? (gp3 ? 3000 : volumeType === "gp2" ? Math.max(100, 3 * size) : null),
      throughput: params.integer("Throughput") ?? (gp3 ? 125 : null),
      encrypted: params.boolean("Encrypted") ?? false,
      createTimeMs: world.now,
      tags: world.tagsFor(params, "volume"),
      state: "creating",
      attachment: null,
    };
    world.volumes.set(volume.id, volume);
    world.transition(
      world.delay("volumeCreate"),
      "createVolume",
      volume.id,
      () =>
        world.config.backend.createVolume({
          volumeId: volume.id,
          availabilityZone: zone,
          sizeGiB: size,
          volumeType,
          encrypted: volume.encrypted,
        }),
      () => {
        volume.state = "available";
      },
      () => {
        volume.state = "error";
      },
    );
    return volume.id;
  });
  return renderVolume(findVolume(world, id));
}

export function describeVolumes(world: World, params: Params): XmlValue[] {
  const ids = params.strings("VolumeId");
  if (ids.length > 0 && params.has("MaxResults")) {
    throw new Ec2Error(
      "InvalidParameterCombination",
      "The parameter volumeSet cannot be used with the parameter maxResults",
    );
  }
  const chosen = selectByIds(ids, world.volumes, "InvalidVolume.NotFound", "volume");
  const filtered = applyFilters(params, chosen, volumeField, (v) => v.tags);
  const { page, nextToken } = paginate(params, filtered, { min: 5, max: 500 });
  return [set("volumeSet", page, renderVolume), el("nextToken", nextToken)];
}

function volumeField(v: M.Volume, name: string): readonly string[] | undefined {
  switch (name) {
    case "volume-id":
      return [v.id];
    case "status":
      return [v.state];
    case "availability-zone":
      return [v.zone];
    case "volume-type":
      return [v.volumeType];
    case "size":
      return [String(v.sizeGiB)];
    case "encrypted":
      return [String(v.encrypted)];
    case "attachment.instance-id":
      return v.attachment ? [v.attachment.instanceId] : [];
    case "attachment.status":
      return v.attachment ? [v.attachment.status] : [];
    case "attachment.device":
      return v.attachment ? [v.attachment.device] : [];
    default:
      return undefined;
  }
}

export function attachVolume(world: World, params: Params): XmlValue[] {
  const device = params.required("Device");
  const volume = findVolume(world, params.required("VolumeId"));
  const instance = lookup(
    params.required("InstanceId"),
    world.instances,
    "InvalidInstanceID.NotFound",
    "instance",
  );
  if (volume.zone !== instance.zone) {
    throw new Ec2Error(
      "InvalidVolume.ZoneMismatch",
      `The volume '${volume.id}' is not in the same availability zone as instance '${instance.id}'`,
    );
  }
  if (volume.state === "in-use")
    throw new Ec2Error("VolumeInUse", `${volume.id} is already attached to an instance`);
  if (volume.state !== "available") throw incorrectState(`The volume '${volume.id}' is not 'available'.`);
  if (instance.state !== "running") throw incorrectState(`Instance '${instance.id}' is not 'running'.`);
  const deviceTaken = [...world.volumes.values()].some(
    (v) => v.attachment?.instanceId === instance.id && v.attachment.device === device,
  );
  if (deviceTaken) {
    throw new Ec2Error(
      "InvalidParameterValue",
      `Invalid value '${device}' for unixDevice. Attachment point ${device} is already in use`,
    );
  }
  const attachment: M.VolumeAttachment = {
    instanceId: instance.id,
    device,
    attachTimeMs: world.now,
    status: "attaching",
    deleteOnTermination: false,
    pending: null,
  };
  volume.state = "in-use";
  volume.attachment = attachment;
  attachment.pending = world.transition(
    world.delay("attach") + world.config.latency.scaled(world.faults.extraSeconds("attach", volume.id)),
    "attachVolume",
    volume.id,
    () => world.config.backend.attachVolume(volume.id, instance.id, device),
    () => {
      attachment.status = "attached";
      attachment.pending = null;
    },
    () => {
      volume.attachment = null;
      volume.state = "available";
    },
  );
  return renderAttachment(volume.id, attachment);
}

/** Start detaching a volume; `then` runs once it is `available` again. */
function beginDetachVolume(
  world: World,
  volume: M.Volume,
  force: boolean,
  then: () => void = () => undefined,
): void {
  const attachment = volume.attachment;
  if (attachment === null) return;
  attachment.pending?.cancel();
  attachment.status = "detaching";
  const stuck = !force && world.faults.stuck(volume.id);
  attachment.pending = world.transition(
    world.delay("detach") + world.config.latency.scaled(world.faults.extraSeconds("detach", volume.id)),
    "detachVolume",
    volume.id,
    () => world.config.backend.detachVolume(volume.id, attachment.instanceId, { force }),
    () => {
      volume.attachment = null;
      volume.state = "available";
      then();
    },
    () => {
      attachment.status = "attached";
      attachment.pending = null;
    },
    stuck,
  );
}

export function detachVolume(world: World, params: Params): XmlValue[] {
  const volume = findVolume(world, params.required("VolumeId"));
  const force = params.boolean("Force") ?? false;
  const attachment = volume.attachment;
  if (attachment === null) throw incorrectState(`Volume '${volume.id}' is in the '${volume.state}' state.`);
  const instanceId = params.string("InstanceId");
  const device = params.string("Device");
  if (
    (instanceId !== undefined && instanceId !== attachment.instanceId) ||
    (device !== undefined && device !== attachment.device)
  ) {
    throw new Ec2Error(
      "InvalidAttachment.NotFound",
      `Volume '${volume.id}' can not be detached from '${instanceId ?? device}' because it is not attached there`,
    );
  }
  if (attachment.status === "detaching") {
    if (force) attachment.pending?.hurry();
  } else if (attachment.status === "attaching" && !force) {
    throw incorrectState(`Volume '${volume.id}' is still attaching to '${attachment.instanceId}'.`);
  } else {
    beginDetachVolume(world, volume, force);
  }
  return renderAttachment(volume.id, attachment);
}

export function deleteVolume(world: World, params: Params): XmlValue[] {
  const volume = findVolume(world, params.required("VolumeId"));
  if (volume.attachment !== null) {
    throw new Ec2Error(
      "VolumeInUse",
      `Volume ${volume.id} is currently attached to ${volume.attachment.instanceId}`,
    );
  }
  if (volume.state !== "available" && volume.state !== "error") {
    throw incorrectState(`The volume '${volume.id}' is '${volume.state}'.`);
  }
  volume.state = "deleting";
  world.transition(
    world.delay("volumeDelete"),
    "deleteVolume",
    volume.id,
    () => world.config.backend.deleteVolume(volume.id),
    () => world.volumes.delete(volume.id),
    () => world.volumes.delete(volume.id),
  );
  return returnTrue;
}
