import { describe, expect, it } from "vitest";
import { MemoryHostBackend } from "../../../src/cloud/local/memory-backend.js";

describe("MemoryHostBackend", () => {
  it("succeeds at once and records every call, in call order, with its arguments", async () => {
    const backend = new MemoryHostBackend();
    await backend.createVolume({ id: "vol-1", sizeGiB: 8 } as never);
    await backend.attachVolume("vol-1", "i-1", "/dev/sdf");
    await backend.detachVolume("vol-1", "i-1", { force: true });
    await backend.attachInterface("eni-1", "i-1", 1);
    await backend.detachInterface("eni-1", "i-1", { force: false });
    await backend.associateAddress("198.51.100.7", "eni-1", "10.0.1.10");
    await backend.disassociateAddress("198.51.100.7", "eni-1");
    await backend.stopInstance("i-1");
    await backend.terminateInstance("i-1");
    await backend.deleteInterface("eni-1");
    await backend.deleteVolume("vol-1");
    await backend.close();
    expect(backend.calls).toEqual([
      { op: "createVolume", volume: { id: "vol-1", sizeGiB: 8 } },
      { op: "attachVolume", volumeId: "vol-1", instanceId: "i-1", device: "/dev/sdf" },
      { op: "detachVolume", volumeId: "vol-1", instanceId: "i-1", force: true },
      { op: "attachInterface", networkInterfaceId: "eni-1", instanceId: "i-1", deviceIndex: 1 },
      { op: "detachInterface", networkInterfaceId: "eni-1", instanceId: "i-1", force: false },
      {
        op: "associateAddress",
        publicIp: "198.51.100.7",
        networkInterfaceId: "eni-1",
        privateIpAddress: "10.0.1.10",
      },
      { op: "disassociateAddress", publicIp: "198.51.100.7", networkInterfaceId: "eni-1" },
      { op: "stopInstance", instanceId: "i-1" },
      { op: "terminateInstance", instanceId: "i-1" },
      { op: "deleteInterface", networkInterfaceId: "eni-1" },
      { op: "deleteVolume", volumeId: "vol-1" },
      { op: "close" },
    ]);
  });
});
