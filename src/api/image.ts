import type { Architecture } from "../image/architecture.js";
import { buildImageOnEc2, type BuildClock, type BuildResult } from "../image/build.js";
import { createImageEc2, type FoundImage, type ImageEc2 } from "../image/image-ec2.js";
import {
  buildImageOnLocalCloud,
  deleteImage as deregisterImage,
  listImages as findImages,
  type ReadinessResult,
} from "../image/manage.js";
import { builderUserData, provisioningFiles, scriptHash } from "../image/user-data.js";
import { writeLiveConfig, type LiveConfig } from "../setup/config.js";
import { version } from "../version.js";

/** The image every instance boots (`hotspot image`): built, listed and deleted per setup. */

/** Where the image commands act. */
export interface ImagePlace {
  readonly config: LiveConfig;
  /** The EC2 endpoint; undefined: EC2's own. */
  readonly endpoint: string | undefined;
}

async function withClient<T>(place: ImagePlace, use: (ec2: ImageEc2) => Promise<T>): Promise<T> {
  const ec2 = createImageEc2({ region: place.config.region, endpoint: place.endpoint });
  try {
    return await use(ec2);
  } finally {
    ec2.destroy();
  }
}

/** The image build's settings on one cloud. */
export type ImageBuild =
  | {
      readonly cloud: "local";
      /** The criu the host's readiness check runs. */
      readonly criu: string;
    }
  | {
      readonly cloud: "aws";
      /** Where the builder fetches hotspot, as `npm pack` takes it. */
      readonly packageSpec: string;
      readonly nodeMajor: number;
      readonly builderType: string;
      readonly baseImage?: string;
      readonly timeoutSeconds: number;
      readonly pollSeconds: number;
      readonly consoleLines: number;
      readonly clock: BuildClock;
    };

export interface BuildImageRequest extends ImagePlace {
  readonly configPath: string;
  readonly architecture: Architecture;
  /** The types the image runs on, as text for messages. */
  readonly typesText: string;
  readonly build: ImageBuild;
  /** Progress text (whole lines). */
  readonly out: (text: string) => void;
}

/** Builds (or reuses) the setup's image and records it as imageId in the config. */
export async function buildImage(request: BuildImageRequest): Promise<BuildResult> {
  const { config, build } = request;
  let result: BuildResult;
  if (build.cloud === "local") {
    const hash = scriptHash(
      `${provisioningFiles()
        .map((f) => f.text)
        .join("\n")}\n${version}`,
    );
    result = await withClient(request, (ec2) =>
      buildImageOnLocalCloud(
        ec2,
        { setupName: config.name, architecture: request.architecture, version, scriptHash: hash },
        () => hostReadiness(build.criu),
        request.out,
      ),
    );
  } else {
    const options = {
      setupName: config.name,
      configPath: request.configPath,
      zone: config.zone,
      subnetId: config.subnetId,
      architecture: request.architecture,
      typesText: request.typesText,
      builderType: build.builderType,
      baseImage: build.baseImage,
      userData: builderUserData(build.packageSpec, build.nodeMajor),
      version,
      timeoutSeconds: build.timeoutSeconds,
      pollSeconds: build.pollSeconds,
      consoleLines: build.consoleLines,
    };
    result = await withClient(request, (ec2) => buildImageOnEc2(ec2, options, build.clock, request.out));
  }
  await writeLiveConfig(request.configPath, { ...config, imageId: result.imageId });
  return result;
}

async function run(command: string, argv: readonly string[]): Promise<{ ok: boolean; text: string }> {
  // execa loads only when the host is checked.
  const { execa } = await import("execa");
  const result = await execa(command, argv, { reject: false, all: true, timeout: 60_000 });
  return { ok: result.exitCode === 0, text: (result.all ?? "").trim() };
}

/** The host's readiness check, as provision-host.sh ends with it. */
async function hostReadiness(criu: string): Promise<ReadinessResult[]> {
  const check = await run(criu, ["check"]);
  const lxc = await run("lxc-checkpoint", ["--version"]);
  return [
    {
      check: `${criu} check`,
      ok: check.ok && check.text.includes("Looks good"),
      detail: check.text.split("\n").slice(-2).join(" ") || "no output",
    },
    { check: "lxc-checkpoint --version", ok: lxc.ok, detail: lxc.text.split("\n")[0] || "no output" },
    { check: "hotspot --version", ok: version !== "unknown", detail: `${version} (this process)` },
  ];
}

/** The setup's images, newest first. */
export async function listImages(place: ImagePlace): Promise<FoundImage[]> {
  return withClient(place, (ec2) => findImages(ec2, place.config.name));
}

/** Deregisters an image of the setup and deletes its snapshots; the config is left as it is. */
export async function deleteImage(place: ImagePlace, imageId: string): Promise<FoundImage> {
  return withClient(place, (ec2) => deregisterImage(ec2, place.config.name, imageId, "image"));
}

/** Records `imageId` (undefined: none) in the config at `configPath`. */
export async function recordImage(
  configPath: string,
  config: LiveConfig,
  imageId: string | undefined,
): Promise<void> {
  await writeLiveConfig(configPath, { ...config, imageId });
}
