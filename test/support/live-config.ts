import type { LiveConfig } from "../../src/setup/config.js";

/** A valid hotspot.json as `setup` writes it, for tests that need one; `overrides` change fields. */
export function sampleLiveConfig(overrides: Partial<LiveConfig> = {}): LiveConfig {
  return {
    version: 1,
    name: "dry",
    region: "us-east-1",
    zone: "us-east-1a",
    vpcId: "vpc-0123456789abcdef0",
    subnetId: "subnet-0123456789abcdef0",
    securityGroupId: "sg-0123456789abcdef0",
    eniId: "eni-0123456789abcdef0",
    privateIp: "10.0.1.10",
    allocationId: "eipalloc-0123456789abcdef0",
    publicIp: "203.0.113.7",
    volumeId: "vol-0123456789abcdef0",
    containerName: "web",
    instanceTypes: ["m4.large", "c4.large", "m4.xlarge", "c4.xlarge"],
    policy: { name: "greedy", params: { minSaving: 0 }, inputs: {} },
    ...overrides,
  };
}
