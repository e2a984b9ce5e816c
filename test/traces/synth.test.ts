import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { builtinCatalog, TableCatalog } from "../../src/catalog/catalog.js";
import { CatalogGapError, UsageError } from "../../src/errors.js";
import { canonicalHeader } from "../../src/traces/canonical-csv.js";
import { traceStats } from "../../src/traces/info.js";
import { loadTrace } from "../../src/traces/load.js";
import { synthesizeCsv, synthesizeTrace, type SynthOptions } from "../../src/traces/synth.js";
import type { SeriesKey, Trace } from "../../src/traces/types.js";

const catalog = builtinCatalog();
const day = 86_400;
const start2016 = Date.parse("2016-03-01T00:00:00Z") / 1000;
const start2021 = Date.parse("2021-03-02T00:00:00Z") / 1000;
const volatile: SynthOptions = {
  regime: "volatile",
  days: 14,
  types: ["m3.medium", "m3.large", "m4.xlarge", "c4.2xlarge", "r3.2xlarge", "m4.4xlarge"],
  zones: ["us-east-1a", "us-east-1b"],
  start: start2016,
  seed: 7,
  catalog,
};
const smoothed: SynthOptions = {
  ...volatile,
  regime: "smoothed",
  days: 60,
  types: ["m5.large", "m5.xlarge", "c5.2xlarge", "r5.xlarge", "m4.4xlarge", "c4.large"],
  start: start2021,
};

interface Row {
  zone: string;
  type: string;
  product: string;
  price: number;
  time: number;
}

function rowsOf(csv: string): Row[] {
  const lines = csv.trimEnd().split("\n");
  expect(lines[0]).toBe(canonicalHeader);
  return lines.slice(1).map((line) => {
    const [zone, type, product, price, timestamp] = line.split(",");
    return { zone, type, product, price: Number(price), time: Date.parse(timestamp) / 1000 };
  });
}

/** A Trace over synthetic rows (already in time order), for the statistics code. */
function traceOf(rows: Row[]): Trace {
  const ids = new Map<string, number>();
  const series: SeriesKey[] = [];
  const seriesId = rows.map((row) => {
    const key = `${row.zone} ${row.type}`;
    if (!ids.has(key)) {
      ids.set(key, series.length);
      series.push({ zone: row.zone, instanceType: row.type, product: row.product });
    }
    return ids.get(key) as number;
  });
  return {
    source: { path: "synthetic", format: "csv", gzip: false, sha256: "", bytes: 0 },
    zoneKind: "zone-name",
    series,
    time: Float64Array.from(rows.map((row) => row.time)),
    seriesId: Uint32Array.from(seriesId),
    price: Float64Array.from(rows.map((row) => row.price)),
    window: { start: null, end: null },
    report: {
      rowsRead: rows.length,
      rowsKept: rows.length,
      duplicatesDropped: 0,
      filteredOut: { product: 0, zone: 0, type: 0, window: 0 },
      carriedIn: 0,
      skipped: { count: 0, byReason: {}, examples: [] },
      fromCache: false,
    },
  };
}

const text = (options: SynthOptions) => [...synthesizeCsv(options)].join("");

function onDemandOf(type: string, at: number): number {
  return catalog.onDemand(type, "us-east-1", at)?.usdPerHour as number;
}

