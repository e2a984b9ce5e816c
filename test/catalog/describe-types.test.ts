import { describe, expect, it } from "vitest";
import { parseDescribeInstanceTypes } from "../../src/catalog/describe-types.js";

describe("describe-instance-types output as --specs", () => {
  it("reads vCPU, memory, architecture and vendor, also from pages appended with >>", () => {
    const page = (type: string, arch: string[], maker?: string) =>
      JSON.stringify({
        InstanceTypes: [
          {
            InstanceType: type,
            VCpuInfo: { DefaultVCpus: 2 },
            MemoryInfo: { SizeInMiB: 3840 },
            ProcessorInfo: { SupportedArchitectures: arch, ...(maker ? { Manufacturer: maker } : {}) },
            Hypervisor: "nitro",
          },
        ],
      });
    const types = parseDescribeInstanceTypes(
      `${page("c6g.large", ["arm64"], "AWS")}\n${page("c5a.large", ["x86_64"])}`,
      "d.json",
    );
    expect(types).toEqual([
      {
        type: "c6g.large",
        vcpu: 2,
        memoryGiB: 3.75,
        architecture: "arm64",
        cpuVendor: "aws",
        hypervisor: "nitro",
      },
      {
        type: "c5a.large",
        vcpu: 2,
        memoryGiB: 3.75,
        architecture: "x86_64",
        cpuVendor: "amd",
        hypervisor: "nitro",
      },
    ]);
    expect(() =>
      parseDescribeInstanceTypes('{"InstanceTypes":[{"InstanceType":"m5.large","VCpuInfo":{}}]}', "d.json"),
    ).toThrow('d.json: record 1: expected VCpuInfo.DefaultVCpus ≥ 1 for m5.large, found "undefined"');
    expect(() => parseDescribeInstanceTypes('{"Reservations":[]}', "d.json")).toThrow(
      'd.json:1: expected an object with an "InstanceTypes" array, found none',
    );
  });
});
