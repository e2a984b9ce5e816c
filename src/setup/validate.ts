/** Shapes of the values setup and hotspot.json share; each returns whether `value` has the form. */

export const REGION_RE = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;
export const SETUP_NAME_RE = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
export const CONTAINER_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const INSTANCE_TYPE_RE = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;

/** A zone of `region`: the region's name and one letter. */
export const isZoneOf = (zone: string, region: string): boolean =>
  zone.length === region.length + 1 && zone.startsWith(region) && /[a-z]$/.test(zone);

/** EC2 resource ids: prefix, dash, 8 or 17 hex digits. */
export const isResourceId = (value: string, prefix: string): boolean =>
  new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`).test(value);

/** A dotted-quad IPv4 address as an unsigned integer, or undefined. */
export function ipv4(value: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(value);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o, i) => o > 255 || (m[i + 1].length > 1 && m[i + 1].startsWith("0")))) return undefined;
  return ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
}

export interface Cidr {
  readonly base: number;
  readonly bits: number;
}

/** An IPv4 CIDR block with no host bits set, or undefined. */
export function cidr(value: string): Cidr | undefined {
  const [address, prefix, extra] = value.split("/");
  if (extra !== undefined || prefix === undefined || !/^\d{1,2}$/.test(prefix)) return undefined;
  const base = ipv4(address);
  const bits = Number(prefix);
  if (base === undefined || bits > 32) return undefined;
  if (base % 2 ** (32 - bits) !== 0) return undefined;
  return { base, bits };
}

export const cidrSize = (c: Cidr): number => 2 ** (32 - c.bits);

export const cidrWithin = (inner: Cidr, outer: Cidr): boolean =>
  inner.bits >= outer.bits &&
  inner.base >= outer.base &&
  inner.base + cidrSize(inner) <= outer.base + cidrSize(outer);