describe("synthetic traces", () => {
  it("writes the same bytes for the same seed, different bytes for another seed", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hotspot-synth-"));
    const first = await synthesizeTrace(join(dir, "a.csv"), volatile);
    await synthesizeTrace(join(dir, "b.csv"), volatile);
    await synthesizeTrace(join(dir, "c.csv"), { ...volatile, seed: 8 });
    const [a, b, c] = await Promise.all(["a", "b", "c"].map((name) => readFile(join(dir, `${name}.csv`))));
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
    expect(first.rows).toBe(rowsOf(a.toString()).length);
    expect(first.series).toBe(12);
    expect(first.end).toBe(start2016 + 14 * day);
  });

  it("opens every series at the start, stays in time order, within the span, at 4-decimal prices", () => {
    const rows = rowsOf(text(volatile));
    const opening = rows.slice(0, 12);
    expect(opening.every((row) => row.time === start2016 && row.product === "Linux/UNIX")).toBe(true);
    expect(new Set(opening.map((row) => `${row.zone} ${row.type}`)).size).toBe(12);
    for (let i = 1; i < rows.length; i++) expect(rows[i].time).toBeGreaterThanOrEqual(rows[i - 1].time);
    expect(rows.at(-1)!.time).toBeLessThan(start2016 + 14 * day);
    expect(rows.every((row) => Math.abs(row.price * 10_000 - Math.round(row.price * 10_000)) < 1e-6)).toBe(
      true,
    );
  });

  it("gives each series its own stream: adding a zone leaves the other series' rows unchanged", () => {
    const oneZone = rowsOf(text({ ...volatile, days: 2, zones: ["us-east-1a"] }));
    const twoZones = rowsOf(text({ ...volatile, days: 2 })).filter((row) => row.zone === "us-east-1a");
    expect(twoZones).toEqual(oneZone);
  });

  it("volatile: ~100+ changes per series per day, mostly a low fraction of on-demand, spikes up to ~10x", () => {
    const rows = rowsOf(text(volatile));
    const stats = traceStats(traceOf(rows), catalog, "ecu");
    expect(stats.changesPerSeriesPerDay!.mean).toBeGreaterThan(60);
    expect(stats.changesPerSeriesPerDay!.mean).toBeLessThan(250);
    const ratios = stats.priceToOnDemand!;
    expect(ratios.median).toBeGreaterThan(0.08);
    expect(ratios.median).toBeLessThan(0.3);
    expect(ratios.min).toBeGreaterThan(0.05);
    expect(ratios.max.value).toBeGreaterThan(3);
    expect(ratios.max.value).toBeLessThanOrEqual(10.5 + 1e-4 / 0.067);
    expect(ratios.rowsAbove).toBeGreaterThan(0);
    expect(ratios.timeAbove).toBeGreaterThan(0.001);
    expect(ratios.timeAbove).toBeLessThan(0.15);
    // No series is silent for more than a day: AWS re-publishes the price daily.
    expect(stats.longestGap!.seconds).toBeLessThanOrEqual(day + 60);
  });

  it("smoothed: a few changes per series per day, never above on-demand, slow drift", () => {
    const rows = rowsOf(text(smoothed));
    const stats = traceStats(traceOf(rows), catalog, "vcpu");
    expect(stats.changesPerSeriesPerDay!.mean).toBeGreaterThan(1.5);
    expect(stats.changesPerSeriesPerDay!.mean).toBeLessThan(3.5);
    expect(stats.changesPerSeriesPerDay!.max.value).toBeLessThan(5);
    expect(rows.filter((row) => row.price > onDemandOf(row.type, start2021))).toEqual([]);
    expect(stats.priceToOnDemand!.rowsAbove).toBe(0);
    expect(stats.priceToOnDemand!.median).toBeGreaterThan(0.15);
    expect(stats.priceToOnDemand!.median).toBeLessThan(0.7);
    expect(stats.longestGap!.seconds).toBeLessThanOrEqual(day + 60);
    const last = new Map<string, number>();
    let bigSteps = 0;
    for (const row of rows) {
      const key = `${row.zone} ${row.type}`;
      const before = last.get(key);
      if (before !== undefined && Math.abs(row.price / before - 1) > 0.1) bigSteps++;
      last.set(key, row.price);
    }
    expect(bigSteps).toBe(0);
  });

  it("draws prices relative to the on-demand snapshot in force at the start", () => {
    const twoEras = new TableCatalog(
      [
        {
          type: "x9.large",
          vcpu: 2,
          memoryGiB: 8,
          ecu: 8,
          architecture: "x86_64",
          cpuVendor: "intel",
          cpuClass: null,
        },
      ],
      [
        { type: "x9.large", region: "us-east-1", usdPerHour: 1, asOf: "2016-01-01" },
        { type: "x9.large", region: "us-east-1", usdPerHour: 100, asOf: "2020-01-01" },
      ],
      "two eras",
    );
    const era = (start: number) =>
      rowsOf(text({ ...smoothed, days: 10, types: ["x9.large"], start, catalog: twoEras })).map(
        (row) => row.price,
      );
    expect(Math.max(...era(start2016))).toBeLessThanOrEqual(1);
    expect(Math.min(...era(start2021))).toBeGreaterThanOrEqual(10);
  });

  it("streams: the first chunks of a 100,000-day trace come without generating the rest", () => {
    const chunks = synthesizeCsv({ ...volatile, days: 100_000 });
    expect(chunks.next().value).toBe(`${canonicalHeader}\n`);
    const rows = (chunks.next().value as string).trimEnd().split("\n");
    expect(rows).toHaveLength(2048);
    chunks.return(undefined);
  });

  it("leaves out types without an on-demand price in any zone's region under skipUnknownTypes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hotspot-synth-skip-"));
    const options = {
      ...volatile,
      days: 1,
      types: ["d2.xlarge", "m3.medium", "zz.large"],
      zones: ["sa-east-1a", "us-east-1a"],
    };
    const summary = await synthesizeTrace(join(dir, "s.csv"), { ...options, skipUnknownTypes: true });
    expect([summary.series, summary.skipped]).toEqual([2, ["d2.xlarge", "zz.large"]]);
    const rows = rowsOf(await readFile(join(dir, "s.csv"), "utf8"));
    expect(new Set(rows.map((row) => `${row.zone} ${row.type}`))).toEqual(
      new Set(["sa-east-1a m3.medium", "us-east-1a m3.medium"]),
    );
    expect(summary.rows).toBe(rows.length);
  });

  it("fails naming the types without an on-demand price, and unknown zones", () => {
    expect(() => synthesizeCsv({ ...volatile, types: ["m3.medium", "zz.large", "yy.large"] })).toThrow(
      new CatalogGapError(["yy.large", "zz.large"], "us-east-1 on-demand price"),
    );
    expect(() =>
      synthesizeCsv({ ...volatile, types: ["m3.medium", "d2.xlarge"], zones: ["sa-east-1a", "us-east-1a"] }),
    ).toThrow(new CatalogGapError(["d2.xlarge"], "sa-east-1 on-demand price"));
    expect(() => synthesizeCsv({ ...volatile, types: ["zz.large"], skipUnknownTypes: true })).toThrow(
      new CatalogGapError(["zz.large"], "us-east-1 on-demand price"),
    );
    expect(() => text({ ...volatile, zones: ["mars-1a"] })).toThrow(UsageError);
    expect(() => text({ ...volatile, days: 0 })).toThrow(UsageError);
    expect(() => text({ ...volatile, types: [] })).toThrow(UsageError);
  });
});

