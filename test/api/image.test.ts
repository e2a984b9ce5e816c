import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  buildImage,
  deleteImage,
  listImages,
  readLiveConfig,
  recordImage,
  setupOnEc2,
  type LiveConfig,
} from "../../src/api.js";
import { startEmulator, type Emulator } from "../../src/cloud/local/index.js";
import { HotspotError } from "../../src/errors.js";
import { wallClock } from "../../src/util/clock.js";
import { spec } from "../support/setup-emulator.js";

// The image's build, list and delete in process against the EC2 emulator (wall clock, no modelled
// latency); a guest script stands in for the builder's provisioning (console, then power-off).
let emulator: Emulator;
let dir: string;
let configPath: string;
let config: LiveConfig;
beforeEach(async () => {
  process.env.AWS_ACCESS_KEY_ID = "AKIDIMAGETEST";
  process.env.AWS_SECRET_ACCESS_KEY = "image-test-secret";
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  emulator = await startEmulator({ latency: { factor: 0 } });
  dir = await mkdtemp(join(tmpdir(), "hotspot-api-image-"));
  configPath = join(dir, "hotspot.json");
  const written = await setupOnEc2(
    {
      spec: spec(),
      mode: "apply",
      configPath,
      containerName: "app",
      instanceTypes: ["m5.large", "c5.xlarge"],
      // Resolved, as the CLI gives them: the config reads back with every parameter.
      policy: { name: "greedy", params: { minSaving: 0 }, inputs: {} },
      endpoint: emulator.endpoint,
    },
    () => undefined,
    { sleep: (ms) => wallClock.sleep(Math.min(ms, 5)) },
  );
  config = written!;
});
afterEach(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

const NEWEST_DEBIAN_AMD64 = "ami-0d12a0000000000a2";

describe("setupOnEc2", () => {
  it("writes the config of what it made, which reads back the same", async () => {
    expect(config.name).toBe("t1");
    expect(config.volumeId).toMatch(/^vol-/);
    expect(await readLiveConfig(configPath)).toEqual(config);
  });
});

describe("buildImage, listImages, deleteImage, recordImage on EC2", () => {
  it("builds and records the image, lists it, deletes it leaving the config, then forgets it", async () => {
    emulator.guests.add({
      tag: "hotspot:role=image-builder",
      afterSeconds: 0,
      console: "[provision-host] ok: hotspot host ready in 512 s\nhotspot-image: ready\n",
      then: "power-off",
    });
    let text = "";
    const built = await buildImage({
      config,
      endpoint: emulator.endpoint,
      configPath,
      architecture: "x86_64",
      typesText: "m5.large, c5.xlarge",
      build: {
        cloud: "aws",
        packageSpec: "https://example.test/hotspot-0.1.0.tgz",
        nodeMajor: 26,
        builderType: "m5.large",
        timeoutSeconds: 600,
        pollSeconds: 0.02,
        consoleLines: 40,
        clock: wallClock,
      },
      out: (chunk) => (text += chunk),
    });
    expect(built.reused).toBe(false);
    expect(text).toContain(`base image: ${NEWEST_DEBIAN_AMD64} debian-12-amd64-20250610-2137 (x86_64`);
    const recorded = await readLiveConfig(configPath);
    expect(recorded.imageId).toBe(built.imageId);
    const [builder] = emulator.state.instances.values();
    const userData = Buffer.from(builder.userData ?? "", "base64").toString("utf8");
    expect(userData).toContain(`bash "$dir/provision-host.sh" 'https://example.test/hotspot-0.1.0.tgz'`);

    const place = { config: recorded, endpoint: emulator.endpoint };
    expect((await listImages(place)).map((i) => [i.id, i.architecture])).toEqual([[built.imageId, "x86_64"]]);
    const snapshot = emulator.state.images.get(built.imageId)!.blockDevices[0].snapshotId;
    const deleted = await deleteImage(place, built.imageId);
    expect([deleted.id, deleted.snapshotIds]).toEqual([built.imageId, [snapshot]]);
    expect(emulator.state.images.has(built.imageId)).toBe(false);
    // Deleting leaves the config to the caller: it still names the image until recordImage forgets it.
    expect((await readLiveConfig(configPath)).imageId).toBe(built.imageId);
    await recordImage(configPath, recorded, undefined);
    expect((await readLiveConfig(configPath)).imageId).toBeUndefined();
    expect(await listImages(place)).toEqual([]);
  });

  it("on the local cloud registers nothing and leaves the config when the host is not ready", async () => {
    let text = "";
    const criu = join(dir, "no-criu");
    await expect(
      buildImage({
        config,
        endpoint: emulator.endpoint,
        configPath,
        architecture: "x86_64",
        typesText: "m5.large, c5.xlarge",
        build: { cloud: "local", criu },
        out: (chunk) => (text += chunk),
      }),
    ).rejects.toBeInstanceOf(HotspotError);
    expect(text).toContain(`NOT ready: ${criu} check:`);
    expect(emulator.state.requestCounts.get("RegisterImage")).toBeUndefined();
    expect(await readLiveConfig(configPath)).toEqual(config);
  });
});
