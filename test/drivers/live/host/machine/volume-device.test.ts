import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HostCommandError } from "../../../../../src/host/run.js";
import { UsageError } from "../../../../../src/errors.js";
import {
  deviceCandidates,
  mountedSource,
  mountVolume,
  unmountVolume,
  UnmountBusyError,
  VolumeDeviceTimeoutError,
  waitForVolumeDevice,
} from "../../../../../src/drivers/live/host/machine/volume-device.js";
import { fakeClock, NOT_MOUNTED, recordingRunner } from "../../../../support/recording-runner.js";

const FINDMNT = (mountPoint: string) => [
  "findmnt",
  "--noheadings",
  "--output",
  "SOURCE",
  "--mountpoint",
  mountPoint,
];
const BUSY = { exit: 32, stderr: "umount: /data: target is busy." };

describe("deviceCandidates", () => {
  it("names the Nitro NVMe link (volume id without its dash), then the Xen names of the attach device", () => {
    expect(deviceCandidates("vol-0abc1234def567890", "/dev/sdf")).toEqual([
      "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0abc1234def567890",
      "/dev/xvdf",
      "/dev/sdf",
    ]);
    expect(deviceCandidates("vol-12345678", "xvdg", "/tmp/dev")).toEqual([
      "/tmp/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol12345678",
      "/tmp/dev/xvdg",
      "/tmp/dev/sdg",
    ]);
    expect(deviceCandidates("vol-12345678", "/dev/sdba")[1]).toBe("/dev/xvdba");
  });

  it("rejects a malformed volume id or device name, saying what was expected", () => {
    expect(() => deviceCandidates("vol0abc12345", "/dev/sdf")).toThrow(
      new UsageError("volume id", "vol- followed by 8 to 17 hex digits", '"vol0abc12345"'),
    );
    expect(() => deviceCandidates("vol-0ABC1234", "/dev/sdf")).toThrow(UsageError);
    expect(() => deviceCandidates("vol-12345678", "/dev/nvme1n1")).toThrow(
      'volume device name: expected /dev/sdX or /dev/xvdX (X: 1-2 letters), found "/dev/nvme1n1"',
    );
  });
});