describe("synthetic traces against the real ones (../shared/traces)", () => {
  const spot = (name: string) =>
    fileURLToPath(new URL(`../../../shared/traces/spot/${name}`, import.meta.url));

  async function compare(real: string, regime: SynthOptions["regime"], days: number, start: number) {
    const realStats = traceStats(await loadTrace(spot(real), { cacheDir: false }), catalog, "vcpu");
    const synthetic = rowsOf(
      text({ ...volatile, regime, days, start, types: realStats.types, zones: realStats.zones, seed: 1 }),
    );
    return { real: realStats, synthetic: traceStats(traceOf(synthetic), catalog, "vcpu") };
  }

  it("volatile resembles March 2016: change rate, typical price, spikes above on-demand", async () => {
    const { real, synthetic } = await compare(
      "us-east-1_2016-03-01_2016-03-21.csv",
      "volatile",
      21,
      start2016,
    );
    const ratio = (a: number, b: number) => a / b;
    expect(ratio(synthetic.changesPerSeriesPerDay!.mean, real.changesPerSeriesPerDay!.mean)).toBeGreaterThan(
      0.6,
    );
    expect(ratio(synthetic.changesPerSeriesPerDay!.mean, real.changesPerSeriesPerDay!.mean)).toBeLessThan(
      1.6,
    );
    expect(ratio(synthetic.priceToOnDemand!.median, real.priceToOnDemand!.median)).toBeGreaterThan(0.75);
    expect(ratio(synthetic.priceToOnDemand!.median, real.priceToOnDemand!.median)).toBeLessThan(1.25);
    for (const stats of [real, synthetic]) {
      expect(stats.priceToOnDemand!.max.value).toBeGreaterThan(5);
      expect(stats.priceToOnDemand!.timeAbove).toBeGreaterThan(0.01);
      expect(stats.priceToOnDemand!.timeAbove).toBeLessThan(0.1);
    }
  });

  it("smoothed resembles March–May 2021: change rate, typical price, never above on-demand", async () => {
    const { real, synthetic } = await compare(
      "us-east-1_2021-03-02_2021-05-31.csv",
      "smoothed",
      90,
      start2021,
    );
    const ratio = (a: number, b: number) => a / b;
    expect(ratio(synthetic.changesPerSeriesPerDay!.mean, real.changesPerSeriesPerDay!.mean)).toBeGreaterThan(
      0.8,
    );
    expect(ratio(synthetic.changesPerSeriesPerDay!.mean, real.changesPerSeriesPerDay!.mean)).toBeLessThan(
      1.25,
    );
    expect(ratio(synthetic.priceToOnDemand!.median, real.priceToOnDemand!.median)).toBeGreaterThan(0.75);
    expect(ratio(synthetic.priceToOnDemand!.median, real.priceToOnDemand!.median)).toBeLessThan(1.25);
    for (const stats of [real, synthetic]) {
      expect(stats.priceToOnDemand!.rowsAbove).toBe(0);
      expect(stats.longestGap!.seconds).toBeLessThanOrEqual(86_400 + 60);
    }
  });
});
