import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { defaultMaxUnpriced } from "../../src/options/parse.js";
import { requireRowsAfterFilters, unpricedStretches, unpricedWarnings } from "../../src/traces/coverage.js";
import { handTrace } from "../drivers/sim/fixtures.js";

const H = 3600;
// Prices from 1 h to 2 h: a window of [0, 3 h) is unpriced for its first and last hour.
const trace = handTrace(
  [
    ["z", "a.large", H, 0.1],
    ["z", "a.large", 2 * H, 0.2],
  ],
  { start: null, end: null },
);
const before = "1970-01-01T00:00:00.000Z to 1970-01-01T01:00:00.000Z (before the first price)";
const after = "1970-01-01T02:00:00.000Z to 1970-01-01T03:00:00.000Z (after the last price change)";

describe("unpricedStretches", () => {
  it("names what lies before the first price and after the last change, and their share", () => {
    expect(unpricedStretches(trace, { start: 0, end: 3 * H })).toEqual({
      share: (H + H) / (3 * H),
      stretches: [before, after],
    });
    expect(unpricedStretches(trace, { start: H, end: 2 * H })).toEqual({ share: 0, stretches: [] });
    // A window after every row is unpriced from its start: the last change lies before it.
    expect(unpricedStretches(trace, { start: 3 * H, end: 4 * H }).share).toBe(1);
  });

  it("an empty trace prices nothing", () => {
    const empty = handTrace([], { start: null, end: null });
    expect(unpricedStretches(empty, { start: 0, end: H })).toEqual({
      share: 1,
      stretches: ["1970-01-01T00:00:00.000Z to 1970-01-01T01:00:00.000Z (no price at all)"],
    });
  });
});

describe("unpricedWarnings", () => {
  it("warns under the limit, refuses over it with the flag and the stretches, says nothing when priced", () => {
    expect(defaultMaxUnpriced).toBe(0.05);
    expect(unpricedWarnings(trace, { start: H, end: 2 * H }, 0)).toEqual([]);
    expect(unpricedWarnings(trace, { start: 0, end: 3 * H }, 0.7, "window 3")).toEqual([
      `66.7% of window 3 unpriced: ${before}, ${after}; the trace has no prices there`,
    ]);
    let error: unknown;
    try {
      unpricedWarnings(trace, { start: 0, end: 3 * H }, defaultMaxUnpriced);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(
      `--start/--end: expected a window the trace prices for all but at most 5.0% of it (narrow the window, or allow more with --max-unpriced), found 66.7% of the window unpriced: ${before}, ${after}`,
    );
  });
});

describe("requireRowsAfterFilters", () => {
  it("passes a trace with rows, refuses an empty one counting each filter's rows", () => {
    expect(() => requireRowsAfterFilters(trace, {})).not.toThrow();
    const empty = handTrace([], { start: null, end: null });
    const filtered = {
      ...empty,
      report: { ...empty.report, rowsRead: 5, filteredOut: { product: 1, zone: 2, type: 1, window: 1 } },
    };
    expect(() => requireRowsAfterFilters(filtered, { zones: ["z-a", "z-b"] })).toThrow(
      "hand-made: expected rows left after the filters (--product Linux/UNIX, --zones z-a,z-b), found none of 5 rows: 1 filtered out by product, 2 by zone, 1 by type, 1 by window",
    );
    expect(() => requireRowsAfterFilters(filtered, { products: ["Windows"], types: ["m4.large"] })).toThrow(
      "(--product Windows, --types m4.large)",
    );
  });
});
