import { Ec2Error } from "./errors.js";

/** An IPv4 address as a 32-bit number; NaN when malformed. */
export function ipToInt(ip: string): number {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return NaN;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

export interface Cidr {
  readonly start: number;
  readonly size: number;
}

export function parseCidr(param: string, cidr: string, minBits: number, maxBits: number): Cidr {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
  const start = m ? ipToInt(m[1]) : NaN;
  const bits = m ? Number(m[2]) : NaN;
  if (Number.isNaN(start) || !(bits >= minBits && bits <= maxBits)) {
    throw new Ec2Error(
      "InvalidParameterValue",
      `Value (${cidr}) for parameter ${param} is invalid. This is not a valid CIDR block.`,
    );
  }
  const size = 2 ** (32 - bits);
  if (start % size !== 0) {
    throw new Ec2Error(
      "InvalidParameterValue",
      `Value (${cidr}) for parameter ${param} is invalid: host bits are set (the network is ${intToIp(start - (start % size))}/${bits}).`,
    );
  }
  return { start, size };
}

export const within = (inner: Cidr, outer: Cidr): boolean =>
  inner.start >= outer.start && inner.start + inner.size <= outer.start + outer.size;
export const overlaps = (a: Cidr, b: Cidr): boolean =>
  a.start < b.start + b.size && b.start < a.start + a.size;
