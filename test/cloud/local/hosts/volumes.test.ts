import { open, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll } from "../../../../src/cloud/local/hosts/cleanup.js";
import { HostCommandError, run } from "../../../../src/host/run.js";
import { isMounted, loopDevices, VolumeStore } from "../../../../src/cloud/local/hosts/volumes.js";
import { hostSkipReason } from "../../../support/host-env.js";

const skip = hostSkipReason();
const STATE = "/tmp/hotspot-volumes-test";
const P = "hsv";

describe.skipIf(skip !== undefined)(
  `EBS volumes as ext4 images on loop devices${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    const store = new VolumeStore(STATE);
    beforeAll(async () => {
      await cleanupAll(P, STATE);
      await store.create("vol-1", 2);
    });
    afterAll(async () => {
      await cleanupAll(P, STATE);
      await rm(STATE, { recursive: true, force: true });
    });

    it("creates a sparse ext4 image of the requested size", async () => {
      expect(await run("stat", ["--format", "%s", store.imagePath("vol-1")])).toBe(String(2 * 1024 ** 3));
      expect(await run("blkid", ["-o", "value", "-s", "TYPE", store.imagePath("vol-1")])).toBe("ext4");
      expect(await store.loopDevice("vol-1")).toBeUndefined();
    });

    it("attaches to a loop device, mounted at the volume's fixed path; data survives detach and re-attach", async () => {
      const device = await store.attach("vol-1");
      expect(device).toMatch(/^\/dev\/loop\d+$/);
      expect(await loopDevices()).toContainEqual({ name: device, backFile: store.imagePath("vol-1") });
      expect(await isMounted(store.mountPoint("vol-1"))).toBe(true);
      await writeFile(join(store.mountPoint("vol-1"), "data.txt"), "kept\n");
      expect(await store.attach("vol-1")).toBe(device);
      await store.detach("vol-1", false);
      expect(await isMounted(store.mountPoint("vol-1"))).toBe(false);
      expect(await store.loopDevice("vol-1")).toBeUndefined();
      await store.attach("vol-1");
      expect(await readFile(join(store.mountPoint("vol-1"), "data.txt"), "utf8")).toBe("kept\n");
    });

    it("refuses a plain detach while a file is open on the volume, and a forced one detaches lazily", async () => {
      const handle = await open(join(store.mountPoint("vol-1"), "data.txt"), "r");
      try {
        await expect(store.detach("vol-1", false)).rejects.toThrow(HostCommandError);
        expect(await isMounted(store.mountPoint("vol-1"))).toBe(true);
        await store.detach("vol-1", true);
        expect(await isMounted(store.mountPoint("vol-1"))).toBe(false);
        expect(await handle.readFile("utf8")).toBe("kept\n");
      } finally {
        await handle.close();
      }
    });
  },
);
