import { createHash } from "node:crypto";
import type { ItemResult } from "./item.js";

/**
 * SHA-256 (hex) of an item's content without its digest: written with every item, recomputed by
 * `merge`, so that an edited or damaged item in a shard file is named instead of merged.
 */
export function itemDigest(item: Omit<ItemResult, "digest">): string {
  const { index, point, window, start, end, seed, outcomes } = item;
  return createHash("sha256")
    .update(JSON.stringify({ index, point, window, start, end, seed, outcomes }))
    .digest("hex");
}
