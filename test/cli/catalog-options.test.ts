import { describe, expect, it } from "vitest";
import { catalogOptionsFromArgs } from "../../src/cli/catalog-options.js";

describe("catalogOptionsFromArgs", () => {
  it("validates the catalog flags into typed values", () => {
    expect(() => catalogOptionsFromArgs({ specs: " " })).toThrow(
      '--specs: expected a CSV file path, found ""',
    );
    expect(catalogOptionsFromArgs({})).toEqual({
      specsFile: undefined,
      workUnit: "ecu",
      skipUnknownTypes: false,
    });
    expect(catalogOptionsFromArgs({ specs: "s.csv", workUnit: "score", skipUnknownTypes: true })).toEqual({
      specsFile: "s.csv",
      workUnit: "score",
      skipUnknownTypes: true,
    });
  });
});
