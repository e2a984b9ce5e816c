import { describe, expect, it } from "vitest";
import {
  CatalogGapError,
  CloudApiError,
  HotspotError,
  InputFormatError,
  InputReadError,
  OutputError,
  UnknownNameError,
  UsageError,
  shown,
} from "../src/errors.js";

describe("HotspotError and its kinds", () => {
  it("keeps code, retryable (false unless said), cause, and names itself after its class", () => {
    const cause = new Error("root");
    const error = new HotspotError("HOTSPOT_X", "went wrong", { retryable: true, cause });
    expect([error.code, error.retryable, error.cause, error.name, error.message]).toEqual([
      "HOTSPOT_X",
      true,
      cause,
      "HotspotError",
      "went wrong",
    ]);
    const plain = new HotspotError("HOTSPOT_Y", "m");
    expect([plain.retryable, "cause" in plain]).toEqual([false, false]);
  });

  it("words each kind as 'where: expected … found …' with a stable code", () => {
    const usage = new UsageError("--interval", "a number of seconds > 0", '"0"');
    expect([usage.code, usage.name, usage.message]).toEqual([
      "HOTSPOT_USAGE",
      "UsageError",
      '--interval: expected a number of seconds > 0, found "0"',
    ]);
    const format = new InputFormatError("t.csv:3", "a price", '"x"');
    expect([format.code, format.message, format.location]).toEqual([
      "HOTSPOT_INPUT_FORMAT",
      't.csv:3: expected a price, found "x"',
      "t.csv:3",
    ]);
    const unknown = new UnknownNameError("policy", "gredy", ["greedy", "hotspot"]);
    expect([unknown.code, unknown.message]).toEqual([
      "HOTSPOT_UNKNOWN_NAME",
      'unknown policy "gredy"; valid: greedy, hotspot',
    ]);
    expect(new InputReadError("a.csv", "no such file").message).toBe("a.csv: no such file");
    expect(new InputReadError("a.csv", "x").code).toBe("HOTSPOT_INPUT_READ");
    expect(new OutputError("out.json", "read-only file system").code).toBe("HOTSPOT_OUTPUT");
    const gap = new CatalogGapError(["x.large", "y.large"], "on-demand price");
    expect([gap.code, gap.message]).toEqual([
      "HOTSPOT_CATALOG_GAP",
      "no on-demand price for instance type(s): x.large, y.large; give them with --specs FILE, or pass --skip-unknown-types to leave those markets out",
    ]);
    expect(new CatalogGapError(["z"], "spec", "add it").message).toBe(
      "no spec for instance type(s): z; add it",
    );
  });

  it("gives a cloud error the API's code after HOTSPOT_CLOUD_", () => {
    const error = new CloudApiError("InsufficientInstanceCapacity", "no capacity", { retryable: true });
    expect([error.code, error.apiCode, error.retryable, error instanceof HotspotError]).toEqual([
      "HOTSPOT_CLOUD_InsufficientInstanceCapacity",
      "InsufficientInstanceCapacity",
      true,
      true,
    ]);
  });
});

describe("shown", () => {
  it("quotes, cuts after 60 characters (or max) with an ellipsis, and escapes controls and bidi overrides", () => {
    expect(shown("abc")).toBe('"abc"');
    expect(shown("x".repeat(61))).toBe(`"${"x".repeat(60)}…"`);
    expect(shown("abcdef", 3)).toBe('"abc…"');
    expect(shown("a\nb\u0000")).toBe('"a\\nb\\u0000"');
    expect(shown("\u007f\u0085\u202e\u2066")).toBe('"\\u007f\\u0085\\u202e\\u2066"');
  });
});
