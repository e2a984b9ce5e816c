import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { UsageError, shown } from "../errors.js";

/** No write bit at all: read-only for everyone, root included (root's access() check would pass). */
function readOnlyMode(mode: number): boolean {
  return (mode & 0o222) === 0;
}

async function writable(path: string, mode: number): Promise<boolean> {
  if (readOnlyMode(mode)) return false;
  return access(path, constants.W_OK).then(
    () => true,
    () => false,
  );
}

/**
 * Checks, before any work, that `path` (given by `flag`) can be written: its folder exists and is
 * writable, and it is not a directory or a read-only file (which hotspot refuses to replace).
 */
export async function checkOutputPath(flag: string, path: string): Promise<void> {
  const expected = "a file path in an existing, writable folder";
  const refuse = (why: string) => new UsageError(flag, expected, `${shown(path)} (${why})`);
  const target = await stat(path).catch(() => undefined);
  if (target !== undefined) {
    if (target.isDirectory()) throw refuse("a directory");
    if (!(await writable(path, target.mode)))
      throw refuse("a read-only file, which hotspot does not replace");
  }
  const folder = dirname(path) || ".";
  const parent = await stat(folder).catch(() => undefined);
  if (parent === undefined) throw refuse(`its folder ${folder} does not exist`);
  if (!parent.isDirectory()) throw refuse(`${folder} is not a folder`);
  if (!(await writable(folder, parent.mode))) throw refuse(`its folder ${folder} is not writable`);
}
