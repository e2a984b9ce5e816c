import { CloudApiError, InputFormatError, UsageError } from "../errors.js";
import { DEBIAN_ARCH, type Architecture } from "./architecture.js";
import { ImageBuildError } from "./errors.js";
import type { FoundImage, ImageEc2 } from "./image-ec2.js";
import { FAILED_MARKER, READY_MARKER, scriptHash } from "./user-data.js";

/** Debian's publisher account for its official cloud images on EC2. */
export const DEBIAN_OWNER_ID = "136693071363";

/** Tags on every image (and its snapshots) `hotspot image` makes: how reuse finds it again. */
export const IMAGE_TAGS = {
  setup: "hotspot:setup",
  version: "hotspot:version",
  scriptHash: "hotspot:script-hash",
  baseImage: "hotspot:base-image",
} as const;

/** Time for the waits: the wall clock in production, the emulator's in tests. */
export interface BuildClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface Ec2BuildOptions {
  readonly setupName: string;
  /** hotspot.json, for error messages. */
  readonly configPath: string;
  readonly zone: string;
  readonly subnetId: string;
  readonly architecture: Architecture;
  /** What the types given run on, for the refusal of a base image of another architecture. */
  readonly typesText: string;
  readonly builderType: string;
  readonly baseImage?: string;
  readonly userData: string;
  readonly version: string;
  /** How long the builder may take to provision and power off. */
  readonly timeoutSeconds: number;
  readonly pollSeconds: number;
  /** Lines of the console shown when provisioning fails. */
  readonly consoleLines: number;
}

export interface BuildResult {
  readonly imageId: string;
  readonly reused: boolean;
}

const tail = (text: string, lines: number) =>
  text
    .split("\n")
    .slice(-lines - 1)
    .join("\n")
    .trimEnd();

/** The base image: the one given (checked to be Debian 12 of the right architecture), or the newest official one. */
export async function findBaseImage(
  ec2: ImageEc2,
  architecture: Architecture,
  typesText: string,
  given: string | undefined,
): Promise<FoundImage> {
  const pattern = `debian-12-${DEBIAN_ARCH[architecture]}-*`;
  if (given === undefined) {
    const found = await ec2.findImages({
      owners: [DEBIAN_OWNER_ID],
      filters: [
        { name: "name", values: [pattern] },
        { name: "architecture", values: [architecture] },
        { name: "state", values: ["available"] },
      ],
    });
    const newest = [...found].sort((a, b) => (a.creationDate < b.creationDate ? 1 : -1))[0];
    if (newest === undefined) {
      throw new CloudApiError(
        "NoBaseImage",
        `DescribeImages in ${ec2.region}: no official Debian 12 image (owner ${DEBIAN_OWNER_ID}, name ${pattern}); give one with --base-image`,
      );
    }
    return newest;
  }
  if (!/^ami-[0-9a-f]{8,17}$/.test(given)) {
    throw new UsageError("--base-image", "an image id such as ami-0123456789abcdef0", JSON.stringify(given));
  }
  const [image] = await ec2.findImages({ ids: [given] }).catch((error: unknown) => {
    if (error instanceof CloudApiError && error.apiCode.startsWith("InvalidAMIID")) {
      throw new UsageError(
        "--base-image",
        `an image that exists in ${ec2.region}`,
        `${given} (${error.apiCode})`,
      );
    }
    throw error;
  });
  if (image === undefined) {
    throw new UsageError("--base-image", `an image that exists in ${ec2.region}`, `${given} (not found)`);
  }
  if (image.ownerId !== DEBIAN_OWNER_ID || !image.name.startsWith("debian-12-")) {
    throw new UsageError(
      "--base-image",
      `an official Debian 12 image (owner ${DEBIAN_OWNER_ID}, name debian-12-*)`,
      `${image.id} ${JSON.stringify(image.name)} owned by ${image.ownerId}`,
    );
  }
  if (image.architecture !== architecture) {
    throw new UsageError(
      "--base-image",
      `an ${architecture} image for ${typesText}`,
      `${image.id} ${JSON.stringify(image.name)}, ${image.architecture}`,
    );
  }
  return image;
}

