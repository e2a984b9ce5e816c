import { describe, expect, it } from "vitest";
import { parseTimestamp, parseTimestampBytes, timestampProblem } from "../../src/traces/timestamps.js";

describe("parseTimestamp", () => {
  it.each([
    "2021-03-02T01:39:04+00:00",
    "2016-03-01T00:00:35.000Z",
    "2016-03-01T00:00:35.123Z",
    "2016-03-01T00:00:35.5Z",
    "2016-03-01T00:00:35.1239Z",
    "2021-03-02 01:39:04+00:00",
    "2021-03-02T06:30:00+05:30",
    "2021-03-02T01:39:04-08:00",
    "2020-02-29T23:59:59Z",
    "2000-02-29T12:00:00Z",
    "1969-12-31T23:59:59.250Z",
    "2024-12-31T23:59:59.999+14:00",
  ])("agrees with Date.parse on %s", (text) => {
    expect(parseTimestamp(text)).toBe(Date.parse(text) / 1000);
  });

  it("honours offsets: 06:30+05:30 is 01:00Z", () => {
    expect(parseTimestamp("2021-03-02T06:30:00+05:30")).toBe(Date.UTC(2021, 2, 2, 1, 0, 0) / 1000);
    expect(parseTimestamp("2021-03-02T06:30:00+0530")).toBe(Date.UTC(2021, 2, 2, 1, 0, 0) / 1000);
  });

  it.each([
    "2021-02-29T00:00:00Z",
    "1900-02-29T00:00:00Z",
    "2021-04-31T00:00:00Z",
    "2021-13-01T00:00:00Z",
    "2021-00-01T00:00:00Z",
    "2021-01-00T00:00:00Z",
    "2021-01-01T24:00:00Z",
    "2021-01-01T00:60:00Z",
    "2021-01-01T00:00:60Z",
    "2021-01-01T00:00:00",
    "2021-01-01T00:00:00+25:00",
    "2021-01-01T00:00:00.Z",
    "2021-01-01T00:00:00Zjunk",
    "2021-01-01X00:00:00Z",
    "2021/01/01T00:00:00Z",
    "2021-01-01",
    "yesterday",
    "",
  ])("rejects %j", (text) => {
    expect(parseTimestamp(text)).toBeNaN();
  });

  it("reads a range inside a larger buffer and keeps the date cache honest across dates", () => {
    const bytes = Buffer.from("x,2021-03-02T00:00:00Z,2021-03-03T00:00:00Z,2021-03-02T00:00:01Z");
    expect(parseTimestampBytes(bytes, 2, 22)).toBe(Date.UTC(2021, 2, 2) / 1000);
    expect(parseTimestampBytes(bytes, 23, 43)).toBe(Date.UTC(2021, 2, 3) / 1000);
    expect(parseTimestampBytes(bytes, 44, 64)).toBe(Date.UTC(2021, 2, 2) / 1000 + 1);
  });
});

describe("timestampProblem", () => {
  it("names a missing offset and a day the month lacks; otherwise only the quoted text", () => {
    expect(timestampProblem("2016-03-01T00:00:00", "Q")).toBe("Q (no Z or offset; add Z for UTC)");
    expect(timestampProblem("2016-02-30T00:00:00Z", "Q")).toBe("Q (no such date: 2016-02 has 29 days)");
    expect(timestampProblem("2100-02-29T00:00:00Z", "Q")).toBe("Q (no such date: 2100-02 has 28 days)");
    expect(timestampProblem("2016-13-01T00:00:00Z", "Q")).toBe("Q (no such date: 2016-13 has no such month)");
    expect(timestampProblem("yesterday", "Q")).toBe("Q");
  });
});
