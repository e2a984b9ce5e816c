import { describe, expect, it } from "vitest";
import { liveMarkets } from "../../../../src/drivers/live/observe/zone-markets.js";
import { handResolution } from "../../sim/fixtures.js";

const resolution = handResolution([
  { type: "m4.large", memoryGiB: 8, work: 6.5, onDemand: 0.1 },
  { type: "c4.large", memoryGiB: 3.75, work: 8, onDemand: 0.1 },
  {
    type: "m5a.large",
    memoryGiB: 8,
    work: 8,
    onDemand: 0.086,
    cpu: { architecture: "x86_64", cpuVendor: "amd" },
  },
]);

describe("liveMarkets", () => {
  it("a spot market per type EC2 priced, then an on-demand market per type, each sorted by type", () => {
    const markets = liveMarkets("us-east-1c", resolution, (type) => type !== "c4.large");
    expect(markets.map((m) => `${m.id} ${m.instanceType} ${m.lifecycle}`)).toEqual([
      "0 m4.large spot",
      "1 m5a.large spot",
      "2 c4.large on-demand",
      "3 m4.large on-demand",
      "4 m5a.large on-demand",
    ]);
    expect(markets[3]).toEqual({
      id: 3,
      zone: "us-east-1c",
      instanceType: "m4.large",
      lifecycle: "on-demand",
      vcpu: 4,
      memoryGiB: 8,
      work: 6.5,
      onDemandUsd: 0.1,
      architecture: "x86_64",
      cpuVendor: "intel",
    });
  });

  it("leaves out the types the CPU rule does not allow", () => {
    const markets = liveMarkets(
      "z",
      resolution,
      () => true,
      (type) => type !== "m5a.large",
    );
    expect(markets.map((m) => `${m.instanceType} ${m.lifecycle}`)).toEqual([
      "c4.large spot",
      "m4.large spot",
      "c4.large on-demand",
      "m4.large on-demand",
    ]);
  });
});
