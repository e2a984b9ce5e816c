import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputFormatError } from "../../../../src/errors.js";
import { cleanupAll } from "../../../../src/cloud/local/hosts/cleanup.js";
import { hostNames } from "../../../../src/cloud/local/hosts/names.js";
import {
  associatePublicIp,
  attachEni,
  createEni,
  detachEni,
  disassociatePublicIp,
  ensureNetns,
  holdTraffic,
  linkByMac,
  releaseTraffic,
  subnetAddressing,
} from "../../../../src/cloud/local/hosts/network.js";
import { run, runIn } from "../../../../src/host/run.js";
import type { HostInterface } from "../../../../src/cloud/local/host-backend.js";
import { hostSkipReason } from "../../../support/host-env.js";

describe("subnet addressing", () => {
  it("takes the prefix length and the first host as the VPC router, as AWS does", () => {
    expect(subnetAddressing("10.0.1.0/24")).toEqual({ prefixLength: 24, gateway: "10.0.1.1" });
    expect(subnetAddressing("172.31.16.0/20")).toEqual({ prefixLength: 20, gateway: "172.31.16.1" });
    expect(subnetAddressing("172.31.31.77/20")).toEqual({ prefixLength: 20, gateway: "172.31.16.1" });
  });
  it("rejects what is not an IPv4 CIDR, saying what it found", () => {
    for (const bad of ["10.0.1.0", "10.0.1.0/33", "10.0.300.0/24", "10.0.1.0/31", "fd00::/64"]) {
      expect(() => subnetAddressing(bad)).toThrow(InputFormatError);
    }
    expect(() => subnetAddressing("10.0.1.0")).toThrow(
      'subnet CIDR: expected an IPv4 CIDR a.b.c.d/8..30, found "10.0.1.0"',
    );
  });
});

const skip = hostSkipReason();
const P = "hsn";
const ENI: HostInterface = {
  networkInterfaceId: "eni-0000000000000000a",
  availabilityZone: "us-east-1c",
  vpcId: "vpc-1",
  subnetId: "subnet-1",
  subnetCidr: "10.0.1.0/24",
  privateIpAddress: "10.0.1.20",
  macAddress: "02:00:0a:00:01:14",
};
const A = hostNames.instanceNetns(P, "i-a");
const B = hostNames.instanceNetns(P, "i-b");
const FABRIC = hostNames.fabricNetns(P);
const STATE = "/tmp/hotspot-network-test";

/** One ICMP echo from the fabric (the subnet side) with busybox's ping; traffic stays in these namespaces. */
function pingFromFabric(address: string): Promise<boolean> {
  // One reply within 5 s: a first ping after a veth moves can wait on ARP, longer on a loaded machine.
  return runIn(FABRIC, "busybox", ["ping", "-c", "1", "-w", "5", address]).then(
    () => true,
    () => false,
  );
}

describe.skipIf(skip !== undefined)(
  `ENIs as veth pairs moved between namespaces${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    beforeAll(async () => {
      await cleanupAll(P, STATE);
      await ensureNetns(A);
      await ensureNetns(B);
      await createEni(P, ENI);
    });
    afterAll(async () => {
      await cleanupAll(P, STATE);
      await rm(STATE, { recursive: true, force: true });
    });

    it("attaches as eth<index> with its MAC, address and default route, and answers from the subnet", async () => {
      expect(await linkByMac(FABRIC, ENI.macAddress)).toBe(hostNames.eniInner(P, ENI.networkInterfaceId));
      expect(await pingFromFabric(ENI.privateIpAddress)).toBe(false);
      await attachEni(P, ENI, A, 0);
      expect(await linkByMac(A, ENI.macAddress)).toBe("eth0");
      expect(await linkByMac(FABRIC, ENI.macAddress)).toBeUndefined();
      expect(await run("ip", ["-n", A, "-o", "-4", "addr", "show", "dev", "eth0"])).toContain(
        "inet 10.0.1.20/24",
      );
      expect(await run("ip", ["-n", A, "route", "show", "default"])).toBe("default via 10.0.1.1 dev eth0");
      expect(await pingFromFabric(ENI.privateIpAddress)).toBe(true);
    });

    it("detaches back to the fabric without its address, and re-attaches to another instance", async () => {
      await detachEni(P, ENI, A);
      expect(await linkByMac(A, ENI.macAddress)).toBeUndefined();
      expect(
        await run("ip", [
          "-n",
          FABRIC,
          "-o",
          "-4",
          "addr",
          "show",
          "dev",
          hostNames.eniInner(P, ENI.networkInterfaceId),
        ]),
      ).toBe("");
      expect(await pingFromFabric(ENI.privateIpAddress)).toBe(false);
      await attachEni(P, ENI, B, 1);
      expect(await linkByMac(B, ENI.macAddress)).toBe("eth1");
      expect(await run("ip", ["-n", B, "route", "show", "default"])).toBe("");
      expect(await pingFromFabric(ENI.privateIpAddress)).toBe(true);
    });

    it("drops traffic to the address while held, and lets it through once released", async () => {
      await holdTraffic(B, ENI.privateIpAddress);
      expect(await runIn(B, "iptables", ["-S", "INPUT"])).toContain("-A INPUT -d 10.0.1.20/32 -j DROP");
      expect(await pingFromFabric(ENI.privateIpAddress)).toBe(false);
      await releaseTraffic(B, ENI.privateIpAddress);
      expect(await runIn(B, "iptables", ["-S", "INPUT"])).toBe("-P INPUT ACCEPT");
      expect(await pingFromFabric(ENI.privateIpAddress)).toBe(true);
    });

    it("reaches the ENI through its Elastic IP only while associated", async () => {
      const eip = "198.51.100.7";
      expect(await pingFromFabric(eip)).toBe(false);
      await associatePublicIp(P, ENI, eip, ENI.privateIpAddress);
      expect(await pingFromFabric(eip)).toBe(true);
      await disassociatePublicIp(P, eip, ENI.privateIpAddress);
      expect(await pingFromFabric(eip)).toBe(false);
    });
  },
);
