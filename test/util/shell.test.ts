import { describe, expect, it } from "vitest";
import { shellCommandLine } from "../../src/util/shell.js";

describe("shellCommandLine", () => {
  it("leaves plain words bare", () => {
    expect(shellCommandLine(["hotspot", "report", "out/a.json", "-o", "reports/x.html"])).toBe(
      "hotspot report out/a.json -o reports/x.html",
    );
  });

  it("single-quotes words with spaces, shell syntax or nothing, escaping their quotes", () => {
    expect(shellCommandLine(["hotspot", "my run.json", "$(rm -rf ~)", "it's", ""])).toBe(
      `hotspot 'my run.json' '$(rm -rf ~)' 'it'\\''s' ''`,
    );
  });
});
