import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/cloud/local/index.js";
import { CloudApiError, UsageError } from "../../src/errors.js";
import { DEBIAN_OWNER_ID, findBaseImage, findReusable, IMAGE_TAGS } from "../../src/image/build.js";
import { createImageEc2, type ImageEc2 } from "../../src/image/image-ec2.js";

let emulator: Emulator;
let ec2: ImageEc2 & { destroy(): void };
async function start(options: Parameters<typeof startEmulator>[0] = {}) {
  process.env.AWS_ACCESS_KEY_ID = "AKIDIMAGEBUILDTEST";
  process.env.AWS_SECRET_ACCESS_KEY = "image-build-test-secret";
  emulator = await startEmulator({ latency: { factor: 0 }, ...options });
  ec2 = createImageEc2({ region: "us-east-1", endpoint: emulator.endpoint });
}
afterEach(async () => {
  ec2.destroy();
  await emulator.close();
});

// The emulator's public images: Debian 12 builds of 2025-04-28 and 2025-06-10 per architecture, one Ubuntu.
const DEBIAN_AMD64_NEWEST = "ami-0d12a0000000000a2";
const DEBIAN_ARM64_NEWEST = "ami-0d12b0000000000b2";
const UBUNTU = "ami-0c0a0000000002204";

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe("findBaseImage", () => {
  beforeEach(() => start());

  it("picks the newest official Debian 12 image of the architecture", async () => {
    expect((await findBaseImage(ec2, "x86_64", "m5.large", undefined)).id).toBe(DEBIAN_AMD64_NEWEST);
    const arm = await findBaseImage(ec2, "arm64", "m6g.large", undefined);
    expect([arm.id, arm.name, arm.ownerId]).toEqual([
      DEBIAN_ARM64_NEWEST,
      "debian-12-arm64-20250610-2137",
      DEBIAN_OWNER_ID,
    ]);
  });

  it("takes a given Debian 12 image of the right architecture", async () => {
    expect((await findBaseImage(ec2, "x86_64", "m5.large", "ami-0d12a0000000000a1")).name).toBe(
      "debian-12-amd64-20250428-2096",
    );
  });

  it("refuses a malformed id, an unknown image, another distribution and another architecture", async () => {
    expect(await refusal(findBaseImage(ec2, "x86_64", "m5.large", "debian"))).toEqual(
      new UsageError("--base-image", "an image id such as ami-0123456789abcdef0", '"debian"'),
    );
    const unknown = await refusal(findBaseImage(ec2, "x86_64", "m5.large", "ami-0000000000000dead"));
    expect(unknown).toBeInstanceOf(UsageError);
    expect((unknown as Error).message).toMatch(
      /^--base-image: expected an image that exists in us-east-1, found ami-0000000000000dead \((InvalidAMIID\.NotFound|not found)\)$/,
    );
    expect(await refusal(findBaseImage(ec2, "x86_64", "m5.large", UBUNTU))).toEqual(
      new UsageError(
        "--base-image",
        `an official Debian 12 image (owner ${DEBIAN_OWNER_ID}, name debian-12-*)`,
        `${UBUNTU} "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20250516" owned by 099720109477`,
      ),
    );
    expect(await refusal(findBaseImage(ec2, "x86_64", "m5.large, c5.large", DEBIAN_ARM64_NEWEST))).toEqual(
      new UsageError(
        "--base-image",
        "an x86_64 image for m5.large, c5.large",
        `${DEBIAN_ARM64_NEWEST} "debian-12-arm64-20250610-2137", arm64`,
      ),
    );
  });
});

describe("findBaseImage in a region without Debian images", () => {
  beforeEach(() => start({ publicImages: [] }));

  it("says so and points at --base-image", async () => {
    const error = await refusal(findBaseImage(ec2, "x86_64", "m5.large", undefined));
    expect(error).toBeInstanceOf(CloudApiError);
    expect(error).toMatchObject({
      apiCode: "NoBaseImage",
      message: `DescribeImages in us-east-1: no official Debian 12 image (owner ${DEBIAN_OWNER_ID}, name debian-12-amd64-*); give one with --base-image`,
    });
  });
});

describe("findReusable", () => {
  beforeEach(() => start());

  it("finds an image of this setup with the same tags and architecture, and no other", async () => {
    const tags = { [IMAGE_TAGS.version]: "0.1.0", [IMAGE_TAGS.scriptHash]: "aa" };
    const ours = await ec2.registerLocalImage("mine", "x86_64", "d", { ...tags, [IMAGE_TAGS.setup]: "t1" });
    await ec2.registerLocalImage("theirs", "x86_64", "d", { ...tags, [IMAGE_TAGS.setup]: "t2" });
    expect((await findReusable(ec2, "t1", tags, "x86_64"))?.id).toBe(ours);
    expect(
      await findReusable(ec2, "t1", { ...tags, [IMAGE_TAGS.scriptHash]: "bb" }, "x86_64"),
    ).toBeUndefined();
    expect(await findReusable(ec2, "t1", tags, "arm64")).toBeUndefined();
    expect(await findReusable(ec2, "t3", tags, "x86_64")).toBeUndefined();
  });
});
