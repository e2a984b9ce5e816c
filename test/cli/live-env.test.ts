import { afterEach, describe, expect, it, vi } from "vitest";
import { imageIdFor, LOCAL_HOST_IMAGE, METADATA_ENV, metadataBaseFromEnv } from "../../src/cli/live-env.js";
import { UsageError } from "../../src/errors.js";
import type { LiveConfig } from "../../src/setup/config.js";
import { sampleLiveConfig } from "../support/live-config.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("metadataBaseFromEnv", () => {
  it("takes --metadata, else the SDK's variable, else EC2's link-local address, without a trailing slash", () => {
    vi.stubEnv(METADATA_ENV, "http://127.0.0.1:4567/");
    expect(metadataBaseFromEnv("http://10.0.0.1:80//")).toBe("http://10.0.0.1:80");
    expect(metadataBaseFromEnv(undefined)).toBe("http://127.0.0.1:4567");
    vi.stubEnv(METADATA_ENV, "");
    expect(metadataBaseFromEnv(undefined)).toBe("http://169.254.169.254");
    vi.stubEnv(METADATA_ENV, undefined);
    expect(metadataBaseFromEnv(undefined)).toBe("http://169.254.169.254");
  });
});

describe("imageIdFor", () => {
  const config: LiveConfig = sampleLiveConfig();
  const built: LiveConfig = { ...config, imageId: "ami-0aaaaaaaaaaaaaaaa" };

  it("takes --image-id, else the config's image, else the local cloud's host image", () => {
    expect(imageIdFor("ami-01234567", built, true)).toBe("ami-01234567");
    expect(imageIdFor(undefined, built, false)).toBe("ami-0aaaaaaaaaaaaaaaa");
    expect(imageIdFor(undefined, config, true)).toBe(LOCAL_HOST_IMAGE);
  });

  it("refuses none on EC2, and an id that is not an AMI's", () => {
    expect(() => imageIdFor(undefined, config, false)).toThrow(
      new UsageError(
        "--image-id",
        "an AMI id, or an imageId in the config (from `hotspot image build`)",
        "neither",
      ),
    );
    expect(() => imageIdFor("ami-xyz", config, true)).toThrow(
      '--image-id: expected an AMI id such as ami-0123456789abcdef0, found "ami-xyz"',
    );
  });
});