/** An image of ours made from the same script, base and version: reused instead of building again. */
export async function findReusable(
  ec2: ImageEc2,
  setupName: string,
  tags: Readonly<Record<string, string>>,
  architecture: Architecture,
): Promise<FoundImage | undefined> {
  const found = await ec2.findImages({
    owners: ["self"],
    filters: [
      ...Object.entries(tags).map(([name, value]) => ({ name: `tag:${name}`, values: [value] })),
      { name: `tag:${IMAGE_TAGS.setup}`, values: [setupName] },
      { name: "architecture", values: [architecture] },
      { name: "state", values: ["available", "pending"] },
    ],
  });
  return [...found].sort((a, b) => (a.creationDate < b.creationDate ? 1 : -1))[0];
}

async function waitImageAvailable(
  ec2: ImageEc2,
  imageId: string,
  options: Ec2BuildOptions,
  clock: BuildClock,
  out: (text: string) => void,
): Promise<void> {
  const deadline = clock.now() + options.timeoutSeconds * 1000;
  for (;;) {
    const [image] = await ec2.findImages({ ids: [imageId] });
    if (image?.state === "available") return;
    if (image === undefined || image.state === "failed" || image.state === "error") {
      throw new ImageBuildError(
        `image ${imageId} ended ${image?.state ?? "deregistered"} instead of available`,
      );
    }
    if (clock.now() >= deadline) {
      throw new ImageBuildError(
        `image ${imageId} is still ${image.state} after --timeout ${options.timeoutSeconds} s; it may still become available (hotspot image list)`,
      );
    }
    out(`  image ${imageId}: ${image.state}\n`);
    await clock.sleep(options.pollSeconds * 1000);
  }
}

/**
 * Waits until the builder powered itself off and its console says provisioning passed. Throws
 * ImageBuildError with the console's tail when it failed, vanished or did not stop within the timeout.
 */
async function waitProvisioned(
  ec2: ImageEc2,
  builderId: string,
  options: Ec2BuildOptions,
  clock: BuildClock,
  out: (text: string) => void,
): Promise<void> {
  const started = clock.now();
  const deadline = started + options.timeoutSeconds * 1000;
  let last = "";
  for (;;) {
    const { state, reason } = await ec2.instanceState(builderId);
    if (state !== last) {
      out(`  builder ${builderId}: ${state} after ${Math.round((clock.now() - started) / 1000)} s\n`);
      last = state;
    }
    if (state === "stopped") break;
    if (state === "shutting-down" || state === "terminated") {
      throw new ImageBuildError(
        `builder ${builderId} ended (${state}${reason ? `, ${reason}` : ""}) instead of powering off; console tail:\n${tail(await ec2.consoleOutput(builderId), options.consoleLines)}`,
      );
    }
    if (clock.now() >= deadline) {
      throw new ImageBuildError(
        `builder ${builderId} did not power off within --timeout ${options.timeoutSeconds} s (still ${state}); console tail:\n${tail(await ec2.consoleOutput(builderId), options.consoleLines)}`,
      );
    }
    await clock.sleep(options.pollSeconds * 1000);
  }
  // EC2 may publish the console a little after the stop: a few more polls before giving up.
  for (let attempt = 0; attempt < 10; attempt++) {
    const console = await ec2.consoleOutput(builderId);
    if (console.includes(FAILED_MARKER)) {
      throw new ImageBuildError(
        `provisioning failed on builder ${builderId}; console tail:\n${tail(console, options.consoleLines)}`,
      );
    }
    if (console.includes(READY_MARKER)) return;
    if (attempt === 9) {
      throw new ImageBuildError(
        `builder ${builderId} powered off but its console shows neither "${READY_MARKER}" nor "${FAILED_MARKER}"; not imaged. Console tail:\n${tail(console, options.consoleLines)}`,
      );
    }
    await clock.sleep(options.pollSeconds * 1000);
  }
}

