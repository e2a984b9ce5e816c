import { describe, expect, it } from "vitest";
import {
  cidr,
  cidrSize,
  cidrWithin,
  CONTAINER_NAME_RE,
  INSTANCE_TYPE_RE,
  ipv4,
  isResourceId,
  isZoneOf,
  REGION_RE,
  SETUP_NAME_RE,
} from "../../src/setup/validate.js";

describe("shapes setup and hotspot.json share", () => {
  it("regions, setup names, container names and instance types", () => {
    expect(["us-east-1", "ap-southeast-2", "us-gov-west-1"].every((r) => REGION_RE.test(r))).toBe(true);
    expect(["us-east", "US-EAST-1", "us-east-1a"].some((r) => REGION_RE.test(r))).toBe(false);
    expect(["t1", "a", "my-setup-2"].every((n) => SETUP_NAME_RE.test(n))).toBe(true);
    // Not ending in a dash, not upper case, at most 32 characters.
    expect(["t1-", "-t1", "T1", "a".repeat(33)].some((n) => SETUP_NAME_RE.test(n))).toBe(false);
    expect(SETUP_NAME_RE.test("a".repeat(32))).toBe(true);
    expect(CONTAINER_NAME_RE.test("web_1.prod-a")).toBe(true);
    expect(CONTAINER_NAME_RE.test(".hidden")).toBe(false);
    expect(CONTAINER_NAME_RE.test("a".repeat(65))).toBe(false);
    expect(INSTANCE_TYPE_RE.test("m5.large")).toBe(true);
    expect(INSTANCE_TYPE_RE.test("u-6tb1.metal")).toBe(true);
    expect(INSTANCE_TYPE_RE.test("m5")).toBe(false);
  });

  it("a zone is its region and one letter", () => {
    expect(isZoneOf("us-east-1a", "us-east-1")).toBe(true);
    expect(isZoneOf("us-east-1", "us-east-1")).toBe(false);
    expect(isZoneOf("us-east-1ab", "us-east-1")).toBe(false);
    expect(isZoneOf("us-west-1a", "us-east-1")).toBe(false);
    expect(isZoneOf("us-east-11", "us-east-1")).toBe(false);
  });

  it("resource ids have 8 or 17 hex digits after their prefix", () => {
    expect(isResourceId("vol-0123456789abcdef0", "vol")).toBe(true);
    expect(isResourceId("vol-01234567", "vol")).toBe(true);
    expect(isResourceId("vol-0123456789", "vol")).toBe(false);
    expect(isResourceId("vol-0123456789ABCDEF0", "vol")).toBe(false);
    expect(isResourceId("eni-0123456789abcdef0", "vol")).toBe(false);
  });

  it("IPv4 addresses as numbers; no leading zeros, no octet above 255", () => {
    expect(ipv4("10.0.1.10")).toBe(167772426);
    expect(ipv4("255.255.255.255")).toBe(4294967295);
    expect(ipv4("0.0.0.0")).toBe(0);
    expect(ipv4("10.0.1.010")).toBeUndefined();
    expect(ipv4("10.0.1.256")).toBeUndefined();
    expect(ipv4("10.0.1")).toBeUndefined();
  });

  it("CIDR blocks without host bits, their size and containment", () => {
    expect(cidr("10.0.0.0/16")).toEqual({ base: 167772160, bits: 16 });
    expect(cidr("10.0.1.0/24")).toEqual({ base: 167772416, bits: 24 });
    for (const bad of [
      "10.0.1.5/24",
      "10.0.0.0/33",
      "10.0.0.0",
      "10.0.0.0/16/1",
      "10.0.0.0/x",
      "10.0.0/16",
    ]) {
      expect(cidr(bad)).toBeUndefined();
    }
    expect(cidrSize(cidr("10.0.1.0/24")!)).toBe(256);
    expect(cidrSize(cidr("0.0.0.0/0")!)).toBe(4294967296);
    expect(cidrWithin(cidr("10.0.1.0/24")!, cidr("10.0.0.0/16")!)).toBe(true);
    expect(cidrWithin(cidr("10.0.0.0/16")!, cidr("10.0.1.0/24")!)).toBe(false);
    expect(cidrWithin(cidr("10.1.0.0/24")!, cidr("10.0.0.0/16")!)).toBe(false);
  });
});
