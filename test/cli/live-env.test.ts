import { afterEach, describe, expect, it, vi } from "vitest";
import { METADATA_ENV, metadataBaseFromEnv } from "../../src/cli/live-env.js";

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
