import { describe, expect, it } from "vitest";
import {
  ColumnBuilder,
  SeriesInterner,
  canonicalSeriesOrder,
  sortAndDedup,
} from "../../src/traces/columns.js";

function columns(rows: Array<[number, number, number]>) {
  const builder = new ColumnBuilder();
  for (const [series, time, price] of rows) builder.append(series, time, price);
  return builder;
}

function rowsOf(sorted: { time: Float64Array; seriesId: Uint32Array; price: Float64Array }) {
  return Array.from(sorted.time, (time, i) => [sorted.seriesId[i], time, sorted.price[i]]);
}

describe("SeriesInterner", () => {
  it("gives dense ids, finds them again, and survives growth past its initial table", () => {
    const interner = new SeriesInterner();
    const key = (i: number) => Buffer.from(`us-east-1a\tt${i}.large\tLinux/UNIX`);
    for (let i = 0; i < 5000; i++) {
      const bytes = key(i);
      expect(interner.find(bytes, bytes.length)).toBe(-1);
      expect(interner.add(bytes, bytes.length)).toBe(i);
    }
    for (const i of [0, 1, 777, 4999]) expect(interner.find(key(i), key(i).length)).toBe(i);
    expect(interner.size).toBe(5000);
    expect(interner.keys()[777]).toEqual({
      zone: "us-east-1a",
      instanceType: "t777.large",
      product: "Linux/UNIX",
    });
  });

  it("compares only the given length of the scratch buffer", () => {
    const interner = new SeriesInterner();
    const scratch = Buffer.from("a\tb\tcXXXX");
    interner.add(scratch, 5);
    expect(interner.find(Buffer.from("a\tb\tc"), 5)).toBe(0);
    expect(interner.find(Buffer.from("a\tb\tcd"), 6)).toBe(-1);
  });
});

describe("ColumnBuilder", () => {
  it("grows past its initial capacity keeping every row", () => {
    const builder = new ColumnBuilder();
    for (let i = 0; i < 200_000; i++) builder.append(i % 7, i, i / 2);
    expect(builder.length).toBe(200_000);
    expect([builder.seriesId[199_999], builder.time[199_999], builder.price[199_999]]).toEqual([
      199_999 % 7,
      199_999,
      99_999.5,
    ]);
  });
});

describe("canonicalSeriesOrder", () => {
  it("numbers series by (zone, type, product) and rewrites the ids", () => {
    const keys = [
      { zone: "us-east-1b", instanceType: "m5.large", product: "Linux/UNIX" },
      { zone: "us-east-1a", instanceType: "m5.large", product: "Windows" },
      { zone: "us-east-1a", instanceType: "m5.large", product: "Linux/UNIX" },
    ];
    const ids = Uint32Array.from([0, 1, 2, 0]);
    const sorted = canonicalSeriesOrder(keys, ids, 4);
    expect(sorted.map((key) => `${key.zone} ${key.product}`)).toEqual([
      "us-east-1a Linux/UNIX",
      "us-east-1a Windows",
      "us-east-1b Linux/UNIX",
    ]);
    expect(Array.from(ids)).toEqual([2, 1, 0, 2]);
  });
});

describe("sortAndDedup", () => {
  it("sorts arbitrary order by (time, series)", () => {
    const input = columns([
      [1, 30, 0.3],
      [0, 10, 0.1],
      [1, 10, 0.2],
      [0, 20, 0.4],
    ]);
    const sorted = sortAndDedup(input, input.length);
    expect(rowsOf(sorted)).toEqual([
      [0, 10, 0.1],
      [1, 10, 0.2],
      [0, 20, 0.4],
      [1, 30, 0.3],
    ]);
    expect([sorted.duplicatesDropped, sorted.conflictsDropped]).toEqual([0, 0]);
  });

  it("reverses newest-first input and orders equal times by series", () => {
    const input = columns([
      [0, 30, 0.3],
      [2, 20, 0.5],
      [0, 20, 0.2],
      [1, 10, 0.1],
    ]);
    expect(rowsOf(sortAndDedup(input, input.length))).toEqual([
      [1, 10, 0.1],
      [0, 20, 0.2],
      [2, 20, 0.5],
      [0, 30, 0.3],
    ]);
  });

  it("drops exact duplicates and, on conflicts, keeps the later row in file order (ascending input)", () => {
    const input = columns([
      [0, 10, 0.1],
      [0, 10, 0.2],
      [0, 10, 0.1],
      [0, 10, 0.3],
      [1, 10, 0.5],
      [1, 10, 0.5],
    ]);
    const sorted = sortAndDedup(input, input.length);
    expect(rowsOf(sorted)).toEqual([
      [0, 10, 0.3],
      [1, 10, 0.5],
    ]);
    // Series 0 keeps 0.3 over 0.1, 0.2, 0.1: one exact duplicate (0.1 twice), two overridden prices
    // (0.1, 0.2). Series 1 has one exact duplicate.
    expect([sorted.duplicatesDropped, sorted.conflictsDropped]).toEqual([2, 2]);
  });

  it("keeps the later row in file order when the input is newest first", () => {
    const input = columns([
      [0, 20, 0.9],
      [0, 10, 0.1],
      [0, 10, 0.2],
    ]);
    const sorted = sortAndDedup(input, input.length);
    expect(rowsOf(sorted)).toEqual([
      [0, 10, 0.2],
      [0, 20, 0.9],
    ]);
    expect(sorted.conflictsDropped).toBe(1);
  });

  it("keeps the later row in file order when the input is unordered", () => {
    const input = columns([
      [0, 10, 0.1],
      [0, 30, 0.9],
      [0, 20, 0.5],
      [0, 10, 0.2],
    ]);
    expect(rowsOf(sortAndDedup(input, input.length))).toEqual([
      [0, 10, 0.2],
      [0, 20, 0.5],
      [0, 30, 0.9],
    ]);
  });

  it("orders equal times by series in oldest-first input (CSV exports list a time's series in any order)", () => {
    const input = columns([
      [1, 10, 0.1],
      [0, 10, 0.2],
      [1, 10, 0.3],
      [0, 20, 0.4],
    ]);
    const sorted = sortAndDedup(input, input.length);
    expect(rowsOf(sorted)).toEqual([
      [0, 10, 0.2],
      [1, 10, 0.3],
      [0, 20, 0.4],
    ]);
    expect(sorted.conflictsDropped).toBe(1);
  });

  it("handles no rows", () => {
    const sorted = sortAndDedup(new ColumnBuilder(), 0);
    expect(sorted.time.length).toBe(0);
  });
});
