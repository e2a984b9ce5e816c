import { readFile, readlink, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostInstance, HostInterface } from "../../../../src/cloud/local/host-backend.js";
import { NamespaceHostBackend } from "../../../../src/cloud/local/hosts/namespace-backend.js";
import { linkByMac, netnsExists } from "../../../../src/cloud/local/hosts/network.js";
import { run } from "../../../../src/host/run.js";
import { isMounted } from "../../../../src/cloud/local/hosts/volumes.js";
import { hostSkipReason } from "../../../support/host-env.js";

const skip = hostSkipReason();
const STATE = "/tmp/hotspot-backend-test";

const instance = (instanceId: string): HostInstance => ({
  instanceId,
  instanceType: "m4.large",
  availabilityZone: "us-east-1c",
  vpcId: "vpc-1",
  subnetId: "subnet-1",
  vcpus: 2,
  memoryMiB: 8192,
  lifecycle: "spot",
  userData: null,
  tags: {},
});
const eni: HostInterface = {
  networkInterfaceId: "eni-00000000000000001",
  availabilityZone: "us-east-1c",
  vpcId: "vpc-1",
  subnetId: "subnet-1",
  subnetCidr: "10.0.1.0/24",
  privateIpAddress: "10.0.1.30",
  macAddress: "02:00:0a:00:01:1e",
};

describe.skipIf(skip !== undefined)(
  `NamespaceHostBackend, called as the emulator calls it${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    const backend = new NamespaceHostBackend({ prefix: "hsk", stateDir: STATE });
    beforeAll(async () => {
      await backend.init();
    });
    afterAll(async () => {
      await backend.close();
      await rm(STATE, { recursive: true, force: true });
    });

    it("runs a user-data script at boot as a process on the instance, ended with the instance", async () => {
      const out = join(STATE, "booted");
      const script = `#!/bin/sh\necho "$HOTSPOT_INSTANCE_ID" > ${out}\nexec sleep 600\n`;
      await backend.startInstance({ ...instance("i-9"), userData: new TextEncoder().encode(script) });
      let booted = "";
      for (let i = 0; i < 200 && booted === ""; i++) {
        booted = await readFile(out, "utf8").catch(() => "");
        if (booted === "") await new Promise((r) => setTimeout(r, 20));
      }
      expect(booted).toBe("i-9\n");
      const sleeper = (await run("pgrep", ["-f", "^sleep 600$"])).split("\n").filter(Boolean);
      expect(sleeper).toHaveLength(1);
      await backend.terminateInstance("i-9");
      await new Promise((r) => setTimeout(r, 100));
      expect(await run("pgrep", ["-f", "^sleep 600$"]).catch(() => "")).toBe("");
    });

    it("rejects an unknown interface, naming it", async () => {
      await expect(backend.attachInterface("eni-missing", "i-1", 0)).rejects.toThrow(
        "unknown network interface eni-missing (never created on this backend)",
      );
    });

    it("boots an instance as a namespace and gives it an ENI and a volume, then takes them to another", async () => {
      await backend.startInstance(instance("i-1"));
      await backend.startInstance(instance("i-2"));
      expect(await netnsExists("hsk-i-1")).toBe(true);
      await backend.createInterface(eni);
      await backend.attachInterface(eni.networkInterfaceId, "i-1", 1);
      expect(await linkByMac("hsk-i-1", eni.macAddress)).toBe("eth1");

      await backend.createVolume({
        volumeId: "vol-b",
        availabilityZone: "us-east-1c",
        sizeGiB: 1,
        volumeType: "gp3",
        encrypted: false,
      });
      await backend.attachVolume("vol-b", "i-1", "/dev/sdf");
      const device = await readlink(join(STATE, "hosts", "i-1", "dev", "sdf"));
      expect(device).toBe(await backend.volumes.loopDevice("vol-b"));
      expect(await isMounted(backend.volumes.mountPoint("vol-b"))).toBe(true);

      await backend.detachVolume("vol-b", "i-1", { force: false });
      await backend.detachInterface(eni.networkInterfaceId, "i-1", { force: false });
      await expect(readlink(join(STATE, "hosts", "i-1", "dev", "sdf"))).rejects.toThrow("ENOENT");
      expect(await linkByMac("hsk-i-1", eni.macAddress)).toBeUndefined();

      await backend.attachInterface(eni.networkInterfaceId, "i-2", 0);
      await backend.attachVolume("vol-b", "i-2", "/dev/sdg");
      expect(await linkByMac("hsk-i-2", eni.macAddress)).toBe("eth0");
      expect(await run("ip", ["-n", "hsk-i-2", "route", "show", "default"])).toBe(
        "default via 10.0.1.1 dev eth0",
      );
      expect(await readlink(join(STATE, "hosts", "i-2", "dev", "sdg"))).toBe(
        await backend.volumes.loopDevice("vol-b"),
      );

      await backend.terminateInstance("i-1");
      expect(await netnsExists("hsk-i-1")).toBe(false);
    });

    it("releases everything on close", async () => {
      await backend.close();
      expect(await netnsExists("hsk-i-2")).toBe(false);
      expect(await netnsExists("hsk-vpc")).toBe(false);
      expect(await isMounted(backend.volumes.mountPoint("vol-b"))).toBe(false);
      expect(await backend.volumes.loopDevice("vol-b")).toBeUndefined();
    });
  },
);
