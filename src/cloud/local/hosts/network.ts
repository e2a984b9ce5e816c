import { InputFormatError, shown } from "../../../errors.js";
import type { HostInterface } from "../host-backend.js";
import { hostNames } from "./names.js";
import { run, runIn } from "../../../host/run.js";

/** Parsed IPv4 subnet: prefix length and the VPC router address (the first host, as in AWS). */
export interface SubnetAddressing {
  readonly prefixLength: number;
  readonly gateway: string;
}

export function subnetAddressing(cidr: string): SubnetAddressing {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const prefixLength = m ? Number(m[5]) : NaN;
  if (!m || octets.some((o) => o > 255) || prefixLength < 8 || prefixLength > 30) {
    throw new InputFormatError("subnet CIDR", "an IPv4 CIDR a.b.c.d/8..30", shown(cidr));
  }
  const base = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const network = (base & ((0xffffffff << (32 - prefixLength)) >>> 0)) >>> 0;
  const gw = network + 1;
  return { prefixLength, gateway: [gw >>> 24, (gw >>> 16) & 255, (gw >>> 8) & 255, gw & 255].join(".") };
}

export async function netnsExists(name: string): Promise<boolean> {
  const out = await run("ip", ["-json", "netns", "list"]);
  const list = out === "" ? [] : (JSON.parse(out) as { name: string }[]);
  return list.some((n) => n.name === name);
}

/** Creates a network namespace with loopback up; an existing one is kept (idempotent). */
export async function ensureNetns(name: string): Promise<void> {
  if (!(await netnsExists(name))) await run("ip", ["netns", "add", name]);
  await run("ip", ["-n", name, "link", "set", "lo", "up"]);
}

export async function deleteNetns(name: string): Promise<void> {
  if (await netnsExists(name)) await run("ip", ["netns", "del", name]);
}

interface LinkInfo {
  readonly ifname: string;
  readonly address?: string;
}

async function links(netns: string): Promise<LinkInfo[]> {
  return JSON.parse(await run("ip", ["-json", "-n", netns, "link", "show"])) as LinkInfo[];
}

/** The subnet's bridge in the fabric namespace, holding the VPC router address. */
export async function ensureSubnetBridge(prefix: string, subnetId: string, cidr: string): Promise<void> {
  const fabric = hostNames.fabricNetns(prefix);
  const bridge = hostNames.subnetBridge(prefix, subnetId);
  await ensureNetns(fabric);
  if ((await links(fabric)).some((l) => l.ifname === bridge)) return;
  const { gateway, prefixLength } = subnetAddressing(cidr);
  await run("ip", ["-n", fabric, "link", "add", bridge, "type", "bridge"]);
  await run("ip", ["-n", fabric, "addr", "add", `${gateway}/${prefixLength}`, "dev", bridge]);
  await run("ip", ["-n", fabric, "link", "set", bridge, "up"]);
}

/** An ENI is a veth pair: the outer end plugged into its subnet's bridge, the inner end parked in the fabric. */
export async function createEni(prefix: string, eni: HostInterface): Promise<void> {
  await ensureSubnetBridge(prefix, eni.subnetId, eni.subnetCidr);
  const fabric = hostNames.fabricNetns(prefix);
  const inner = hostNames.eniInner(prefix, eni.networkInterfaceId);
  const outer = hostNames.eniOuter(prefix, eni.networkInterfaceId);
  if ((await links(fabric)).some((l) => l.ifname === outer)) return;
  await run("ip", [
    "-n",
    fabric,
    "link",
    "add",
    inner,
    "address",
    eni.macAddress,
    "type",
    "veth",
    "peer",
    "name",
    outer,
  ]);
  await run("ip", [
    "-n",
    fabric,
    "link",
    "set",
    outer,
    "master",
    hostNames.subnetBridge(prefix, eni.subnetId),
  ]);
  await run("ip", ["-n", fabric, "link", "set", outer, "up"]);
}

export async function deleteEni(prefix: string, eniId: string): Promise<void> {
  const fabric = hostNames.fabricNetns(prefix);
  const outer = hostNames.eniOuter(prefix, eniId);
  if ((await links(fabric)).some((l) => l.ifname === outer)) {
    await run("ip", ["-n", fabric, "link", "del", outer]);
  }
}

