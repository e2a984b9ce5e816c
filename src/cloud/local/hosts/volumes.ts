import { mkdir, open, rm, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { run } from "../../../host/run.js";

/**
 * EBS volumes as ext4 images on loop devices. A volume attached to an instance is mounted at
 * `mountPoint(volumeId)`: the same path whichever instance holds it, as a guest mounts its data
 * volume at one fixed path, so files a container keeps open there reopen after a move.
 */
export class VolumeStore {
  constructor(readonly stateDir: string) {}

  imagePath(volumeId: string): string {
    return join(this.stateDir, "volumes", `${volumeId}.img`);
  }

  mountPoint(volumeId: string): string {
    return join(this.stateDir, "mnt", volumeId);
  }

  /** A sparse image of `sizeGiB`, formatted ext4 (lazily, so even large volumes are made in a second). */
  async create(volumeId: string, sizeGiB: number): Promise<void> {
    const image = this.imagePath(volumeId);
    await mkdir(join(this.stateDir, "volumes"), { recursive: true });
    const handle = await open(image, "w");
    try {
      await handle.truncate(sizeGiB * 1024 ** 3);
    } finally {
      await handle.close();
    }
    await run("mkfs.ext4", [
      "-q",
      "-F",
      "-L",
      volumeId.slice(0, 16),
      "-E",
      "lazy_itable_init=1,lazy_journal_init=1",
      image,
    ]);
  }

  async delete(volumeId: string): Promise<void> {
    await rm(this.imagePath(volumeId), { force: true });
  }

  /** The loop device currently backed by the volume's image, if any. */
  async loopDevice(volumeId: string): Promise<string | undefined> {
    return (await loopDevices()).find((d) => d.backFile === this.imagePath(volumeId))?.name;
  }

  /** Attaches the image to a loop device and mounts it; idempotent. Returns the loop device. */
  async attach(volumeId: string): Promise<string> {
    const device =
      (await this.loopDevice(volumeId)) ??
      (await run("losetup", ["--find", "--show", this.imagePath(volumeId)]));
    const target = this.mountPoint(volumeId);
    await mkdir(target, { recursive: true });
    if (!(await isMounted(target))) await run("mount", ["-t", "ext4", device, target]);
    return device;
  }

  /** Unmounts and frees the loop device. `force` unmounts lazily instead of failing when busy. */
  async detach(volumeId: string, force: boolean): Promise<void> {
    const target = this.mountPoint(volumeId);
    if (await isMounted(target)) await run("umount", force ? ["-l", target] : [target]);
    await rmdir(target).catch(() => undefined);
    const device = await this.loopDevice(volumeId);
    if (device === undefined) return;
    // A device detached earlier while busy is marked autoclear and may vanish on its own meanwhile.
    await run("losetup", ["-d", device]).catch(async (err) => {
      if ((await this.loopDevice(volumeId)) === device) throw err;
    });
  }
}

export interface LoopDevice {
  readonly name: string;
  readonly backFile: string;
}

export async function loopDevices(): Promise<LoopDevice[]> {
  const out = await run("losetup", ["--list", "--json", "--output", "NAME,BACK-FILE"]);
  if (out === "") return [];
  const parsed = JSON.parse(out) as { loopdevices: { name: string; "back-file": string | null }[] };
  return parsed.loopdevices.map((d) => ({ name: d.name, backFile: (d["back-file"] ?? "").trim() }));
}

export async function isMounted(path: string): Promise<boolean> {
  const out = await run("findmnt", ["--noheadings", "--output", "TARGET", "--mountpoint", path]).catch(
    () => "",
  );
  return out !== "";
}
