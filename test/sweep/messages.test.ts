import { describe, expect, it } from "vitest";
import { HotspotError, UsageError } from "../../src/errors.js";
import { errorMessage, rebuildError } from "../../src/sweep/messages.js";

describe("errors across the worker boundary", () => {
  it("a HotspotError crosses as code and message and comes back a HotspotError with that code", () => {
    const message = errorMessage(new UsageError("--vary", "key=values", '"x"'));
    expect(message).toMatchObject({
      kind: "error",
      code: "HOTSPOT_USAGE",
      message: '--vary: expected key=values, found "x"',
    });
    const rebuilt = rebuildError(message as Extract<typeof message, { kind: "error" }>);
    expect(rebuilt).toBeInstanceOf(HotspotError);
    expect([(rebuilt as HotspotError).code, rebuilt.message]).toEqual([
      "HOTSPOT_USAGE",
      '--vary: expected key=values, found "x"',
    ]);
  });

  it("any other error comes back saying the worker failed, with the worker's stack; a non-error as text", () => {
    const original = new TypeError("x is undefined");
    const message = errorMessage(original) as Extract<ReturnType<typeof errorMessage>, { kind: "error" }>;
    expect([message.code, message.stack]).toEqual([null, original.stack]);
    const rebuilt = rebuildError(message);
    expect([rebuilt instanceof HotspotError, rebuilt.message, rebuilt.stack]).toEqual([
      false,
      "sweep worker failed: x is undefined",
      original.stack,
    ]);
    expect(errorMessage("plain")).toEqual({ kind: "error", code: null, message: "plain", stack: null });
  });
});
