import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it } from "vitest";

/**
 * The real traces beside the repository (`../shared/traces`). This project's CI has them; a clone used
 * elsewhere does not, so the tests that read them are skipped there, with the reason in their name.
 */
const root = fileURLToPath(new URL("../../../shared/traces/", import.meta.url));

export const hasSharedTraces = existsSync(root);

const named = (name: string) => (hasSharedTraces ? name : `${name} (skipped: ../shared/traces not found)`);

/** Absolute path of `relative` (e.g. "spot/us-east-1_2016-03-01_2016-03-21.csv") under ../shared/traces. */
export function sharedTrace(relative: string): string {
  return root + relative;
}

/** `describe` for tests that read ../shared/traces. */
export function describeWithTraces(name: string, body: () => void): void {
  describe.skipIf(!hasSharedTraces)(named(name), body);
}

/** `it` for a test that reads ../shared/traces. */
export function itWithTraces(name: string, body: () => void | Promise<void>): void {
  it.skipIf(!hasSharedTraces)(named(name), body);
}
