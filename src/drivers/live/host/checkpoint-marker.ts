import { rm } from "node:fs/promises";
import { join } from "node:path";
import { HotspotError, shown } from "../../../errors.js";
import { writeFileAtomic } from "../../../util/atomic-write.js";

/**
 * The checkpoint's layout on the container's volume, the same for every container host: the images
 * in CHECKPOINT_DIR, complete only once COMPLETE_MARKER names the instance they were taken on.
 */
export const CHECKPOINT_DIR = "checkpoint";
export const COMPLETE_MARKER = "complete.json";
/** The marker's path from the volume's root (for debugfs, which reads an unmounted volume). */
export const MARKER_PATH = `${CHECKPOINT_DIR}/${COMPLETE_MARKER}`;
/** Where preflight's trial checkpoint goes: never mixed with a hop's images. */
export const TRIAL_DIR = "checkpoint-trial";

/** Marks the images in `imagesDir` complete, taken on `source` (atomically: never half a marker). */
export async function markComplete(imagesDir: string, source: string): Promise<void> {
  await writeFileAtomic(join(imagesDir, COMPLETE_MARKER), [`${JSON.stringify({ from: source })}\n`]);
}

/** After a restore: the images are consumed, since restoring them again would replay a stale TCP state. */
export async function consumeMarker(imagesDir: string): Promise<void> {
  await rm(join(imagesDir, COMPLETE_MARKER), { force: true });
}

/** The instance a marker's text names; null for no marker (empty text); `where` names it in errors. */
export function markerSource(text: string, where: string): string | null {
  const found = text.trim();
  if (found === "") return null;
  let parsed: { from?: unknown } | null = null;
  try {
    parsed = JSON.parse(found) as { from?: unknown };
  } catch {
    // Reported below with what was found.
  }
  if (typeof parsed?.from !== "string") {
    throw new HotspotError(
      "HOTSPOT_HOST_STATE",
      `checkpoint marker ${where}: expected {"from": "<instance id>"}, found ${shown(found)}`,
    );
  }
  return parsed.from;
}