/** Finds the interface with `mac` in `netns` (its name changes: ethN inside an instance). */
export async function linkByMac(netns: string, mac: string): Promise<string | undefined> {
  return (await links(netns)).find((l) => l.address?.toLowerCase() === mac.toLowerCase())?.ifname;
}

/**
 * Moves the ENI's inner end into the instance, named `eth<deviceIndex>` like a Nitro guest sees it,
 * with its private address; the primary interface (index 0) also carries the default route.
 */
export async function attachEni(
  prefix: string,
  eni: HostInterface,
  instanceNetns: string,
  deviceIndex: number,
): Promise<void> {
  const fabric = hostNames.fabricNetns(prefix);
  const inner = hostNames.eniInner(prefix, eni.networkInterfaceId);
  const name = `eth${deviceIndex}`;
  if ((await linkByMac(instanceNetns, eni.macAddress)) === undefined) {
    await run("ip", ["-n", fabric, "link", "set", inner, "netns", instanceNetns]);
    await run("ip", ["-n", instanceNetns, "link", "set", inner, "name", name]);
  }
  const { prefixLength, gateway } = subnetAddressing(eni.subnetCidr);
  await run("ip", [
    "-n",
    instanceNetns,
    "addr",
    "replace",
    `${eni.privateIpAddress}/${prefixLength}`,
    "dev",
    name,
  ]);
  await run("ip", ["-n", instanceNetns, "link", "set", name, "up"]);
  if (deviceIndex === 0) {
    await run("ip", ["-n", instanceNetns, "route", "replace", "default", "via", gateway, "dev", name]);
  }
}

/** Takes the ENI out of the instance and parks it, addressless and down, in the fabric namespace. */
export async function detachEni(prefix: string, eni: HostInterface, instanceNetns: string): Promise<void> {
  const current = await linkByMac(instanceNetns, eni.macAddress);
  if (current === undefined) return;
  const inner = hostNames.eniInner(prefix, eni.networkInterfaceId);
  await run("ip", ["-n", instanceNetns, "link", "set", current, "down"]);
  await run("ip", ["-n", instanceNetns, "addr", "flush", "dev", current]);
  await run("ip", ["-n", instanceNetns, "link", "set", current, "name", inner]);
  await run("ip", ["-n", instanceNetns, "link", "set", inner, "netns", hostNames.fabricNetns(prefix)]);
}

function dropRule(address: string): string[] {
  return ["INPUT", "-d", `${address}/32`, "-j", "DROP"];
}

/**
 * While a container is between hosts, the target silently drops packets to its address: a kernel
 * without the (not yet restored) socket would answer the peer's retransmissions with a reset.
 */
export async function holdTraffic(netns: string, address: string): Promise<void> {
  await runIn(netns, "iptables", ["-w", "-I", ...dropRule(address)]);
}

export async function releaseTraffic(netns: string, address: string): Promise<void> {
  await runIn(netns, "iptables", ["-w", "-D", ...dropRule(address)]);
}

function natRules(publicIp: string, privateIp: string): string[][] {
  return ["PREROUTING", "OUTPUT"].map((chain) => [
    "-t",
    "nat",
    chain,
    "-d",
    `${publicIp}/32`,
    "-j",
    "DNAT",
    "--to-destination",
    privateIp,
  ]);
}

/**
 * An Elastic IP is a DNAT in the fabric: traffic to the public address reaches the ENI's private one.
 * The host route lets the fabric's own processes (the clients) pick the subnet before the DNAT.
 */
export async function associatePublicIp(
  prefix: string,
  eni: HostInterface,
  publicIp: string,
  privateIp: string,
): Promise<void> {
  const fabric = hostNames.fabricNetns(prefix);
  for (const [t, nat, ...rule] of natRules(publicIp, privateIp)) {
    await runIn(fabric, "iptables", ["-w", t, nat, "-A", ...rule]);
  }
  await run("ip", [
    "-n",
    fabric,
    "route",
    "replace",
    `${publicIp}/32`,
    "dev",
    hostNames.subnetBridge(prefix, eni.subnetId),
  ]);
}

export async function disassociatePublicIp(
  prefix: string,
  publicIp: string,
  privateIp: string,
): Promise<void> {
  const fabric = hostNames.fabricNetns(prefix);
  for (const [t, nat, ...rule] of natRules(publicIp, privateIp)) {
    await runIn(fabric, "iptables", ["-w", t, nat, "-D", ...rule]);
  }
  await run("ip", ["-n", fabric, "route", "del", `${publicIp}/32`]);
}
