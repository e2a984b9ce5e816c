import { HotspotError } from "../errors.js";
import { buildSweepDocument, type SweepDocument } from "./document.js";
import type { ItemResult } from "./item.js";
import { itemDigest } from "./item-digest.js";

/** Shard files that cannot be merged: another sweep, a missing or repeated shard, an unfinished one. */
export class MergeError extends HotspotError {
  constructor(message: string) {
    super("HOTSPOT_MERGE", message);
  }
}

/**
 * Combines the documents of every shard of one sweep into the document the unsharded sweep writes
 * (byte for byte, when the shards read the trace from the same path).
 */
export function mergeSweepDocuments(
  shards: readonly { readonly path: string; readonly document: SweepDocument }[],
): SweepDocument {
  if (shards.length === 0) throw new MergeError("no shard files given");
  const first = shards[0];
  for (const { path, document } of shards) {
    if (document.shard === null) throw new MergeError(`${path}: holds a whole sweep, not a shard`);
    if (document.configHash !== first.document.configHash) {
      throw new MergeError(
        `${path}: belongs to another sweep (config hash ${document.configHash.slice(0, 12)}…) than ${first.path} (${first.document.configHash.slice(0, 12)}…)`,
      );
    }
    if (document.tool.version !== first.document.tool.version) {
      throw new MergeError(
        `${path}: written by hotspot ${document.tool.version}, ${first.path} by ${first.document.tool.version}`,
      );
    }
    if (document.shard.count !== first.document.shard!.count) {
      throw new MergeError(
        `${path}: shard of ${document.shard.count}, ${first.path} of ${first.document.shard!.count}`,
      );
    }
  }
  const count = first.document.shard!.count;
  const byIndex = new Map<number, string>();
  for (const { path, document } of shards) {
    const earlier = byIndex.get(document.shard!.index);
    if (earlier !== undefined) {
      throw new MergeError(
        `${path} and ${earlier} overlap: both hold shard ${document.shard!.index}/${count}`,
      );
    }
    byIndex.set(document.shard!.index, path);
    if (!document.complete) {
      throw new MergeError(
        `${path}: shard ${document.shard!.index}/${count} is unfinished (${document.items.length} item(s)); finish it with --resume`,
      );
    }
  }
  const missing = Array.from({ length: count }, (_, index) => index).filter((index) => !byIndex.has(index));
  if (missing.length > 0) {
    throw new MergeError(`missing shard(s) ${missing.map((index) => `${index}/${count}`).join(", ")}`);
  }
  const items = new Map<number, ItemResult>();
  for (const { path, document } of shards) {
    for (const item of document.items) {
      if (item.digest !== itemDigest(item)) {
        throw new MergeError(
          `${path}: item ${item.index} (point ${item.point}, window ${item.window}) was altered: its content no longer matches its digest ${String(item.digest).slice(0, 12)}…; run that shard again`,
        );
      }
      if (items.has(item.index) || item.index % count !== document.shard!.index) {
        throw new MergeError(
          `${path}: item ${item.index} does not belong to shard ${document.shard!.index}/${count} alone`,
        );
      }
      items.set(item.index, item);
    }
  }
  const config = shards.find(({ document }) => document.shard!.index === 0)!.document.config;
  if (items.size !== config.items) {
    const missing = Array.from({ length: config.items }, (_, index) => index).filter(
      (index) => !items.has(index),
    );
    const named = missing
      .slice(0, 10)
      .map((index) => `${index} (shard ${index % count}: ${byIndex.get(index % count)})`);
    throw new MergeError(
      `the shards hold ${items.size} of the sweep's ${config.items} items; missing item(s) ${named.join(", ")}${missing.length > 10 ? ` and ${missing.length - 10} more` : ""}`,
    );
  }
  return buildSweepDocument({
    config,
    configHash: first.document.configHash,
    shard: null,
    expected: config.items,
    items: items.values(),
  });
}
