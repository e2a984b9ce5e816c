import { existsSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupAll } from "../../../../src/cloud/local/hosts/cleanup.js";
import { ensureNetns, netnsExists } from "../../../../src/cloud/local/hosts/network.js";
import { mountMemoryDir } from "../../../../src/cloud/local/hosts/memory-dir.js";
import { isMounted, loopDevices, VolumeStore } from "../../../../src/cloud/local/hosts/volumes.js";
import { processExists, waitGone } from "../../../../src/cloud/local/hosts/workload.js";
import { hostSkipReason } from "../../../support/host-env.js";

const skip = hostSkipReason();
const STATE = "/tmp/hotspot-cleanup-test";

describe.skipIf(skip !== undefined)(`cleanupAll after a crash${skip ? ` (skipped: ${skip})` : ""}`, () => {
  afterAll(async () => {
    await cleanupAll("hsc", STATE);
    await cleanupAll("hsx", STATE);
    await rm(STATE, { recursive: true, force: true });
  });

  it("finds leftovers by their tag and removes exactly those", async () => {
    await cleanupAll("hsc", STATE);
    // What a crashed run leaves: two instances, a process in one, a mounted volume on a loop device,
    // a target's memory directory (tmpfs) with pages in it.
    await ensureNetns("hsc-i-1");
    await ensureNetns("hsc-i-2");
    await ensureNetns("hsx-i-1");
    const store = new VolumeStore(STATE);
    await store.create("vol-c", 1);
    await store.attach("vol-c");
    const memoryDir = `${STATE}/xfer/vol-c-memory`;
    await mountMemoryDir(memoryDir, 2 ** 20);
    await writeFile(`${memoryDir}/pages-1.img`, "pages");
    const sleeper = execa("nsenter", ["--net=/run/netns/hsc-i-1", "sleep", "600"], {
      reject: false,
      stdio: "ignore",
    });
    const pid = sleeper.pid!;

    expect(await cleanupAll("hsc", STATE)).toEqual({
      processes: 1,
      mounts: 2,
      loopDevices: 1,
      namespaces: 2,
    });
    await waitGone(pid);
    expect(processExists(pid)).toBe(false);
    expect(await netnsExists("hsc-i-1")).toBe(false);
    expect(await netnsExists("hsc-i-2")).toBe(false);
    expect(await isMounted(store.mountPoint("vol-c"))).toBe(false);
    expect(await isMounted(memoryDir)).toBe(false);
    expect(existsSync(memoryDir)).toBe(false);
    expect((await loopDevices()).some((d) => d.backFile.startsWith(STATE))).toBe(false);
    // Another tag's namespace is left alone.
    expect(await netnsExists("hsx-i-1")).toBe(true);
    expect(await cleanupAll("hsc", STATE)).toEqual({
      processes: 0,
      mounts: 0,
      loopDevices: 0,
      namespaces: 0,
    });
    await sleeper;
  });
});
