import { describe, expect, it } from "vitest";

import { architectureOfType, architectureOfTypes } from "../../src/image/architecture.js";

describe("architecture of instance types (the type-name rule standing in for the catalog's column)", () => {
  it.each([
    ["m5.large", "x86_64"],
    ["c5a.xlarge", "x86_64"],
    ["g4dn.xlarge", "x86_64"],
    ["p4de.24xlarge", "x86_64"],
    ["m6g.large", "arm64"],
    ["c7gn.large", "arm64"],
    ["t4g.micro", "arm64"],
    ["x2gd.medium", "arm64"],
    ["im4gn.large", "arm64"],
    ["is4gen.large", "arm64"],
    ["g5g.xlarge", "arm64"],
    ["a1.medium", "arm64"],
  ])("%s is %s", (type, arch) => {
    expect(architectureOfType(type)).toBe(arch);
  });

  it("refuses a mix, naming each type's architecture", () => {
    expect(() => architectureOfTypes(["t4g.small", "t3.small"], "--types")).toThrow(
      "--types: expected instance types of one architecture (an image runs on x86_64 or on arm64 (Graviton), not both), found t4g.small (arm64), t3.small (x86_64)",
    );
  });
});