/**
 * `hotspot image build` on EC2: base image, subnet and IAM checked before anything is launched; an
 * image of the same script, base and version is reused; otherwise a builder is launched, provisions
 * itself and powers off, is imaged, and is terminated whatever happened once it was launched.
 */
export async function buildImageOnEc2(
  ec2: ImageEc2,
  options: Ec2BuildOptions,
  clock: BuildClock,
  out: (text: string) => void,
): Promise<BuildResult> {
  const base = await findBaseImage(ec2, options.architecture, options.typesText, options.baseImage);
  out(`base image: ${base.id} ${base.name} (${base.architecture}, ${base.creationDate})\n`);
  const zone = await ec2.subnetZone(options.subnetId);
  if (zone !== options.zone) {
    throw new InputFormatError(
      `${options.configPath}: subnetId`,
      `a subnet in the setup's zone ${options.zone}`,
      `${options.subnetId} in ${zone}`,
    );
  }
  const hash = scriptHash(options.userData);
  const tags = {
    [IMAGE_TAGS.version]: options.version,
    [IMAGE_TAGS.scriptHash]: hash,
    [IMAGE_TAGS.baseImage]: base.id,
  };
  const reusable = await findReusable(ec2, options.setupName, tags, options.architecture);
  if (reusable !== undefined) {
    out(
      `reusing ${reusable.id} ${reusable.name}: same script ${hash}, base ${base.id}, version ${options.version}\n`,
    );
    if (reusable.state !== "available") await waitImageAvailable(ec2, reusable.id, options, clock, out);
    return { imageId: reusable.id, reused: true };
  }
  const allTags = { ...tags, [IMAGE_TAGS.setup]: options.setupName };
  const launch = {
    imageId: base.id,
    instanceType: options.builderType,
    subnetId: options.subnetId,
    userData: options.userData,
    tags: { ...allTags, Name: `hotspot-${options.setupName}-image-builder`, "hotspot:role": "image-builder" },
    // One token per attempt: EC2 answers a token whose instance was terminated with an error.
    clientToken: `hotspot-image-${hash}-${clock.now().toString(36)}-${options.setupName}`.slice(0, 64),
  };
  const denied = [
    ...((await ec2.canLaunch(launch)) === "denied" ? ["ec2:RunInstances (or ec2:CreateTags on launch)"] : []),
    ...(
      await Promise.all(
        (["CreateImage", "TerminateInstances", "GetConsoleOutput"] as const).map(async (action) =>
          (await ec2.canCall(action)) === "denied" ? [`ec2:${action}`] : [],
        ),
      )
    ).flat(),
  ];
  if (denied.length > 0) {
    throw new CloudApiError(
      "UnauthorizedOperation",
      `image build in ${ec2.region}: DryRun says the credentials lack ${denied.join(", ")}; nothing was launched`,
    );
  }
  const builderId = await ec2.launchBuilder(launch);
  out(
    `builder ${builderId} (${options.builderType}) launched in ${options.subnetId}; provisioning (up to ${options.timeoutSeconds} s)\n`,
  );
  let imageId: string;
  try {
    await waitProvisioned(ec2, builderId, options, clock, out);
    const name = `hotspot-${options.setupName}-${options.version}-${options.architecture}-${hash}`;
    imageId = await ec2.createImage(
      builderId,
      name,
      `hotspot ${options.version} host on ${base.name}`,
      allTags,
    );
    out(`CreateImage ${imageId} ${name}\n`);
    await waitImageAvailable(ec2, imageId, options, clock, out);
  } catch (error) {
    // The failure is the news; a builder that cannot be terminated too is said, not hidden.
    await ec2.terminate(builderId).then(
      () => out(`builder ${builderId} terminated\n`),
      (e: unknown) => out(`builder ${builderId} could NOT be terminated: ${(e as Error).message}\n`),
    );
    throw error;
  }
  await ec2.terminate(builderId);
  out(`builder ${builderId} terminated\n`);
  return { imageId, reused: false };
}
