import { InputFormatError, UsageError } from "../errors.js";
import { isoSeconds } from "../util/iso-seconds.js";
import type { LoadOptions, Trace } from "./types.js";

/** Stretches of a simulated window the trace holds no price for, and their share of the window. */
export interface Unpriced {
  /** Unpriced seconds ÷ the window's seconds, in [0, 1]. */
  readonly share: number;
  /** Each stretch as "FROM to TO (why)", for messages. */
  readonly stretches: readonly string[];
}

/**
 * What of [start, end) lies before the trace's first price or after its last price change: there the
 * trace says nothing, and a run would price a window it never saw. Rows before `start` carry their
 * price into the window, so only the rows' first and last times matter (sorted columns: O(1)).
 */
export function unpricedStretches(trace: Trace, window: { start: number; end: number }): Unpriced {
  const span = window.end - window.start;
  const n = trace.time.length;
  if (n === 0) {
    return {
      share: 1,
      stretches: [`${isoSeconds(window.start)} to ${isoSeconds(window.end)} (no price at all)`],
    };
  }
  const first = Math.min(Math.max(trace.time[0], window.start), window.end);
  const last = Math.max(Math.min(trace.time[n - 1], window.end), window.start);
  const stretches: string[] = [];
  if (first > window.start) {
    stretches.push(`${isoSeconds(window.start)} to ${isoSeconds(first)} (before the first price)`);
  }
  if (last < window.end) {
    stretches.push(`${isoSeconds(last)} to ${isoSeconds(window.end)} (after the last price change)`);
  }
  return { share: span > 0 ? (first - window.start + (window.end - last)) / span : 0, stretches };
}

/**
 * Refuses a window (`what`: how messages call it) more than `maxShare` unpriced, naming the stretches;
 * returns the warning for a smaller unpriced share, or none.
 */
export function unpricedWarnings(
  trace: Trace,
  window: { start: number; end: number },
  maxShare: number,
  what = "the window",
): string[] {
  const unpriced = unpricedStretches(trace, window);
  if (unpriced.share === 0) return [];
  const found = `${percent(unpriced.share)} of ${what} unpriced: ${unpriced.stretches.join(", ")}`;
  if (unpriced.share > maxShare) {
    throw new UsageError(
      "--start/--end",
      `a window the trace prices for all but at most ${percent(maxShare)} of it (narrow the window, or allow more with --max-unpriced)`,
      found,
    );
  }
  return [`${found}; the trace has no prices there`];
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** Refuses a trace the filters left empty, saying how many rows each filter removed. */
export function requireRowsAfterFilters(trace: Trace, options: LoadOptions): void {
  if (trace.time.length > 0) return;
  const { filteredOut: f, rowsRead } = trace.report;
  const flags = [
    `--product ${(options.products ?? ["Linux/UNIX"]).join(",")}`,
    ...(options.zones ? [`--zones ${options.zones.join(",")}`] : []),
    ...(options.types ? [`--types ${options.types.join(",")}`] : []),
  ];
  throw new InputFormatError(
    trace.source.path,
    `rows left after the filters (${flags.join(", ")})`,
    `none of ${rowsRead} rows: ${f.product} filtered out by product, ${f.zone} by zone, ${f.type} by type, ${f.window} by window`,
  );
}
