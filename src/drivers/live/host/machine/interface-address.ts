import { HotspotError, UsageError, shown } from "../../../../errors.js";
import { wallClock } from "../../../../util/clock.js";
import type { HostRunner, PollOptions } from "./volume-device.js";

/** The container's ENI as this machine must configure it once attached. */
export interface InterfaceAddress {
  /** The ENI's MAC address: how its interface is found (EC2 names interfaces unpredictably). */
  readonly mac: string;
  /** The ENI's private IPv4 address, the container's address. */
  readonly address: string;
  /** The CIDR of the ENI's subnet, e.g. 10.0.1.0/24. */
  readonly subnetCidr: string;
  /** Routing table for replies from `address` (1-252: 253-255 are default, main and local). */
  readonly table: number;
}

/** The ENI's interface did not appear in time. */
export class InterfaceTimeoutError extends HotspotError {
  constructor(
    readonly mac: string,
    readonly timeoutMs: number,
  ) {
    super(
      "HOTSPOT_INTERFACE_TIMEOUT",
      `no network interface with MAC ${mac} after ${timeoutMs / 1000} s (\`ip link show\` lists none)`,
      { retryable: true },
    );
  }
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;

function parseIpv4(text: string, where: string): number {
  const octets = IPV4.exec(text)?.slice(1).map(Number);
  if (octets === undefined || octets.some((o) => o > 255)) {
    throw new UsageError(where, "an IPv4 address a.b.c.d (each 0-255)", shown(text));
  }
  return ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
}

function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join(".");
}

interface Subnet {
  readonly network: number;
  readonly prefix: number;
}

/** A VPC subnet CIDR: prefix /16 to /28 (what EC2 allows), no host bits set. */
function parseSubnet(cidr: string): Subnet {
  const [ip, prefixText, extra] = cidr.split("/");
  const prefix = Number(prefixText);
  if (extra !== undefined || !/^\d{1,2}$/.test(prefixText ?? "") || prefix < 16 || prefix > 28) {
    throw new UsageError("subnet CIDR", "a.b.c.d/N with N from 16 to 28 (a VPC subnet)", shown(cidr));
  }
  const network = parseIpv4(ip, "subnet CIDR");
  const mask = (0xffffffff << (32 - prefix)) >>> 0;
  if ((network & mask) >>> 0 !== network) {
    throw new UsageError(
      "subnet CIDR",
      `a network address (host bits zero, i.e. ${formatIpv4((network & mask) >>> 0)}/${prefix})`,
      shown(cidr),
    );
  }
  return { network, prefix };
}

/** The VPC router of a subnet: its network address + 1 (EC2 reserves it for the router). */
export function vpcRouter(cidr: string): string {
  return formatIpv4(parseSubnet(cidr).network + 1);
}

/** Checks the ENI settings once, where they enter; returns the prefix length of the subnet. */
export function validateInterfaceAddress(eni: InterfaceAddress): number {
  if (!MAC.test(eni.mac.toLowerCase())) {
    throw new UsageError("ENI MAC", "six hex pairs separated by colons", shown(eni.mac));
  }
  const { network, prefix } = parseSubnet(eni.subnetCidr);
  const address = parseIpv4(eni.address, "ENI address");
  const mask = (0xffffffff << (32 - prefix)) >>> 0;
  if ((address & mask) >>> 0 !== network) {
    throw new UsageError("ENI address", `an address inside ${eni.subnetCidr}`, shown(eni.address));
  }
  if (!Number.isInteger(eni.table) || eni.table < 1 || eni.table > 252) {
    throw new UsageError("routing table", "an integer from 1 to 252", shown(String(eni.table)));
  }
  return prefix;
}

/** The name of the interface with `mac`, or null while there is none. */
export async function interfaceWithMac(runner: HostRunner, mac: string): Promise<string | null> {
  const links = JSON.parse(await runner("ip", ["-json", "link", "show"])) as {
    ifname: string;
    address?: string;
  }[];
  return links.find((l) => l.address?.toLowerCase() === mac.toLowerCase())?.ifname ?? null;
}

/** Waits until the attached ENI's interface appears and returns its name. */
export async function waitForInterface(
  runner: HostRunner,
  mac: string,
  options: PollOptions = {},
): Promise<string> {
  const { clock = wallClock, timeoutMs = 60_000, pollMs = 250 } = options;
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    const name = await interfaceWithMac(runner, mac);
    if (name !== null) return name;
    if (clock.now() >= deadline) throw new InterfaceTimeoutError(mac, timeoutMs);
    await clock.sleep(pollMs);
  }
}

/**
 * Brings the ENI's address up on its interface, idempotently, with source-based routing: without it
 * replies from the address would leave through the primary interface, whose source/destination
 * check drops them. Returns the interface's name.
 */
export async function configureInterface(
  runner: HostRunner,
  eni: InterfaceAddress,
  options: PollOptions = {},
): Promise<string> {
  const prefix = validateInterfaceAddress(eni);
  const name = await waitForInterface(runner, eni.mac, options);
  const table = String(eni.table);
  await runner("ip", ["addr", "replace", `${eni.address}/${prefix}`, "dev", name]);
  await runner("ip", ["link", "set", "dev", name, "up"]);
  const rules = JSON.parse(await runner("ip", ["-json", "rule", "show"])) as {
    src?: string;
    srclen?: number;
    table?: string;
  }[];
  const present = rules.some((r) => r.src === eni.address && (r.srclen ?? 32) === 32 && r.table === table);
  if (!present) await runner("ip", ["rule", "add", "from", eni.address, "lookup", table]);
  await runner("ip", [
    "route",
    "replace",
    "default",
    "via",
    vpcRouter(eni.subnetCidr),
    "dev",
    name,
    "table",
    table,
  ]);
  return name;
}
