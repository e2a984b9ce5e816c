import { describe, expect, it } from "vitest";
import { UsageError } from "../../../../../src/errors.js";
import {
  configureInterface,
  InterfaceTimeoutError,
  validateInterfaceAddress,
  vpcRouter,
  waitForInterface,
  type InterfaceAddress,
} from "../../../../../src/drivers/live/host/machine/interface-address.js";
import { fakeClock, recordingRunner } from "../../../../support/recording-runner.js";

const ENI: InterfaceAddress = {
  mac: "0A:1B:2C:3D:4E:5F",
  address: "10.0.1.57",
  subnetCidr: "10.0.1.0/24",
  table: 100,
};

const LINKS = JSON.stringify([
  { ifindex: 1, ifname: "lo", address: "00:00:00:00:00:00" },
  { ifindex: 2, ifname: "ens5", address: "0a:ff:00:00:00:01" },
  { ifindex: 3, ifname: "ens6", address: "0a:1b:2c:3d:4e:5f" },
]);
const BASE_RULES = [
  { priority: 0, src: "all", table: "local" },
  { priority: 32766, src: "all", table: "main" },
  { priority: 32767, src: "all", table: "default" },
];

function network(rules: readonly object[], links = LINKS) {
  return recordingRunner((file, args) => {
    if (args.join(" ") === "-json link show") return links;
    if (args.join(" ") === "-json rule show") return JSON.stringify(rules);
    return "";
  });
}

describe("vpcRouter", () => {
  it("is the subnet's network address + 1", () => {
    expect(vpcRouter("10.0.1.0/24")).toBe("10.0.1.1");
    expect(vpcRouter("172.31.16.0/20")).toBe("172.31.16.1");
    expect(vpcRouter("10.0.0.0/16")).toBe("10.0.0.1");
    expect(vpcRouter("192.168.255.240/28")).toBe("192.168.255.241");
  });

  it("rejects what is not a VPC subnet CIDR, saying what was expected", () => {
    expect(() => vpcRouter("10.0.1.5/24")).toThrow(
      new UsageError("subnet CIDR", "a network address (host bits zero, i.e. 10.0.1.0/24)", '"10.0.1.5/24"'),
    );
    const range = 'subnet CIDR: expected a.b.c.d/N with N from 16 to 28 (a VPC subnet), found "';
    expect(() => vpcRouter("10.0.1.0")).toThrow(`${range}10.0.1.0"`);
    expect(() => vpcRouter("10.0.1.0/29")).toThrow(`${range}10.0.1.0/29"`);
    expect(() => vpcRouter("10.0.0.0/15")).toThrow(`${range}10.0.0.0/15"`);
    expect(() => vpcRouter("10.0.1.0/24/1")).toThrow(`${range}10.0.1.0/24/1"`);
    expect(() => vpcRouter("10.0.256.0/24")).toThrow(
      'subnet CIDR: expected an IPv4 address a.b.c.d (each 0-255), found "10.0.256.0"',
    );
    expect(() => vpcRouter("ten/24")).toThrow(UsageError);
  });
});

describe("validateInterfaceAddress", () => {
  it("returns the prefix length of a valid ENI setting", () => {
    expect(validateInterfaceAddress(ENI)).toBe(24);
  });

  it("rejects an address outside the subnet, a malformed MAC, a reserved table", () => {
    expect(() => validateInterfaceAddress({ ...ENI, address: "10.0.2.57" })).toThrow(
      'ENI address: expected an address inside 10.0.1.0/24, found "10.0.2.57"',
    );
    expect(() => validateInterfaceAddress({ ...ENI, mac: "0a:1b:2c:3d:4e" })).toThrow(
      'ENI MAC: expected six hex pairs separated by colons, found "0a:1b:2c:3d:4e"',
    );
    expect(() => validateInterfaceAddress({ ...ENI, table: 254 })).toThrow(
      'routing table: expected an integer from 1 to 252, found "254"',
    );
    expect(() => validateInterfaceAddress({ ...ENI, table: 1.5 })).toThrow(UsageError);
  });
});

describe("configureInterface (recorded commands, no host)", () => {
  it("finds the interface by MAC (any case), sets the address, brings it up, adds the rule and the route", async () => {
    const { calls, runner } = network(BASE_RULES);
    expect(await configureInterface(runner, ENI)).toBe("ens6");
    expect(calls).toEqual([
      ["ip", "-json", "link", "show"],
      ["ip", "addr", "replace", "10.0.1.57/24", "dev", "ens6"],
      ["ip", "link", "set", "dev", "ens6", "up"],
      ["ip", "-json", "rule", "show"],
      ["ip", "rule", "add", "from", "10.0.1.57", "lookup", "100"],
      ["ip", "route", "replace", "default", "via", "10.0.1.1", "dev", "ens6", "table", "100"],
    ]);
  });

  it("does not add the rule twice", async () => {
    const { calls, runner } = network([...BASE_RULES, { priority: 32765, src: "10.0.1.57", table: "100" }]);
    await configureInterface(runner, ENI);
    expect(calls.filter((c) => c[1] === "rule")).toEqual([]);
    expect(calls.length).toBe(5);
  });

  it("a rule for the address's subnet or another table is not the one needed", async () => {
    const { calls, runner } = network([
      ...BASE_RULES,
      { priority: 32764, src: "10.0.1.57", srclen: 24, table: "100" },
      { priority: 32765, src: "10.0.1.57", table: "101" },
    ]);
    await configureInterface(runner, ENI);
    expect(calls).toContainEqual(["ip", "rule", "add", "from", "10.0.1.57", "lookup", "100"]);
  });

  it("rejects bad settings before running anything", async () => {
    const { calls, runner } = network(BASE_RULES);
    await expect(configureInterface(runner, { ...ENI, subnetCidr: "10.0.1.0/33" })).rejects.toThrow(
      UsageError,
    );
    expect(calls).toEqual([]);
  });
});

describe("waitForInterface (recorded commands, fake clock, no host)", () => {
  it("polls `ip -json link show` until the ENI's interface appears", async () => {
    const clock = fakeClock();
    const { calls, runner } = recordingRunner(() =>
      clock.sleeps.length < 3 ? JSON.stringify([{ ifname: "lo", address: "00:00:00:00:00:00" }]) : LINKS,
    );
    expect(await waitForInterface(runner, ENI.mac, { clock, pollMs: 50 })).toBe("ens6");
    expect(calls.length).toBe(4);
    expect(clock.sleeps).toEqual([50, 50, 50]);
  });

  it("times out with a stable code naming the MAC and the wait", async () => {
    const clock = fakeClock();
    const { runner } = recordingRunner(() => "[]");
    const error = await waitForInterface(runner, ENI.mac, { clock, timeoutMs: 500, pollMs: 250 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InterfaceTimeoutError);
    expect((error as InterfaceTimeoutError).code).toBe("HOTSPOT_INTERFACE_TIMEOUT");
    expect((error as InterfaceTimeoutError).message).toBe(
      "no network interface with MAC 0A:1B:2C:3D:4E:5F after 0.5 s (`ip link show` lists none)",
    );
    expect(clock.sleeps).toEqual([250, 250]);
  });
});
