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
});
