import { describe, expect, it } from "vitest";
import { eraOf, smoothedEraStart } from "../../src/traces/eras.js";

describe("eraOf", () => {
  it("is volatile before 2017-11-28T00:00Z and smoothed from that second on", () => {
    expect(smoothedEraStart).toBe(1511827200);
    expect(eraOf(smoothedEraStart - 1)).toBe("volatile");
    expect(eraOf(smoothedEraStart)).toBe("smoothed");
    expect(eraOf(0)).toBe("volatile");
  });
});
