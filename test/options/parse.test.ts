import { describe, expect, it } from "vitest";
import {
  parseChoice,
  parseDuration,
  parseInteger,
  parseList,
  parseNumber,
  parseTime,
} from "../../src/options/parse.js";
import { UsageError } from "../../src/errors.js";

describe("parseList", () => {
  it("splits commas and concatenates repeated flags", () => {
    expect(parseList("--types", ["m4.large,c4.large", "r4.large"])).toEqual([
      "m4.large",
      "c4.large",
      "r4.large",
    ]);
    expect(parseList("--types", undefined)).toBeUndefined();
  });
  it("rejects empty items, naming the flag", () => {
    expect(() => parseList("--types", "m4.large,,c4.large")).toThrow(
      '--types: expected a comma-separated list with no empty items, found "m4.large,,c4.large"',
    );
  });
});

describe("parseTime", () => {
  it("reads dates as UTC midnight and honours offsets", () => {
    expect(parseTime("--start", "2021-03-02")).toBe(1614643200);
    expect(parseTime("--start", "2021-03-02T06:00:00Z")).toBe(1614643200 + 6 * 3600);
    expect(parseTime("--start", "2021-03-02T06:00:00+05:30")).toBe(1614643200 + 30 * 60);
    expect(parseTime("--start", "2021-03-02 06:00:00+00:00")).toBe(1614643200 + 6 * 3600);
  });
  it("rejects a date-time without zone", () => {
    expect(() => parseTime("--end", "2021-03-02T06:00:00")).toThrow(UsageError);
    expect(() => parseTime("--end", "yesterday")).toThrow(
      /--end: expected an ISO 8601 date .* found "yesterday"/,
    );
  });
  it("uses the trace parser: no rollover of 2016-02-30, no local time, minutes without seconds", () => {
    expect(() => parseTime("--start", "2016-02-30")).toThrow(
      '--start: expected an ISO 8601 date (2021-03-02, UTC) or date-time with Z or an offset (2021-03-02T06:00:00Z), found "2016-02-30" (no such date: 2016-02 has 29 days)',
    );
    expect(() => parseTime("--end", "2021-03-02T06:00")).toThrow(
      '--end: expected an ISO 8601 date (2021-03-02, UTC) or date-time with Z or an offset (2021-03-02T06:00:00Z), found "2021-03-02T06:00" (no Z or offset; add Z for UTC)',
    );
    expect(parseTime("--start", "2021-03-02T06:00Z")).toBe(1614643200 + 6 * 3600);
    expect(parseTime("--start", "2016-02-29")).toBe(Date.UTC(2016, 1, 29) / 1000);
  });
});

describe("parseDuration", () => {
  it("accepts plain seconds and units", () => {
    expect(parseDuration("--interval", "300")).toBe(300);
    expect(parseDuration("--interval", "5m")).toBe(300);
    expect(parseDuration("--windows", "30d")).toBe(30 * 86400);
    expect(parseDuration("--interval", "1.5h")).toBe(5400);
  });
  it("rejects zero, negatives and unknown units", () => {
    for (const bad of ["0", "-5", "5y", ""])
      expect(() => parseDuration("--interval", bad)).toThrow(UsageError);
  });
});

describe("parseNumber / parseInteger / parseChoice", () => {
  it("enforces ranges and wholeness", () => {
    expect(parseNumber("--memory-gib", "8", 0)).toBe(8);
    expect(() => parseNumber("--memory-gib", "-1", 0)).toThrow(
      '--memory-gib: expected a number ≥ 0, found "-1"',
    );
    expect(() => parseNumber("--x", "abc")).toThrow('--x: expected a number, found "abc"');
    expect(() => parseInteger("--seed", "1.5")).toThrow('--seed: expected a whole number, found "1.5"');
    expect(parseInteger("--seed", "42")).toBe(42);
  });
  it("lists valid registry names", () => {
    const registry = { csv: 1, json: 2 } as const;
    expect(parseChoice("--format", "json", registry)).toBe("json");
    expect(() => parseChoice("--format", "xml", registry)).toThrow(
      '--format: expected one of csv, json, found "xml"',
    );
    expect(() => parseChoice("action", undefined, registry)).toThrow(
      "action: expected one of csv, json, found none",
    );
    // A name the object has only through its prototype is no choice.
    expect(() => parseChoice("--format", "toString", registry)).toThrow('found "toString"');
  });
});
