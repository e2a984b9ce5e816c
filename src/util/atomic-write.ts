import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, open } from "node:fs/promises";
import { dirname, basename, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";

/**
 * Write `chunks` to `path` so that readers see either the old file or the complete new one:
 * the data goes to a temporary sibling, is fsynced, then renamed over the target.
 * On any failure the temporary file is removed and nothing is left half-written.
 */
export async function writeFileAtomic(
  path: string,
  chunks: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
): Promise<void> {
  await mkdir(dirname(path) || ".", { recursive: true });
  const temporary = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${Math.floor(performance.now() * 1000)}.tmp`,
  );
  try {
    await pipeline(Readable.from(chunks), createWriteStream(temporary));
    const handle = await open(temporary, "r+");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
