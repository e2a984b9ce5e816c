import { describe, expect, it } from "vitest";
import { parseUtilisationCsv } from "../../../src/drivers/sim/workload-csv.js";

describe("utilisation CSV", () => {
  it("reads a step profile of ISO or epoch times", () => {
    const profile = parseUtilisationCsv("time,utilisation\n0,1\n1970-01-01T01:00:00Z,0.5\n", "u.csv", 10);
    expect(profile.levelAt(10)).toBe(1);
    expect(profile.levelAt(4000)).toBe(0.5);
    expect(profile.workBetween(0, 7200, 100)).toBeCloseTo(15, 12);
  });

  it("names file and line of a bad row", () => {
    expect(() => parseUtilisationCsv("time,utilisation\n0,1\n60,1.5\n", "u.csv", 10)).toThrow(
      'u.csv:3: expected a utilisation in [0, 1], found "1.5"',
    );
    expect(() => parseUtilisationCsv("time,utilisation\n60,1\n0,1\n", "u.csv", 10)).toThrow(
      /u.csv:3: expected times in increasing order/,
    );
    expect(() => parseUtilisationCsv("when,load\n", "u.csv", 10)).toThrow(/u.csv:1/);
  });

  it("reads times with the traces' strict parser: no rollover, no machine time zone", () => {
    const expected =
      "expected a time in epoch seconds or ISO 8601 such as 2021-03-02T01:39:04+00:00 or 2016-03-01T00:00:35.000Z (a valid date and time with Z or an offset)";
    expect(() => parseUtilisationCsv("time,utilisation\n2016-02-30T00:00:00Z,0.5\n", "u.csv", 10)).toThrow(
      `u.csv:2: ${expected}, found "2016-02-30T00:00:00Z" (no such date: 2016-02 has 29 days)`,
    );
    expect(() => parseUtilisationCsv("time,utilisation\n2016-03-01T00:00:00,0.5\n", "u.csv", 10)).toThrow(
      `u.csv:2: ${expected}, found "2016-03-01T00:00:00" (no Z or offset; add Z for UTC)`,
    );
  });
});
