import { describe, expect, it } from "vitest";
import { applyFilters } from "../../src/traces/filter.js";

const series = [
  { zone: "us-east-1a", instanceType: "c5.large", product: "Linux/UNIX" },
  { zone: "us-east-1a", instanceType: "m5.large", product: "Linux/UNIX" },
  { zone: "us-east-1a", instanceType: "m5.large", product: "Windows" },
  { zone: "us-east-1b", instanceType: "m5.large", product: "Linux/UNIX" },
];

// Sorted by (time, seriesId), as the loader hands them over.
const rows: Array<[number, number, number]> = [
  [0, 0, 0.1],
  [1, 0, 0.2],
  [2, 0, 0.9],
  [0, 50, 0.11],
  [3, 60, 0.3],
  [1, 100, 0.21],
  [0, 150, 0.12],
  [1, 200, 0.22],
  [3, 200, 0.31],
];
const columns = {
  seriesId: Uint32Array.from(rows, (row) => row[0]),
  time: Float64Array.from(rows, (row) => row[1]),
  price: Float64Array.from(rows, (row) => row[2]),
};

function rowsOf(result: ReturnType<typeof applyFilters>) {
  return Array.from(result.time, (time, i) => [result.seriesId[i], time, result.price[i]]);
}

describe("applyFilters", () => {
  it("returns everything untouched without filters", () => {
    const result = applyFilters(series, columns, {});
    expect(result.time).toBe(columns.time);
    expect(result.series).toBe(series);
  });

  it("counts each dropped row under the first filter it fails", () => {
    const result = applyFilters(series, columns, {
      products: ["Linux/UNIX"],
      zones: ["us-east-1a"],
      types: ["m5.large"],
    });
    expect(result.filteredOut).toEqual({ product: 1, zone: 2, type: 3, window: 0 });
    expect(result.series).toEqual([series[1]]);
    expect(rowsOf(result)).toEqual([
      [0, 0, 0.2],
      [0, 100, 0.21],
      [0, 200, 0.22],
    ]);
  });

  it("carries the last price before the window start in, re-stamped to the start, merged by series", () => {
    const result = applyFilters(series, columns, { products: ["Linux/UNIX"], start: 100, end: 200 });
    // Series 1 has a row at 100 itself: its row at 0 is not carried. Series 0 carries 0.11 (at 50),
    // dropping 0.1 (at 0); series 3 carries 0.3. Rows at 200 are at or past the end.
    expect(rowsOf(result)).toEqual([
      [0, 100, 0.11],
      [1, 100, 0.21],
      [2, 100, 0.3],
      [0, 150, 0.12],
    ]);
    expect(result.series).toEqual([series[0], series[1], series[3]]);
    expect(result.carriedIn).toBe(2);
    expect(result.filteredOut).toEqual({ product: 1, zone: 0, type: 0, window: 4 });
  });

  it("carries every series in when the window starts after the last row", () => {
    const result = applyFilters(series, columns, { products: ["Linux/UNIX"], start: 201 });
    expect(result.series).toEqual([series[0], series[1], series[3]]);
    expect(rowsOf(result)).toEqual([
      [0, 201, 0.12],
      [1, 201, 0.22],
      [2, 201, 0.31],
    ]);
    expect(result.carriedIn).toBe(3);
    expect(result.filteredOut.window).toBe(5);
  });

  it("drops series left without rows by an end-only window, and carries nothing", () => {
    const result = applyFilters(series, columns, { products: ["Linux/UNIX"], end: 50 });
    expect(rowsOf(result)).toEqual([
      [0, 0, 0.1],
      [1, 0, 0.2],
    ]);
    expect(result.filteredOut).toEqual({ product: 1, zone: 0, type: 0, window: 6 });
    expect(result.carriedIn).toBe(0);
    expect(result.series).toEqual([series[0], series[1]]);
  });
});
