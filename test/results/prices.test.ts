import { describe, expect, it } from "vitest";
import { columnMinima, zonePrices, type ColumnSteps } from "../../src/results/prices.js";
import { constantPath, StepPricePath } from "../../src/engine/price-paths.js";
import type { Market } from "../../src/engine/types.js";
import { Random } from "../../src/util/random.js";

/** The steps expanded to one value per column. */
function perColumn(steps: ColumnSteps, columns: number): number[] {
  const values: number[] = [];
  let i = -1;
  for (let c = 0; c < columns; c++) {
    while (i + 1 < steps.column.length && steps.column[i + 1] <= c) i++;
    values.push(i < 0 ? NaN : steps.value[i]);
  }
  return values;
}

/** The brute-force minimum over column c: the value at its start and every change inside it. */
function bruteMinima(times: number[], values: number[], start: number, end: number, columns: number) {
  const at = (t: number) => {
    let value = NaN;
    for (let i = 0; i < times.length && times[i] <= t; i++) value = values[i];
    return value;
  };
  return Array.from({ length: columns }, (_, c) => {
    const from = start + ((end - start) * c) / columns;
    const to = start + ((end - start) * (c + 1)) / columns;
    const inside = times.flatMap((t, i) => (t > from && t < to ? [values[i]] : []));
    const known = [at(from), ...inside].filter((v) => !Number.isNaN(v));
    return known.length === 0 ? NaN : Math.min(...known);
  });
}

describe("columnMinima: each column's lowest value, as steps", () => {
  it("gives the hand-computed minima of a small series", () => {
    // 10 columns of 10 s over [0, 100); a price from 15 s, a dip inside column 3, a rise in column 6.
    const steps = columnMinima([15, 31, 34, 62], [5, 2, 4, 9], 0, 100, 10);
    expect(perColumn(steps, 10)).toEqual([NaN, 5, 5, 2, 4, 4, 4, 9, 9, 9]);
    expect(steps).toEqual({ column: [0, 1, 3, 4, 7], value: [NaN, 5, 2, 4, 9] });
  });

  it("keeps a flat series (and a price carried in from before the window) as one step", () => {
    expect(columnMinima([-50, 10, 20], [3, 3, 3], 0, 100, 1000)).toEqual({ column: [0], value: [3] });
    expect(columnMinima([-Infinity], [0.4], 0, 100, 1000)).toEqual({ column: [0], value: [0.4] });
  });

  it("equals the brute-force minimum per column on 200 random series, in at most one step per column", () => {
    const random = new Random(7);
    for (let trial = 0; trial < 200; trial++) {
      const columns = random.integer(1, 40);
      const start = random.integer(-50, 50);
      const end = start + random.integer(1, 500);
      const count = random.integer(0, 60);
      const times = [
        ...new Set(Array.from({ length: count }, () => random.integer(start - 100, end + 100))),
      ].sort((a, b) => a - b);
      const values = times.map(() => Math.round(random.uniform(0, 10) * 100) / 100);
      const steps = columnMinima(times, values, start, end, columns);
      expect(perColumn(steps, columns), `trial ${trial}`).toEqual(
        bruteMinima(times, values, start, end, columns),
      );
      expect(steps.column.length).toBeLessThanOrEqual(columns);
    }
  });

  it("reduced again to fewer columns that divide them, equals the minima of the original series", () => {
    const random = new Random(11);
    const times = Array.from({ length: 5000 }, (_, i) => i * 7 + random.integer(0, 6));
    const values = times.map(() => random.uniform(0.01, 1));
    const fine = columnMinima(times, values, 0, 35000, 1280);
    const coarse = columnMinima(fine.column, fine.value, 0, 1280, 640);
    expect(coarse).toEqual(columnMinima(times, values, 0, 35000, 640));
  });
});

describe("zonePrices", () => {
  const market = (
    id: number,
    instanceType: string,
    lifecycle: Market["lifecycle"],
    memoryGiB: number,
    work: number,
  ) =>
    ({
      id,
      zone: "z",
      instanceType,
      lifecycle,
      vcpu: 2,
      memoryGiB,
      work,
      onDemandUsd: 1,
      architecture: "x86_64",
      cpuVendor: "intel",
    }) as Market;

  it("keeps the markets that fit, with the work the container gets there and null before a price", () => {
    const markets = [
      market(0, "a.large", "spot", 8, 10),
      market(1, "tiny.small", "spot", 2, 4),
      market(2, "b.xlarge", "spot", 16, 40),
      market(3, "a.large", "on-demand", 8, 10),
    ];
    const paths = [
      new StepPricePath(Float64Array.of(0, 50), Float64Array.of(0.2, 0.1)),
      new StepPricePath(Float64Array.of(0), Float64Array.of(0.01)),
      new StepPricePath(Float64Array.of(30), Float64Array.of(0.5)),
      constantPath(1),
    ];
    const document = zonePrices({
      zone: "z",
      markets,
      paths,
      window: { start: 0, end: 100 },
      memoryGiB: 8,
      demandWork: 20,
      columns: 4,
    });
    expect(document).toEqual({
      zone: "z",
      start: "1970-01-01T00:00:00.000Z",
      end: "1970-01-01T00:01:40.000Z",
      columns: 4,
      markets: [
        {
          instanceType: "a.large",
          lifecycle: "spot",
          workPerHour: 10,
          column: [0, 2],
          usdPerHour: [0.2, 0.1],
        },
        {
          instanceType: "b.xlarge",
          lifecycle: "spot",
          workPerHour: 20,
          column: [0, 1],
          usdPerHour: [null, 0.5],
        },
        { instanceType: "a.large", lifecycle: "on-demand", workPerHour: 10, column: [0], usdPerHour: [1] },
      ],
    });
  });
});
