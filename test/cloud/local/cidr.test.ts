import { describe, expect, it } from "vitest";
import { intToIp, ipToInt, overlaps, parseCidr, within } from "../../../src/cloud/local/cidr.js";
import { Ec2Error } from "../../../src/cloud/local/errors.js";

describe("IPv4 addresses as 32-bit numbers", () => {
  it("converts both ways: 10.0.1.10 is 10·2^24 + 1·2^8 + 10 = 167772426", () => {
    expect(ipToInt("10.0.1.10")).toBe(167772426);
    expect(intToIp(167772426)).toBe("10.0.1.10");
    // The top octet above 127 stays unsigned.
    expect(ipToInt("255.255.255.255")).toBe(4294967295);
    expect(intToIp(4294967295)).toBe("255.255.255.255");
  });

  it.each(["10.0.1", "10.0.1.256", "10.0.1.-1", "10.0.1.x", "10.0.1.1.1"])("%s is NaN", (ip) => {
    expect(ipToInt(ip)).toBeNaN();
  });
});

describe("parseCidr", () => {
  it("gives the start and the size 2^(32-bits)", () => {
    expect(parseCidr("CidrBlock", "10.0.0.0/16", 16, 28)).toEqual({ start: 167772160, size: 65536 });
    expect(parseCidr("CidrBlock", "10.0.1.0/24", 16, 28)).toEqual({ start: 167772416, size: 256 });
  });

  it("refuses a malformed block or a prefix outside the allowed bits, as EC2 words it", () => {
    for (const bad of ["10.0.0.0", "10.0.0.0/15", "10.0.0.0/29", "10.0.0.300/16"]) {
      let error: unknown;
      try {
        parseCidr("CidrBlock", bad, 16, 28);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(Ec2Error);
      expect(error).toMatchObject({
        code: "InvalidParameterValue",
        status: 400,
        message: `Value (${bad}) for parameter CidrBlock is invalid. This is not a valid CIDR block.`,
      });
    }
  });

  it("refuses host bits, naming the network they belong to", () => {
    expect(() => parseCidr("CidrBlock", "10.0.1.5/24", 16, 28)).toThrow(
      "Value (10.0.1.5/24) for parameter CidrBlock is invalid: host bits are set (the network is 10.0.1.0/24).",
    );
  });
});

describe("within and overlaps", () => {
  const vpc = parseCidr("p", "10.0.0.0/16", 16, 28);
  const a = parseCidr("p", "10.0.1.0/24", 16, 28);
  const b = parseCidr("p", "10.0.1.128/25", 16, 28);
  const c = parseCidr("p", "10.0.2.0/24", 16, 28);
  const outside = parseCidr("p", "10.1.0.0/24", 16, 28);

  it("a subnet lies within its VPC; one of another range does not", () => {
    expect(within(a, vpc)).toBe(true);
    expect(within(vpc, vpc)).toBe(true);
    expect(within(outside, vpc)).toBe(false);
    expect(within(vpc, a)).toBe(false);
  });

  it("blocks overlap when they share an address, adjacent ones do not", () => {
    expect(overlaps(a, b)).toBe(true);
    expect(overlaps(b, a)).toBe(true);
    expect(overlaps(a, c)).toBe(false);
    expect(overlaps(b, c)).toBe(false);
  });
});
