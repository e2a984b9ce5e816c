import { describe, expect, it } from "vitest";
import { InputFormatError } from "../../src/errors.js";
import { RowSink, parsePriceBytes } from "../../src/traces/row-sink.js";

function price(text: string): number {
  const bytes = Buffer.from(`>${text}<`);
  return parsePriceBytes(bytes, 1, bytes.length - 1);
}

describe("parsePriceBytes", () => {
  it.each([
    "0.016200",
    "0.0162",
    "1",
    "12.5",
    "0.000001",
    "10.4700",
    "0.1",
    "0.3",
    "123456.789012",
    ".5",
    "7.",
  ])("equals Number(%j)", (text) => {
    expect(price(text)).toBe(Number(text));
  });

  it("falls back to Number beyond 15 digits and for exponents", () => {
    expect(price("0.12345678901234567")).toBe(Number("0.12345678901234567"));
    expect(price("1.5e-3")).toBe(0.0015);
  });

  it("returns negative values as negative and garbage as NaN", () => {
    expect(price("-0.01")).toBe(-0.01);
    for (const bad of ["", "abc", "0.1.2", "1,5", " 1", "0x10", "Infinity", "-", "."])
      expect(price(bad)).toBeNaN();
  });
});

describe("RowSink", () => {
  const row = (
    sink: RowSink,
    zone: string,
    type: string,
    product: string,
    usd: string,
    time: string,
    line: number,
  ) => {
    const bytes = Buffer.from([zone, type, product, usd, time].join("|"));
    const ends: number[] = [];
    for (let i = 0; i <= bytes.length; i++) if (i === bytes.length || bytes[i] === 124) ends.push(i);
    const starts = [0, ...ends.slice(0, 4).map((end) => end + 1)];
    sink.startRow();
    for (let k = 0; k < 3; k++) sink.keyPart(bytes, starts[k], ends[k]);
    sink.commit(bytes, starts[3], ends[3], bytes, starts[4], ends[4], 0, line);
  };

  it("interns series and appends columns in file order", () => {
    const sink = new RowSink("zone-name", false, (_n, line) => `f:${line}`);
    row(sink, "us-east-1a", "m5.large", "Linux/UNIX", "0.1", "2021-03-02T00:00:00Z", 1);
    row(sink, "us-east-1b", "m5.large", "Linux/UNIX", "0.2", "2021-03-02T00:00:01Z", 2);
    row(sink, "us-east-1a", "m5.large", "Linux/UNIX", "0.3", "2021-03-02T00:00:02Z", 3);
    expect(sink.rowsRead).toBe(3);
    expect(Array.from(sink.columns.seriesId.subarray(0, 3))).toEqual([0, 1, 0]);
    expect(Array.from(sink.columns.price.subarray(0, 3))).toEqual([0.1, 0.2, 0.3]);
    expect(sink.interner.keys().map((key) => key.zone)).toEqual(["us-east-1a", "us-east-1b"]);
  });

  it("refuses an empty key field, and a zone ID where zone names are expected", () => {
    const sink = new RowSink("zone-name", false, (_n, line) => `f:${line}`);
    expect(() => row(sink, "us-east-1a", "", "Linux/UNIX", "0.1", "2021-03-02T00:00:00Z", 7)).toThrow(
      new InputFormatError("f:7", "a non-empty InstanceType", '""'),
    );
    expect(() => row(sink, "use1-az4", "m5.large", "Linux/UNIX", "0.1", "2021-03-02T00:00:00Z", 8)).toThrow(
      'f:8: expected an AvailabilityZone name such as us-east-1a, found "use1-az4"',
    );
  });

  it("counts skipped rows by reason and keeps at most five examples", () => {
    const sink = new RowSink("zone-name", true, (_n, line) => `f:${line}`);
    for (let line = 1; line <= 6; line++)
      row(sink, "us-east-1a", "m5.large", "Linux/UNIX", "x", "2021-03-02T00:00:00Z", line);
    row(sink, "us-east-1a", "m5.large", "Linux/UNIX", "-1", "2021-03-02T00:00:00Z", 7);
    expect(sink.skipped.count).toBe(7);
    expect(sink.skipped.byReason).toEqual({ price: 6, "negative-price": 1 });
    expect(sink.skipped.examples).toHaveLength(5);
    expect(sink.skipped.examples[0]).toBe(
      'f:1: expected a SpotPrice in USD (a decimal number such as 0.0162), found "x"',
    );
    expect(sink.firstBadRow?.location).toBe("f:1");
    expect(sink.columns.length).toBe(0);
  });
});
