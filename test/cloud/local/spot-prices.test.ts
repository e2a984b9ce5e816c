import { describe, expect, it } from "vitest";
import {
  recordsFromTrace,
  SpotPriceBook,
  type SpotPriceRecord,
} from "../../../src/cloud/local/spot-prices.js";
import type { Trace } from "../../../src/traces/types.js";

const H = 3_600_000;
const rec = (
  zone: string,
  type: string,
  price: number,
  hours: number,
  product = "Linux/UNIX",
): SpotPriceRecord => ({
  availabilityZone: zone,
  instanceType: type,
  productDescription: product,
  price,
  timeMs: hours * H,
});

// Records out of time order on purpose: the book sorts each series.
const records = [
  rec("z-a", "m4.large", 0.03, 2),
  rec("z-a", "m4.large", 0.01, 0),
  rec("z-a", "m4.large", 0.02, 1),
  rec("z-b", "m4.large", 0.05, 1),
  rec("z-a", "c4.large", 0.04, 1),
  rec("z-a", "m4.large", 0.5, 1, "Windows"),
  rec("z-c", "m4.large", 0.07, 0, "Linux/UNIX (Amazon VPC)"),
];

const shown = (book: SpotPriceBook, q: Parameters<SpotPriceBook["query"]>[0]) =>
  book
    .query(q)
    .map(
      ({ record: r }) =>
        `${r.availabilityZone} ${r.instanceType} ${r.productDescription} ${r.price} @${r.timeMs / H}h`,
    );

describe("recordsFromTrace", () => {
  it("turns trace seconds into record milliseconds, keeping each row's series", () => {
    const trace = {
      series: [
        { zone: "z-a", instanceType: "m4.large", product: "Linux/UNIX" },
        { zone: "z-b", instanceType: "c4.large", product: "SUSE Linux" },
      ],
      time: Float64Array.from([1.5, 3600]),
      seriesId: Uint32Array.from([1, 0]),
      price: Float64Array.from([0.2, 0.1]),
    } as unknown as Trace;
    expect(recordsFromTrace(trace)).toEqual([
      {
        availabilityZone: "z-b",
        instanceType: "c4.large",
        productDescription: "SUSE Linux",
        price: 0.2,
        timeMs: 1500,
      },
      {
        availabilityZone: "z-a",
        instanceType: "m4.large",
        productDescription: "Linux/UNIX",
        price: 0.1,
        timeMs: H,
      },
    ]);
  });
});

describe("SpotPriceBook", () => {
  const book = new SpotPriceBook(records);

  it("counts its records", () => {
    expect(book.recordCount).toBe(7);
  });

  it("answers newest first, ties in series order, nothing after now", () => {
    expect(shown(book, { nowMs: 1 * H })).toEqual([
      "z-a m4.large Linux/UNIX 0.02 @1h",
      "z-b m4.large Linux/UNIX 0.05 @1h",
      "z-a c4.large Linux/UNIX 0.04 @1h",
      "z-a m4.large Windows 0.5 @1h",
      "z-a m4.large Linux/UNIX 0.01 @0h",
      "z-c m4.large Linux/UNIX (Amazon VPC) 0.07 @0h",
    ]);
  });

  it("adds each series' last change before the start, and caps the end at now", () => {
    expect(
      shown(book, {
        nowMs: 1.5 * H,
        startMs: 0.5 * H,
        endMs: 10 * H,
        zones: ["z-a"],
        types: ["m4.large"],
        products: ["Linux/UNIX"],
      }),
    ).toEqual(["z-a m4.large Linux/UNIX 0.02 @1h", "z-a m4.large Linux/UNIX 0.01 @0h"]);
  });

  it("filters by price as EC2's spot-price filter does (numerically)", () => {
    expect(shown(book, { nowMs: 5 * H, prices: ["0.050"] })).toEqual(["z-b m4.large Linux/UNIX 0.05 @1h"]);
  });

  it("answers the same query twice with the same result (pages of one query)", () => {
    const q = { nowMs: 5 * H };
    expect(book.query(q)).toBe(book.query({ nowMs: 5 * H }));
  });

  it("prices a Linux market at a time, from the VPC product when there is no plain Linux one", () => {
    expect(book.priceAt("z-a", "m4.large", 0.5 * H)).toBe(0.01);
    expect(book.priceAt("z-a", "m4.large", 1 * H)).toBe(0.02);
    expect(book.priceAt("z-a", "m4.large", -1)).toBeUndefined();
    expect(book.priceAt("z-c", "m4.large", 3 * H)).toBe(0.07);
    expect(book.priceAt("z-x", "m4.large", 3 * H)).toBeUndefined();
  });

  it("finds the first rise above a limit after a time", () => {
    expect(book.nextPriceAbove("z-a", "m4.large", 0, 0.015)).toBe(1 * H);
    expect(book.nextPriceAbove("z-a", "m4.large", 1 * H, 0.015)).toBe(2 * H);
    expect(book.nextPriceAbove("z-a", "m4.large", 0, 0.1)).toBeUndefined();
    expect(book.nextPriceAbove("z-x", "m4.large", 0, 0)).toBeUndefined();
  });

  it("shifts every record by shiftMs, for replaying history as now", () => {
    const shifted = new SpotPriceBook([rec("z-a", "m4.large", 0.01, 0)], 5 * H);
    expect(shifted.priceAt("z-a", "m4.large", 4 * H)).toBeUndefined();
    expect(shifted.priceAt("z-a", "m4.large", 5 * H)).toBe(0.01);
    expect(shown(shifted, { nowMs: 6 * H })).toEqual(["z-a m4.large Linux/UNIX 0.01 @5h"]);
  });
});
