import { describe, expect, it } from "vitest";
import { decodeReference, encodeReference } from "../../../../src/drivers/live/host/cpu-reference.js";

describe("the CPU reference as it travels in a target's command line", () => {
  it("a reference survives its command-line word; a malformed one names the flag", () => {
    const reference = { architecture: "x86_64", image: "GUNWVBNAQGGNAAAACgoB" };
    expect(encodeReference(reference)).toBe("x86_64:GUNWVBNAQGGNAAAACgoB");
    expect(decodeReference(encodeReference(reference), "--cpu-reference")).toEqual(reference);
    expect(decodeReference("arm64:", "--cpu-reference")).toEqual({ architecture: "arm64", image: "" });
    expect(() => decodeReference("x86_64 GUNW", "--cpu-reference")).toThrow(
      /^--cpu-reference: expected <architecture>:<base64 of cpuinfo.img>, found "x86_64 GUNW"/,
    );
  });
});
