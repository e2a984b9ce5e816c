import { describe, expect, it } from "vitest";
import { describeRule, resourceName, sameRule, SETUP_TAG, withinVpcRule } from "../../src/setup/spec.js";

describe("setup's naming and ingress rules", () => {
  it("tags with hotspot:setup and names resources hotspot-<name>-<kind>", () => {
    expect(SETUP_TAG).toBe("hotspot:setup");
    expect(resourceName("t1", "elastic-ip")).toBe("hotspot-t1-elastic-ip");
  });

  it("allows all traffic from inside the VPC", () => {
    expect(withinVpcRule("10.0.0.0/16")).toEqual({ protocol: "-1", cidr: "10.0.0.0/16" });
  });

  it("compares rules on protocol, ports and source", () => {
    const ssh = { protocol: "tcp", fromPort: 22, toPort: 22, cidr: "0.0.0.0/0" };
    expect(sameRule(ssh, { ...ssh })).toBe(true);
    expect(sameRule(ssh, { ...ssh, toPort: 23 })).toBe(false);
    expect(sameRule(ssh, { ...ssh, protocol: "udp" })).toBe(false);
    expect(sameRule(ssh, { ...ssh, cidr: "10.0.0.0/8" })).toBe(false);
  });

  it("describes a rule for the plan: one port, a range, or all traffic", () => {
    expect(describeRule({ protocol: "tcp", fromPort: 22, toPort: 22, cidr: "198.51.100.0/24" })).toBe(
      "tcp 22 from 198.51.100.0/24",
    );
    expect(describeRule({ protocol: "udp", fromPort: 60000, toPort: 61000, cidr: "0.0.0.0/0" })).toBe(
      "udp 60000-61000 from 0.0.0.0/0",
    );
    expect(describeRule(withinVpcRule("10.0.0.0/16"))).toBe("all traffic from 10.0.0.0/16");
  });
});
