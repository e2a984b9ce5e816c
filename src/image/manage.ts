import { UsageError } from "../errors.js";
import type { Architecture } from "./architecture.js";
import { IMAGE_TAGS, findReusable, type BuildResult } from "./build.js";
import { ImageBuildError } from "./errors.js";
import type { FoundImage, ImageEc2 } from "./image-ec2.js";

/** One check of the host's readiness: what ran and what it said. */
export interface ReadinessResult {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface LocalBuildOptions {
  readonly setupName: string;
  readonly architecture: Architecture;
  readonly version: string;
  /** Hash of the provisioning scripts the host is taken to have been set up with. */
  readonly scriptHash: string;
}

/**
 * `hotspot image build` on the local cloud, whose instances boot the host's own filesystem: the
 * host's readiness check runs first (nothing is registered when it fails), then that filesystem is
 * registered as an image (RegisterImage with the local marker), or the one registered before reused.
 */
export async function buildImageOnLocalCloud(
  ec2: ImageEc2,
  options: LocalBuildOptions,
  readiness: () => Promise<readonly ReadinessResult[]>,
  out: (text: string) => void,
): Promise<BuildResult> {
  const results = await readiness();
  for (const r of results) out(`${r.ok ? "ready" : "NOT ready"}: ${r.check}: ${r.detail}\n`);
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) {
    throw new ImageBuildError(
      `this host is not ready to be the local cloud's image (${failed.map((r) => r.check).join("; ")} failed); run scripts/install-local-cloud.sh; nothing was registered`,
    );
  }
  const tags = {
    [IMAGE_TAGS.version]: options.version,
    [IMAGE_TAGS.scriptHash]: options.scriptHash,
    [IMAGE_TAGS.baseImage]: "host",
  };
  const reusable = await findReusable(ec2, options.setupName, tags, options.architecture);
  if (reusable !== undefined) {
    out(`reusing ${reusable.id} ${reusable.name}\n`);
    return { imageId: reusable.id, reused: true };
  }
  const name = `hotspot-${options.setupName}-${options.version}-${options.architecture}-${options.scriptHash}-local`;
  const imageId = await ec2.registerLocalImage(
    name,
    options.architecture,
    `hotspot ${options.version}: the local cloud's host filesystem`,
    {
      ...tags,
      [IMAGE_TAGS.setup]: options.setupName,
    },
  );
  out(`RegisterImage ${imageId} ${name} (the host's own filesystem)\n`);
  return { imageId, reused: false };
}

/** The images `hotspot image` made for a setup (tagged hotspot:setup=<name>), newest first. */
export async function listImages(ec2: ImageEc2, setupName: string): Promise<FoundImage[]> {
  const found = await ec2.findImages({
    owners: ["self"],
    filters: [{ name: `tag:${IMAGE_TAGS.setup}`, values: [setupName] }],
  });
  return [...found].sort((a, b) =>
    a.creationDate < b.creationDate ? 1 : a.creationDate > b.creationDate ? -1 : 0,
  );
}

/** Deregisters one of the setup's images and deletes its snapshots; another's image is refused. */
export async function deleteImage(
  ec2: ImageEc2,
  setupName: string,
  imageId: string,
  flag: string,
): Promise<FoundImage> {
  const ours = await listImages(ec2, setupName);
  const image = ours.find((i) => i.id === imageId);
  if (image === undefined) {
    throw new UsageError(
      flag,
      `an image of setup ${setupName} (tagged ${IMAGE_TAGS.setup}=${setupName}): ${ours.map((i) => i.id).join(", ") || "there are none"}`,
      JSON.stringify(imageId),
    );
  }
  await ec2.deregister(image.id);
  for (const snapshotId of image.snapshotIds) await ec2.deleteSnapshot(snapshotId);
  return image;
}
