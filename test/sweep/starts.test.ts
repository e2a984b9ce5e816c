import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { sampleStarts } from "../../src/sweep/starts.js";

const span = { start: 1_000_000, end: 1_000_000 + 10 * 86400 };

describe("sampleStarts", () => {
  it("is the same for the same seed and differs for another", () => {
    const a = sampleStarts(7, span, 3 * 86400, 50);
    expect(sampleStarts(7, span, 3 * 86400, 50)).toEqual(a);
    expect(sampleStarts(8, span, 3 * 86400, 50)).not.toEqual(a);
    expect(new Set(a.map((w) => w.start)).size).toBeGreaterThan(40);
  });

  it("draws whole-second starts so that every window fits in the span, and 32-bit seeds", () => {
    for (const window of sampleStarts(3, span, 3 * 86400, 500)) {
      expect(Number.isInteger(window.start)).toBe(true);
      expect(window.start).toBeGreaterThanOrEqual(span.start);
      expect(window.start + 3 * 86400).toBeLessThanOrEqual(span.end);
      expect(Number.isInteger(window.seed) && window.seed >= 0 && window.seed < 2 ** 32).toBe(true);
    }
  });

  it("puts every window at the span's start when the window is exactly the span", () => {
    expect(sampleStarts(3, span, 10 * 86400, 4).map((w) => w.start)).toEqual([
      span.start,
      span.start,
      span.start,
      span.start,
    ]);
  });

  it("refuses a window longer than the span, naming --windows", () => {
    expect(() => sampleStarts(3, span, 11 * 86400, 1)).toThrow(UsageError);
    expect(() => sampleStarts(3, span, 11 * 86400, 1)).toThrow(
      "--windows: expected a window no longer than the trace span (10.00 days), found 11.00 days",
    );
  });
});
