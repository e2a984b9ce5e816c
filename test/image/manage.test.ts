import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LOCAL_HOST_ROOT, startEmulator, type Emulator } from "../../src/cloud/local/index.js";
import { createImageEc2, type ImageEc2 } from "../../src/image/image-ec2.js";
import { buildImageOnLocalCloud, type ReadinessResult } from "../../src/image/manage.js";

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
