import { describe, expect, it } from "vitest";
import { isoSeconds } from "../../src/util/iso-seconds.js";

describe("isoSeconds", () => {
  it("writes epoch seconds as ISO 8601 UTC with milliseconds", () => {
    expect(isoSeconds(0)).toBe("1970-01-01T00:00:00.000Z");
    expect(isoSeconds(1_767_225_600.25)).toBe("2026-01-01T00:00:00.250Z");
  });
});
