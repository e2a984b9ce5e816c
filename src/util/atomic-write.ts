import { createWriteStream, rmSync } from "node:fs";
import { mkdir, rename, rm, open, stat } from "node:fs/promises";
import { dirname, basename, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { OutputError } from "../errors.js";
import { fsReason, isFsError } from "./fs-errors.js";

// Temporary files being written, so that a signal handler can remove them before the process dies.
const pending = new Set<string>();

/** Removes every temporary file still being written (synchronously: for SIGINT/SIGTERM handlers). */
export function removePendingTemporaryFiles(): void {
  for (const path of pending) rmSync(path, { force: true });
  pending.clear();
}

/**
 * Write `chunks` to `path` so that readers see either the old file or the complete new one:
 * the data goes to a temporary sibling, is fsynced, then renamed over the target.
 * On any failure the temporary file is removed and nothing is left half-written. A read-only
 * target is never replaced; file-system failures are OutputErrors naming the path.
 */
export async function writeFileAtomic(
  path: string,
  chunks: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
): Promise<void> {
  const temporary = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${Math.floor(performance.now() * 1000)}.tmp`,
  );
  try {
    await mkdir(dirname(path) || ".", { recursive: true });
    pending.add(temporary);
    await pipeline(Readable.from(chunks), createWriteStream(temporary));
    const handle = await open(temporary, "r+");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    const target = await stat(path).catch(() => undefined);
    if (target?.isDirectory()) throw new OutputError(path, "cannot write (is a directory)");
    if (target !== undefined && (target.mode & 0o222) === 0) {
      throw new OutputError(path, "cannot write (a read-only file, which hotspot does not replace)");
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    if (isFsError(error)) throw new OutputError(path, `cannot write (${fsReason(error)})`, { cause: error });
    throw error;
  } finally {
    pending.delete(temporary);
  }
}
