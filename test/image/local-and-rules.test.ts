import { gunzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LOCAL_HOST_ROOT, startEmulator, type Emulator } from "../../src/cloud/local/index.js";
import { architectureOfType, architectureOfTypes } from "../../src/image/architecture.js";
import { createImageEc2, type ImageEc2 } from "../../src/image/image-ec2.js";
import { buildImageOnLocalCloud, type ReadinessResult } from "../../src/image/manage.js";
import { builderUserData, provisioningFiles, USER_DATA_LIMIT } from "../../src/image/user-data.js";

describe("architecture of instance types (the type-name rule standing in for the catalog's column)", () => {
  it.each([
    ["m5.large", "x86_64"],
    ["c5a.xlarge", "x86_64"],
    ["g4dn.xlarge", "x86_64"],
    ["p4de.24xlarge", "x86_64"],
    ["m6g.large", "arm64"],
    ["c7gn.large", "arm64"],
    ["t4g.micro", "arm64"],
    ["x2gd.medium", "arm64"],
    ["im4gn.large", "arm64"],
    ["is4gen.large", "arm64"],
    ["g5g.xlarge", "arm64"],
    ["a1.medium", "arm64"],
  ])("%s is %s", (type, arch) => {
    expect(architectureOfType(type)).toBe(arch);
  });

  it("refuses a mix, naming each type's architecture", () => {
    expect(() => architectureOfTypes(["t4g.small", "t3.small"], "--types")).toThrow(
      "--types: expected instance types of one architecture (an image runs on x86_64 or on arm64 (Graviton), not both), found t4g.small (arm64), t3.small (x86_64)",
    );
  });
});

describe("the builder's user data", () => {
  it("carries the shipped provisioning scripts byte for byte, within EC2's 16 KiB", () => {
    const text = builderUserData("https://example.test/h.tgz", 26);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(USER_DATA_LIMIT);
    for (const file of provisioningFiles()) {
      const line = text.split("\n").find((l) => l.endsWith(`>"$dir/${file.path}"`));
      const b64 = /^echo (\S+) \| base64 -d/.exec(line ?? "")?.[1] ?? "";
      expect(gunzipSync(Buffer.from(b64, "base64")).toString("utf8")).toBe(file.text);
    }
    expect(text).toContain(
      "HOTSPOT_NODE_MAJOR=26 bash \"$dir/provision-host.sh\" 'https://example.test/h.tgz'",
    );
  });

  it("refuses a package spec with a space", () => {
    expect(() => builderUserData("a b", 26)).toThrow(
      '--package: expected an npm pack spec without spaces or control characters, found "a b"',
    );
  });
});

describe("image build on the local cloud (readiness injected; the CLI runs criu, lxc-checkpoint)", () => {
  let emulator: Emulator;
  let ec2: ImageEc2 & { destroy(): void };
  beforeEach(async () => {
    process.env.AWS_ACCESS_KEY_ID = "AKIDIMAGETEST";
    process.env.AWS_SECRET_ACCESS_KEY = "image-test-secret";
    emulator = await startEmulator({ latency: { factor: 0 } });
    ec2 = createImageEc2({ region: "us-east-1", endpoint: emulator.endpoint });
  });
  afterEach(async () => {
    ec2.destroy();
    await emulator.close();
  });
  const options = {
    setupName: "t1",
    architecture: "x86_64" as const,
    version: "0.1.0",
    scriptHash: "00112233445566aa",
  };
  const ready: ReadinessResult[] = [
    { check: "criu check", ok: true, detail: "Looks good." },
    { check: "lxc-checkpoint --version", ok: true, detail: "5.0.2" },
  ];

  it("registers the host's filesystem once and reuses it", async () => {
    const lines: string[] = [];
    const first = await buildImageOnLocalCloud(
      ec2,
      options,
      async () => ready,
      (t) => lines.push(t),
    );
    expect(first.reused).toBe(false);
    const image = emulator.state.images.get(first.imageId)!;
    expect([image.imageLocation, image.name, image.state]).toEqual([
      LOCAL_HOST_ROOT,
      "hotspot-t1-0.1.0-x86_64-00112233445566aa-local",
      "available",
    ]);
    expect(Object.fromEntries(image.tags)).toEqual({
      "hotspot:setup": "t1",
      "hotspot:version": "0.1.0",
      "hotspot:script-hash": "00112233445566aa",
      "hotspot:base-image": "host",
    });
    expect(lines.slice(0, 2)).toEqual([
      "ready: criu check: Looks good.\n",
      "ready: lxc-checkpoint --version: 5.0.2\n",
    ]);
    const second = await buildImageOnLocalCloud(
      ec2,
      options,
      async () => ready,
      () => undefined,
    );
    expect(second).toEqual({ imageId: first.imageId, reused: true });
    expect(emulator.state.requestCounts.get("RegisterImage")).toBe(1);
  });
});
