import { describe, expect, it } from "vitest";
import { BUILT_IN_INSTANCE_TYPES, fromSpecs } from "../../../src/cloud/local/instance-types.js";

describe("instance types from catalog specs", () => {
  it("turns GiB into MiB and vendor ids into DescribeInstanceTypes manufacturers", () => {
    expect(
      fromSpecs([
        { type: "m5.large", vcpu: 2, memoryGiB: 8, architecture: "x86_64", cpuVendor: "intel" },
        { type: "t4g.nano", vcpu: 2, memoryGiB: 0.5, architecture: "arm64", cpuVendor: "aws" },
        { type: "m5a.large", vcpu: 2, memoryGiB: 8, cpuVendor: "amd" },
        { type: "x.odd", vcpu: 1, memoryGiB: 1.7 },
      ]),
    ).toEqual([
      { type: "m5.large", vcpus: 2, memoryMiB: 8192, architectures: ["x86_64"], manufacturer: "Intel" },
      { type: "t4g.nano", vcpus: 2, memoryMiB: 512, architectures: ["arm64"], manufacturer: "AWS" },
      { type: "m5a.large", vcpus: 2, memoryMiB: 8192, manufacturer: "AMD" },
      // 1.7 × 1024 = 1740.8, rounded.
      { type: "x.odd", vcpus: 1, memoryMiB: 1741 },
    ]);
  });

  it("offers every built-in catalog type by default, m6g.medium as 1 vCPU, 4096 MiB, arm64 by AWS", () => {
    expect(BUILT_IN_INSTANCE_TYPES.find((t) => t.type === "m6g.medium")).toEqual({
      type: "m6g.medium",
      vcpus: 1,
      memoryMiB: 4096,
      architectures: ["arm64"],
      manufacturer: "AWS",
    });
    expect(new Set(BUILT_IN_INSTANCE_TYPES.map((t) => t.type)).size).toBe(BUILT_IN_INSTANCE_TYPES.length);
  });
});
