import { createHash } from "node:crypto";
import type { TypeGap } from "../catalog/work-unit.js";
import type { SweepSettings, VaryAxis } from "./settings.js";
import type { WindowStart } from "./starts.js";

/** Everything that defines a sweep, as recorded in its results document and hashed to recognise it. */
export interface SweepConfig {
  readonly trace: {
    readonly path: string;
    readonly sha256: string;
    readonly bytes: number;
    readonly format: string;
    /** The span windows are drawn from. */
    readonly spanStart: string;
    readonly spanEnd: string;
    readonly rowsKept: number;
    readonly series: number;
    /** The trace flags, as resolved. */
    readonly load: Readonly<Record<string, unknown>>;
  };
  /** Every item runs all of these zones; a policy's outcome is its total over them. */
  readonly zones: readonly string[];
  readonly region: string;
  readonly catalog: {
    readonly description: string;
    readonly specsFile: string | null;
    readonly workUnit: string;
    readonly skipUnknownTypes: boolean;
    /** Types of the trace left out under skipUnknownTypes, and what each lacks; absent when none. */
    readonly skippedTypes?: readonly TypeGap[];
  };
  readonly base: SweepSettings;
  readonly vary: readonly VaryAxis[];
  readonly policies: readonly { readonly name: string; readonly params: Readonly<Record<string, number>> }[];
  /**
   * What the policies need beyond prices (src/policies/inputs.ts's JSON, kept to the trace's types);
   * absent when none, so a sweep without inputs keeps the hash it had before this field.
   */
  readonly inputs?: Readonly<Record<string, unknown>>;
  /** The policy every other is paired against, window by window (one of `policies`), or null. */
  readonly baseline: string | null;
  readonly windowSeconds: number;
  readonly seed: number;
  readonly windows: readonly WindowStart[];
  readonly points: number;
  /** points × windows; item k is point ⌊k / windows⌋ on window k mod windows. */
  readonly items: number;
  /** Said with every table and report: skipped bad rows, an unpriced share of the span; absent when none. */
  readonly warnings?: readonly string[];
}

/**
 * Identifies a sweep across machines and runs: SHA-256 of the configuration without the trace's path
 * (the trace is identified by its content hash, so shards may read it from different places).
 */
export function configHash(config: SweepConfig): string {
  // JSON.stringify leaves out keys whose value is undefined.
  const withoutPath = { ...config, trace: { ...config.trace, path: undefined } };
  return createHash("sha256").update(JSON.stringify(withoutPath)).digest("hex");
}

export function itemCoordinates(config: SweepConfig, index: number): { point: number; window: number } {
  const windows = config.windows.length;
  return { point: Math.floor(index / windows), window: index % windows };
}
