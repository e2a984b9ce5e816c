import { describe, expect, it } from "vitest";
import { builtinCatalog } from "../../src/catalog/catalog.js";
import { traceStats } from "../../src/traces/info.js";
import type { IngestReport, SeriesKey, Trace } from "../../src/traces/types.js";

const t0 = Date.parse("2016-03-01T00:00:00Z") / 1000;
const report: IngestReport = {
  rowsRead: 9,
  rowsKept: 8,
  duplicatesDropped: 1,
  filteredOut: { product: 0, zone: 0, type: 0, window: 0 },
  carriedIn: 0,
  skipped: { count: 0, byReason: {}, examples: [] },
  fromCache: false,
};

function traceOf(series: SeriesKey[], rows: [number, number, number][]): Trace {
  return {
    source: { path: "hand.csv", format: "csv", gzip: false, sha256: "0".repeat(64), bytes: 123 },
    zoneKind: "zone-name",
    series,
    time: Float64Array.from(rows.map((row) => row[0])),
    seriesId: Uint32Array.from(rows.map((row) => row[1])),
    price: Float64Array.from(rows.map((row) => row[2])),
    window: { start: null, end: null },
    report,
  };
}

const a = { zone: "us-east-1a", instanceType: "m4.large", product: "Linux/UNIX" };
const b = { zone: "us-east-1a", instanceType: "c4.large", product: "Linux/UNIX" };
const c = { zone: "us-east-1b", instanceType: "zz.unknown", product: "Linux/UNIX" };
// On-demand 2016-04-18: m4.large 0.12, c4.large 0.105.
const handTrace = traceOf(
  [a, b, c],
  [
    [t0, 0, 0.012],
    [t0, 1, 0.021],
    [t0, 2, 0.5],
    [t0 + 3600, 0, 0.024],
    [t0 + 7200, 1, 0.042],
    [t0 + 86400, 0, 0.24],
    [t0 + 172800, 0, 0.012],
    [t0 + 172800, 2, 0.6],
  ],
);

describe("trace statistics", () => {
  const stats = traceStats(handTrace, builtinCatalog(), "ecu");

  it("reports span, counts and the names in the trace", () => {
    expect(stats.file).toEqual({ path: "hand.csv", format: "csv", gzip: false, bytes: 123 });
    expect(stats.span).toEqual({
      first: "2016-03-01T00:00:00.000Z",
      last: "2016-03-03T00:00:00.000Z",
      days: 2,
    });
    expect([stats.rows, stats.series]).toEqual([8, 3]);
    expect(stats.zones).toEqual(["us-east-1a", "us-east-1b"]);
    expect(stats.zoneKind).toBe("zone-name");
    expect(stats.types).toEqual(["c4.large", "m4.large", "zz.unknown"]);
    expect(stats.products).toEqual(["Linux/UNIX"]);
    expect(stats.ingest).toBe(report);
  });

  it("counts changes per series per day over the span, with the slowest and busiest series", () => {
    // 8 rows / 3 series / 2 days; m4.large has 4 rows, c4.large and zz.unknown 2 (the first one wins).
    expect(stats.changesPerSeriesPerDay).toEqual({
      mean: 8 / 3 / 2,
      min: { value: 1, series: b },
      max: { value: 2, series: a },
    });
  });

  it("measures price ÷ on-demand with a time-weighted median, leaving out (and listing) types without a price", () => {
    const ratios = stats.priceToOnDemand!;
    // Held: 0.1 for 3600 s (+0.1 for 0 s at the end), 0.2 for 7200 + 82800 s, 0.4 for 165600 s,
    // 2.0 for 86400 s: total 345600, half reached within the 0.4s.
    expect(ratios.min).toBeCloseTo(0.1, 12);
    expect(ratios.median).toBeCloseTo(0.4, 12);
    expect(ratios.max.value).toBeCloseTo(2, 12);
    expect(ratios.max.series).toEqual(a);
    expect(ratios.max.at).toBe("2016-03-02T00:00:00.000Z");
    expect(ratios.rowsAbove).toBe(1);
    expect(ratios.timeAbove).toBe(86400 / 345600);
    expect(ratios.snapshots).toEqual(["2016-04-18"]);
    expect(stats.typesWithoutOnDemand).toEqual(["zz.unknown"]);
    expect(stats.catalog).toBe(builtinCatalog().description);
  });

  it("finds the longest gap between two changes of one series", () => {
    expect(stats.longestGap).toEqual({
      seconds: 172800,
      series: c,
      from: "2016-03-01T00:00:00.000Z",
      to: "2016-03-03T00:00:00.000Z",
    });
  });

  it("lists the types without the work unit", () => {
    expect(stats.workUnit).toEqual({ unit: "ecu", typesWithout: ["zz.unknown"] });
    const m5 = traceOf(
      [{ ...a, instanceType: "m5.large" }, a],
      [
        [t0, 0, 0.03],
        [t0, 1, 0.02],
      ],
    );
    expect(traceStats(m5, builtinCatalog(), "ecu").workUnit.typesWithout).toEqual(["m5.large"]);
    expect(traceStats(m5, builtinCatalog(), "vcpu").workUnit.typesWithout).toEqual([]);
  });

  it("takes the plain median when no time passes, and has no rates for a zero span", () => {
    const instant = traceOf(
      [a, b],
      [
        [t0, 0, 0.012],
        [t0, 1, 0.042],
      ],
    );
    const stats0 = traceStats(instant, builtinCatalog(), "ecu");
    expect(stats0.priceToOnDemand?.median).toBeCloseTo((0.1 + 0.4) / 2, 12);
    expect(stats0.priceToOnDemand?.timeAbove).toBe(0);
    expect(stats0.changesPerSeriesPerDay).toBeNull();
    expect(stats0.longestGap).toBeNull();
  });

  it("handles an empty trace", () => {
    const empty = traceStats(traceOf([], []), builtinCatalog(), "ecu");
    expect(empty.span).toEqual({ first: null, last: null, days: 0 });
    expect([empty.rows, empty.changesPerSeriesPerDay, empty.priceToOnDemand, empty.longestGap]).toEqual([
      0,
      null,
      null,
      null,
    ]);
  });
});
