import { mkdir, rm } from "node:fs/promises";
import { InputFormatError } from "../../../errors.js";
import { run } from "../../../host/run.js";
import { isMounted } from "./volumes.js";

/** `mount` arguments of a private tmpfs of at most `sizeBytes` at `dir` (whole MiB, at least one). */
export function tmpfsMountArgs(dir: string, sizeBytes: number): string[] {
  if (!Number.isFinite(sizeBytes) || sizeBytes <= 0) {
    throw new InputFormatError("memory directory size", "a positive number of bytes", String(sizeBytes));
  }
  const mib = Math.ceil(sizeBytes / 2 ** 20);
  return ["-t", "tmpfs", "-o", `size=${mib}m,mode=0700`, "tmpfs", dir];
}

/**
 * A directory in the target instance's memory (a tmpfs): checkpoint pages land there from the page
 * server and the restore reads them there, so no disk write lies between dump and restore.
 */
export async function mountMemoryDir(dir: string, sizeBytes: number): Promise<void> {
  const args = tmpfsMountArgs(dir, sizeBytes);
  await mkdir(dir, { recursive: true });
  if (!(await isMounted(dir))) await run("mount", args);
}

/** Unmounts it (its pages go with it) and removes the mount point; nothing there is no error. */
export async function removeMemoryDir(dir: string): Promise<void> {
  if (await isMounted(dir)) await run("umount", [dir]);
  await rm(dir, { recursive: true, force: true });
}
