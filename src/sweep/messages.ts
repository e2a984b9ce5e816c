import { HotspotError } from "../errors.js";
import type { ItemResult } from "./item.js";

/** What a worker thread tells the pool. Errors cross as plain data: classes do not survive postMessage. */
export type FromWorker =
  | { readonly kind: "ready" }
  | { readonly kind: "result"; readonly result: ItemResult }
  | {
      readonly kind: "error";
      readonly code: string | null;
      readonly message: string;
      readonly stack: string | null;
    };

export function errorMessage(error: unknown): FromWorker {
  return {
    kind: "error",
    code: error instanceof HotspotError ? error.code : null,
    message: error instanceof Error ? error.message : String(error),
    stack: error instanceof Error ? (error.stack ?? null) : null,
  };
}

/** The error a worker reported, rebuilt on the main thread (a HotspotError keeps its code). */
export function rebuildError(message: Extract<FromWorker, { kind: "error" }>): Error {
  if (message.code !== null) return new HotspotError(message.code, message.message);
  const error = new Error(`sweep worker failed: ${message.message}`);
  if (message.stack !== null) error.stack = message.stack;
  return error;
}