describe("waitForVolumeDevice (fake clock and fake device directory)", () => {
  it("polls until a candidate exists and returns that path", async () => {
    const clock = fakeClock();
    const looked: string[] = [];
    const exists = async (path: string) => {
      looked.push(path);
      return path === "/dev/xvdf" && clock.sleeps.length >= 2;
    };
    const device = await waitForVolumeDevice("vol-12345678", "/dev/sdf", { clock, exists, pollMs: 100 });
    expect(device).toBe("/dev/xvdf");
    expect(clock.sleeps).toEqual([100, 100]);
    // Two full rounds of three candidates, then the NVMe link and the Xen name of the third round.
    expect(looked.length).toBe(8);
  });

  it("times out with a stable code naming the volume, the paths tried and the wait", async () => {
    const clock = fakeClock();
    const error = await waitForVolumeDevice("vol-12345678", "/dev/sdf", {
      clock,
      exists: async () => false,
      timeoutMs: 1_000,
      pollMs: 250,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VolumeDeviceTimeoutError);
    const timeout = error as VolumeDeviceTimeoutError;
    expect(timeout.code).toBe("HOTSPOT_VOLUME_DEVICE_TIMEOUT");
    expect(timeout.tried).toEqual(deviceCandidates("vol-12345678", "/dev/sdf"));
    expect(timeout.message).toBe(
      "volume vol-12345678: no block device after 1 s; tried /dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol12345678, /dev/xvdf, /dev/sdf",
    );
    // Checks at 0, 250, 500, 750 and 1000 ms: four sleeps.
    expect(clock.sleeps).toEqual([250, 250, 250, 250]);
  });
});

describe("mount and unmount (recorded commands, no host)", () => {
  let dir: string;
  let mountPoint: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "hotspot-hsmach-unit-"));
    mountPoint = join(dir, "mnt", "volume");
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("mounts an unmounted volume (creating the mount point) with ext4", async () => {
    const { calls, runner } = recordingRunner((file) => (file === "findmnt" ? NOT_MOUNTED : ""));
    expect(await mountVolume(runner, "/dev/xvdf", mountPoint)).toBe("mounted");
    expect(calls).toEqual([FINDMNT(mountPoint), ["mount", "-t", "ext4", "/dev/xvdf", mountPoint]]);
    expect((await stat(mountPoint)).isDirectory()).toBe(true);
  });

  it("leaves a volume already mounted there alone", async () => {
    const { calls, runner } = recordingRunner(() => "/dev/nvme1n1");
    expect(await mountVolume(runner, "/dev/xvdf", mountPoint)).toBe("already mounted");
    expect(calls).toEqual([FINDMNT(mountPoint)]);
  });

  it("findmnt failing otherwise than 'nothing mounted' is an error, not 'unmounted'", async () => {
    const { runner } = recordingRunner(() => ({
      exit: 2,
      stderr: "findmnt: cannot read /proc/self/mountinfo",
    }));
    await expect(mountedSource(runner, mountPoint)).rejects.toBeInstanceOf(HostCommandError);
  });

  it("flushes, then unmounts; nothing mounted is a no-op", async () => {
    const mounted = recordingRunner((file) => (file === "findmnt" ? "/dev/nvme1n1" : ""));
    expect(await unmountVolume(mounted.runner, "/data")).toBe("unmounted");
    expect(mounted.calls).toEqual([FINDMNT("/data"), ["sync"], ["umount", "/data"]]);
    const unmounted = recordingRunner(() => NOT_MOUNTED);
    expect(await unmountVolume(unmounted.runner, "/data")).toBe("not mounted");
    expect(unmounted.calls).toEqual([FINDMNT("/data")]);
  });

  it("retries a busy unmount after a short wait, never lazily", async () => {
    let busy = 2;
    const { calls, runner } = recordingRunner((file) => {
      if (file === "findmnt") return "/dev/nvme1n1";
      if (file === "umount" && busy-- > 0) return BUSY;
      return "";
    });
    const clock = fakeClock();
    expect(await unmountVolume(runner, "/data", { clock, retryMs: 150 })).toBe("unmounted");
    expect(calls).toEqual([
      FINDMNT("/data"),
      ["sync"],
      ["umount", "/data"],
      ["umount", "/data"],
      ["umount", "/data"],
    ]);
    expect(clock.sleeps).toEqual([150, 150]);
  });

  it("a filesystem busy through every attempt fails clearly, still mounted (no lazy unmount)", async () => {
    const { calls, runner } = recordingRunner((file) =>
      file === "findmnt" ? "/dev/nvme1n1" : file === "umount" ? BUSY : "",
    );
    const clock = fakeClock();
    const error = await unmountVolume(runner, "/data", { clock, attempts: 3, retryMs: 100 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnmountBusyError);
    expect((error as UnmountBusyError).code).toBe("HOTSPOT_UNMOUNT_BUSY");
    expect((error as UnmountBusyError).message).toBe(
      "unmount /data: target still busy after 3 attempts (find the holders with `fuser -vm /data`); the volume must not be detached while mounted",
    );
    expect(calls).toEqual([
      FINDMNT("/data"),
      ["sync"],
      ["umount", "/data"],
      ["umount", "/data"],
      ["umount", "/data"],
    ]);
    expect(clock.sleeps).toEqual([100, 100]);
  });

  it("an unmount failing for another reason is not retried", async () => {
    const { calls, runner } = recordingRunner((file) =>
      file === "findmnt"
        ? "/dev/nvme1n1"
        : file === "umount"
          ? { exit: 1, stderr: "umount: /data: must be superuser" }
          : "",
    );
    await expect(unmountVolume(runner, "/data", { clock: fakeClock() })).rejects.toThrow("must be superuser");
    expect(calls.filter((c) => c[0] === "umount").length).toBe(1);
  });
});
