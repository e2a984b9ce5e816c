import { Ec2Error, invalidValue, missingParameter } from "./errors.js";
import { LOCAL_HOST_ROOT, type Image, type ImageArchitecture, type Snapshot } from "./image-model.js";
import type * as M from "./model.js";
import type { Params } from "./params.js";
import type { PublicImage } from "./public-images.js";
import { returnTrue, tagSet } from "./render-common.js";
import { ACCOUNT_ID, applyFilters, lookup, paginate, type World } from "./world.js";
import { el, isoTime, set, type XmlValue } from "./xml.js";

const IMAGE_ID_RE = /^ami-[0-9a-f]{8,17}$/;
// AMI names: 3 to 128 of letters, digits and ( ) [ ] space . / - ' @ _ (EC2's rule).
const IMAGE_NAME_RE = /^[A-Za-z0-9()[\]. /\-'@_]{3,128}$/;
const ROOT_DEVICE = "/dev/xvda";
const DEFAULT_ROOT_GIB = 8;

/** Put the region's public images (and their snapshots) into a new world. */
export function addPublicImages(world: World, images: readonly PublicImage[]): void {
  for (const p of images) {
    if (!IMAGE_ID_RE.test(p.id))
      throw new Error(`public image id ${p.id}: expected ami- and 8 to 17 hex digits`);
    const snapshot: Snapshot = {
      id: world.newId("snap"),
      ownerId: p.ownerId,
      volumeSizeGiB: p.rootSizeGiB,
      description: `root of ${p.name}`,
      startTimeMs: Date.parse(p.creationDate),
      tags: new Map(),
      state: "completed",
    };
    world.snapshots.set(snapshot.id, snapshot);
    world.images.set(p.id, {
      id: p.id,
      ownerId: p.ownerId,
      name: p.name,
      description: p.description,
      architecture: p.architecture,
      creationTimeMs: Date.parse(p.creationDate),
      isPublic: true,
      rootDeviceName: ROOT_DEVICE,
      blockDevices: [{ deviceName: ROOT_DEVICE, snapshotId: snapshot.id }],
      imageLocation: null,
      sourceInstanceId: null,
      tags: new Map(),
      state: "available",
    });
  }
}

function findImage(world: World, id: string): Image {
  if (!IMAGE_ID_RE.test(id))
    throw new Ec2Error("InvalidAMIID.Malformed", `Invalid id: "${id}" (expecting "ami-...")`);
  const image = world.images.get(id);
  if (image === undefined)
    throw new Ec2Error("InvalidAMIID.NotFound", `The image id '[${id}]' does not exist`);
  return image;
}

function checkName(world: World, name: string): void {
  if (!IMAGE_NAME_RE.test(name)) {
    throw invalidValue(
      "Name",
      name,
      "AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/' and '_'",
    );
  }
  const taken = [...world.images.values()].find((i) => i.ownerId === ACCOUNT_ID && i.name === name);
  if (taken !== undefined) {
    throw new Ec2Error("InvalidAMIName.Duplicate", `AMI name ${name} is already in use by AMI ${taken.id}`);
  }
}

/** A pending snapshot of `sizeGiB` that completes with the image. */
function newSnapshot(world: World, sizeGiB: number, description: string, tags: M.Tags): Snapshot {
  const snapshot: Snapshot = {
    id: world.newId("snap"),
    ownerId: ACCOUNT_ID,
    volumeSizeGiB: sizeGiB,
    description,
    startTimeMs: world.now,
    tags,
    state: "pending",
  };
  world.snapshots.set(snapshot.id, snapshot);
  return snapshot;
}

/** The image becomes available (and its snapshots completed) after the modelled time. */
function finishLater(world: World, image: Image, snapshots: readonly Snapshot[]): void {
  world.config.scheduler.schedule(world.delay("imageCreate"), () => {
    if (world.images.get(image.id) === image && image.state === "pending") image.state = "available";
    for (const s of snapshots) if (s.state === "pending") s.state = "completed";
  });
}

/**
 * CreateImage from a running or stopped instance: one snapshot of its root (the size of its image's
 * root when the emulator knows that image, else 8 GiB) and one per attached volume. The new image has
 * its source image's architecture (x86_64 when unknown). A running instance is not rebooted here.
 */
export function createImage(world: World, params: Params): XmlValue[] {
  const instance = lookup(
    params.required("InstanceId"),
    world.instances,
    "InvalidInstanceID.NotFound",
    "instance",
  );
  const name = params.required("Name");
  if (instance.state !== "running" && instance.state !== "stopped") {
    throw new Ec2Error(
      "IncorrectInstanceState",
      `The instance '${instance.id}' is not in a state from which it can be imaged (it is ${instance.state}).`,
    );
  }
  checkName(world, name);
  const source = world.images.get(instance.imageId);
  const rootSize =
    source?.blockDevices[0] === undefined
      ? DEFAULT_ROOT_GIB
      : (world.snapshots.get(source.blockDevices[0].snapshotId)?.volumeSizeGiB ?? DEFAULT_ROOT_GIB);
  const snapshotTags = world.tagsFor(params, "snapshot");
  const imageId = world.newId("ami");
  const root = newSnapshot(
    world,
    rootSize,
    `Created by CreateImage(${instance.id}) for ${imageId}`,
    new Map(snapshotTags),
  );
  const others = [...world.volumes.values()]
    .filter((v) => v.attachment?.instanceId === instance.id)
    .map((v) => ({
      deviceName: v.attachment?.device ?? "",
      snapshot: newSnapshot(
        world,
        v.sizeGiB,
        `Created by CreateImage(${instance.id}) for ${imageId} from ${v.id}`,
        new Map(snapshotTags),
      ),
    }));
  const image: Image = {
    id: imageId,
    ownerId: ACCOUNT_ID,
    name,
    description: params.string("Description") ?? "",
    architecture: source?.architecture ?? "x86_64",
    creationTimeMs: world.now,
    isPublic: false,
    rootDeviceName: ROOT_DEVICE,
    blockDevices: [
      { deviceName: ROOT_DEVICE, snapshotId: root.id },
      ...others.map((o) => ({ deviceName: o.deviceName, snapshotId: o.snapshot.id })),
    ],
    imageLocation: null,
    sourceInstanceId: instance.id,
    tags: world.tagsFor(params, "image"),
    state: "pending",
  };
  world.images.set(image.id, image);
  finishLater(world, image, [root, ...others.map((o) => o.snapshot)]);
  return [el("imageId", image.id)];
}

/**
 * RegisterImage: from a snapshot the account owns (BlockDeviceMapping with Ebs.SnapshotId for the
 * root device), or a local image whose ImageLocation is `hotspot-local:host-root` (the local cloud's
 * own filesystem; available at once, no snapshot).
 */
export function registerImage(world: World, params: Params): XmlValue[] {
  const name = params.required("Name");
  const architecture = params.string("Architecture") ?? "x86_64";
  if (architecture !== "x86_64" && architecture !== "arm64") {
    throw invalidValue("Architecture", architecture, "Valid values: x86_64, arm64.");
  }
  const location = params.string("ImageLocation");
  const rootDeviceName = params.string("RootDeviceName") ?? ROOT_DEVICE;
  const mappings = params.members("BlockDeviceMapping").map((m) => ({
    deviceName: m.required("DeviceName"),
    snapshotId: m.sub("Ebs").string("SnapshotId"),
  }));
  if (location !== undefined && location !== LOCAL_HOST_ROOT) {
    throw invalidValue(
      "ImageLocation",
      location,
      `The emulator registers only ${LOCAL_HOST_ROOT} (the local cloud's own filesystem).`,
    );
  }
  const blockDevices = mappings.map((m, i) => {
    if (m.snapshotId === undefined) throw missingParameter(`BlockDeviceMapping.${i + 1}.Ebs.SnapshotId`);
    const snapshot = lookup(m.snapshotId, world.snapshots, "InvalidSnapshot.NotFound", "snapshot");
    if (snapshot.ownerId !== ACCOUNT_ID) {
      throw new Ec2Error("InvalidSnapshot.NotFound", `The snapshot '${snapshot.id}' does not exist.`);
    }
    return { deviceName: m.deviceName, snapshotId: snapshot.id };
  });
  if (location === undefined && !blockDevices.some((b) => b.deviceName === rootDeviceName)) {
    throw new Ec2Error(
      "InvalidBlockDeviceMapping",
      `The root device ${rootDeviceName} needs a snapshot in BlockDeviceMapping (or give ImageLocation ${LOCAL_HOST_ROOT})`,
    );
  }
  checkName(world, name);
  const image: Image = {
    id: world.newId("ami"),
    ownerId: ACCOUNT_ID,
    name,
    description: params.string("Description") ?? "",
    architecture: architecture as ImageArchitecture,
    creationTimeMs: world.now,
    isPublic: false,
    rootDeviceName,
    blockDevices,
    imageLocation: location ?? null,
    sourceInstanceId: null,
    tags: world.tagsFor(params, "image"),
    state: "available",
  };
  world.images.set(image.id, image);
  return [el("imageId", image.id)];
}

function imageField(world: World, i: Image, name: string): readonly string[] | undefined {
  switch (name) {
    case "image-id":
      return [i.id];
    case "name":
      return [i.name];
    case "description":
      return [i.description];
    case "architecture":
      return [i.architecture];
    case "owner-id":
      return [i.ownerId];
    case "state":
      return [i.state];
    case "is-public":
      return [String(i.isPublic)];
    case "image-type":
      return ["machine"];
    case "root-device-type":
      return [i.imageLocation === null ? "ebs" : "instance-store"];
    case "root-device-name":
      return [i.rootDeviceName];
    case "block-device-mapping.snapshot-id":
      return i.blockDevices.map((b) => b.snapshotId);
    case "block-device-mapping.volume-size":
      return i.blockDevices.map((b) => String(world.snapshots.get(b.snapshotId)?.volumeSizeGiB ?? ""));
    default:
      return undefined;
  }
}

/**
 * DescribeImages: by ImageId.N, Owner.N (account ids, `self`; `amazon` and other aliases match no one
 * here) and filters. Without ids or owners it lists every image the account may launch: its own and
 * the public ones.
 */
export function describeImages(world: World, params: Params): XmlValue[] {
  const ids = params.strings("ImageId");
  const owners = params.strings("Owner").map((o) => (o === "self" ? ACCOUNT_ID : o));
  const chosen = ids.length > 0 ? ids.map((id) => findImage(world, id)) : [...world.images.values()];
  const owned = owners.length === 0 ? chosen : chosen.filter((i) => owners.includes(i.ownerId));
  const visible = owned.filter((i) => i.isPublic || i.ownerId === ACCOUNT_ID);
  const filtered = applyFilters(
    params,
    visible,
    (i, n) => imageField(world, i, n),
    (i) => i.tags,
  );
  const { page, nextToken } = paginate(params, filtered, { min: 5, max: 1000 });
  return [set("imagesSet", page, (i) => renderImage(world, i)), el("nextToken", nextToken)];
}

function renderImage(world: World, i: Image): XmlValue[] {
  return [
    el("imageId", i.id),
    el("imageLocation", i.imageLocation ?? `${i.ownerId}/${i.name}`),
    el("imageState", i.state),
    el("imageOwnerId", i.ownerId),
    el("creationDate", isoTime(i.creationTimeMs)),
    el("isPublic", String(i.isPublic)),
    el("architecture", i.architecture),
    el("imageType", "machine"),
    el("name", i.name),
    el("description", i.description || undefined),
    el("rootDeviceType", i.imageLocation === null ? "ebs" : "instance-store"),
    el("rootDeviceName", i.rootDeviceName),
    set("blockDeviceMapping", i.blockDevices, (b) => [
      el("deviceName", b.deviceName),
      el(
        "ebs",
        el("snapshotId", b.snapshotId),
        el("volumeSize", world.snapshots.get(b.snapshotId)?.volumeSizeGiB),
        el("deleteOnTermination", "true"),
        el("volumeType", "gp3"),
        el("encrypted", "false"),
      ),
    ]),
    el("virtualizationType", "hvm"),
    el("hypervisor", "xen"),
    el("enaSupport", "true"),
    el("sriovNetSupport", "simple"),
    tagSet(i.tags),
  ];
}

/** DeregisterImage: the account's own images only; their snapshots stay (DeleteSnapshot removes them). */
export function deregisterImage(world: World, params: Params): XmlValue[] {
  const image = findImage(world, params.required("ImageId"));
  if (image.ownerId !== ACCOUNT_ID) {
    throw new Ec2Error("AuthFailure", `Not authorized for image:${image.id}`);
  }
  world.images.delete(image.id);
  return returnTrue;
}

function snapshotField(s: Snapshot, name: string): readonly string[] | undefined {
  switch (name) {
    case "snapshot-id":
      return [s.id];
    case "owner-id":
      return [s.ownerId];
    case "status":
      return [s.state];
    case "volume-size":
      return [String(s.volumeSizeGiB)];
    case "description":
      return [s.description];
    default:
      return undefined;
  }
}

/** DescribeSnapshots: by SnapshotId.N, OwnerId.N (ids or `self`) and filters; the account's own by default. */
export function describeSnapshots(world: World, params: Params): XmlValue[] {
  const ids = params.strings("SnapshotId");
  const owners = params.strings("Owner").map((o) => (o === "self" ? ACCOUNT_ID : o));
  const chosen =
    ids.length > 0
      ? ids.map((id) => lookup(id, world.snapshots, "InvalidSnapshot.NotFound", "snapshot"))
      : [...world.snapshots.values()].filter((s) => s.ownerId === ACCOUNT_ID || owners.includes(s.ownerId));
  const owned = owners.length === 0 ? chosen : chosen.filter((s) => owners.includes(s.ownerId));
  const filtered = applyFilters(params, owned, snapshotField, (s) => s.tags);
  const { page, nextToken } = paginate(params, filtered, { min: 5, max: 1000 });
  return [
    set("snapshotSet", page, (s) => [
      el("snapshotId", s.id),
      el("volumeId", "vol-ffffffff"),
      el("status", s.state),
      el("startTime", isoTime(s.startTimeMs)),
      el("progress", s.state === "completed" ? "100%" : "0%"),
      el("ownerId", s.ownerId),
      el("volumeSize", s.volumeSizeGiB),
      el("description", s.description),
      el("encrypted", "false"),
      el("storageTier", "standard"),
      tagSet(s.tags),
    ]),
    el("nextToken", nextToken),
  ];
}

/** DeleteSnapshot: refused while a registered image uses it, as EC2 does. */
export function deleteSnapshot(world: World, params: Params): XmlValue[] {
  const snapshot = lookup(
    params.required("SnapshotId"),
    world.snapshots,
    "InvalidSnapshot.NotFound",
    "snapshot",
  );
  if (snapshot.ownerId !== ACCOUNT_ID) {
    throw new Ec2Error("AuthFailure", `Not authorized for snapshot:${snapshot.id}`);
  }
  const user = [...world.images.values()].find((i) =>
    i.blockDevices.some((b) => b.snapshotId === snapshot.id),
  );
  if (user !== undefined) {
    throw new Ec2Error(
      "InvalidSnapshot.InUse",
      `The snapshot ${snapshot.id} is currently in use by ${user.id}`,
    );
  }
  world.snapshots.delete(snapshot.id);
  return returnTrue;
}
