import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AttachNetworkInterfaceCommand,
  AttachVolumeCommand,
  CreateNetworkInterfaceCommand,
  CreateVolumeCommand,
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeVolumesCommand,
  DetachNetworkInterfaceCommand,
  DetachVolumeCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  waitUntilInstanceRunning,
  waitUntilInstanceTerminated,
  waitUntilVolumeAvailable,
} from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AMI, harness, until, type Harness } from "../../support/emulator-harness.js";

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

const waitOptions = () => ({ client: h.ec2, maxWaitTime: 20, minDelay: 0.01, maxDelay: 0.02 });

async function volumeState(id: string) {
  const v = (await h.ec2.send(new DescribeVolumesCommand({ VolumeIds: [id] }))).Volumes![0];
  return { state: v.State, attachments: v.Attachments!.map((a) => [a.InstanceId, a.State]) };
}

async function eniState(id: string) {
  const e = (await h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] })))
    .NetworkInterfaces![0];
  return {
    status: e.Status,
    instance: e.Attachment?.InstanceId,
    attachment: e.Attachment?.Status,
    publicIp: e.Association?.PublicIp,
  };
}

/** Advance virtual time while a waiter polls, until it settles. */
async function waitWhileAdvancing<T>(waiting: Promise<T>, stepMs: number): Promise<T> {
  let done = false;
  void waiting.finally(() => (done = true));
  for (let i = 0; i < 200 && !done; i++) {
    await h.clock.advance(stepMs);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return waiting;
}

describe("the attach/detach dance of one hop, through the real SDK", () => {
  it("runs B, moves volume and ENI (with its Elastic IP) from A to B, terminates A", async () => {
    const zone = { AvailabilityZone: "us-east-1c" };
    const a = (
      await h.ec2.send(
        new RunInstancesCommand({
          ImageId: AMI,
          InstanceType: "m4.large",
          MinCount: 1,
          MaxCount: 1,
          Placement: zone,
        }),
      )
    ).Instances![0].InstanceId!;
    const vol = (
      await h.ec2.send(new CreateVolumeCommand({ ...zone, Size: 16, VolumeType: "gp3", Encrypted: true }))
    ).VolumeId!;
    const subnet = h.emulator.state.instances.get(a)!.subnetId;
    const eni = (await h.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnet }))).NetworkInterface!
      .NetworkInterfaceId!;
    const eip = await h.ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
    await h.ec2.send(
      new AssociateAddressCommand({ AllocationId: eip.AllocationId, NetworkInterfaceId: eni }),
    );
    await h.clock.advance(1000);
    await h.ec2.send(new AttachVolumeCommand({ VolumeId: vol, InstanceId: a, Device: "/dev/sdf" }));
    const firstAttachment = await h.ec2.send(
      new AttachNetworkInterfaceCommand({ NetworkInterfaceId: eni, InstanceId: a, DeviceIndex: 1 }),
    );
    await h.clock.advance(1000);
    expect(await volumeState(vol)).toEqual({ state: "in-use", attachments: [[a, "attached"]] });
    expect(await eniState(eni)).toEqual({
      status: "in-use",
      instance: a,
      attachment: "attached",
      publicIp: eip.PublicIp,
    });

    // 1. Acquire the target in the same zone (spot), idempotently; A keeps running.
    const acquire = {
      ImageId: AMI,
      InstanceType: "c4.xlarge" as const,
      MinCount: 1,
      MaxCount: 1,
      Placement: zone,
      ClientToken: "hop-1-acquire",
      InstanceMarketOptions: { MarketType: "spot" as const },
    };
    const b = (await h.ec2.send(new RunInstancesCommand(acquire))).Instances![0].InstanceId!;
    const running = waitUntilInstanceRunning(waitOptions(), { InstanceIds: [b] });
    await until(() => (h.emulator.state.requestCounts.get("DescribeInstances") ?? 0) >= 1, "the first poll");
    expect((await waitWhileAdvancing(running, 100)).state).toBe("SUCCESS");
    expect((await h.ec2.send(new RunInstancesCommand(acquire))).Instances![0].InstanceId).toBe(b);

    // 4. Detach both from A ...
    await h.ec2.send(new DetachVolumeCommand({ VolumeId: vol, InstanceId: a }));
    await h.ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: firstAttachment.AttachmentId! }));
    expect(await volumeState(vol)).toEqual({ state: "in-use", attachments: [[a, "detaching"]] });
    expect((await eniState(eni)).attachment).toBe("detaching");
    const freed = waitUntilVolumeAvailable(waitOptions(), { VolumeIds: [vol] });
    expect((await waitWhileAdvancing(freed, 50)).state).toBe("SUCCESS");
    await h.clock.advance(480);
    expect(await eniState(eni)).toEqual({
      status: "available",
      instance: undefined,
      attachment: undefined,
      publicIp: eip.PublicIp,
    });

    // ... and attach both to B.
    await h.ec2.send(new AttachVolumeCommand({ VolumeId: vol, InstanceId: b, Device: "/dev/sdf" }));
    await h.ec2.send(
      new AttachNetworkInterfaceCommand({ NetworkInterfaceId: eni, InstanceId: b, DeviceIndex: 1 }),
    );
    await h.clock.advance(480);
    expect(await volumeState(vol)).toEqual({ state: "in-use", attachments: [[b, "attached"]] });
    expect(await eniState(eni)).toEqual({
      status: "in-use",
      instance: b,
      attachment: "attached",
      publicIp: eip.PublicIp,
    });
    const address = (await h.ec2.send(new DescribeAddressesCommand({ AllocationIds: [eip.AllocationId!] })))
      .Addresses![0];
    expect(address).toMatchObject({ InstanceId: b, NetworkInterfaceId: eni });

    // 6. Terminate the source; the moved resources stay with B.
    await h.ec2.send(new TerminateInstancesCommand({ InstanceIds: [a] }));
    const gone = waitUntilInstanceTerminated(waitOptions(), { InstanceIds: [a] });
    expect((await waitWhileAdvancing(gone, 100)).state).toBe("SUCCESS");
    expect(await volumeState(vol)).toEqual({ state: "in-use", attachments: [[b, "attached"]] });
    expect((await eniState(eni)).instance).toBe(b);
    const states = await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [a, b] }));
    expect(states.Reservations!.map((r) => r.Instances![0].State?.Name)).toEqual(["terminated", "running"]);

    const moves = h.backend.calls
      .filter(
        (c) =>
          ("volumeId" in c && c.volumeId === vol) ||
          ("networkInterfaceId" in c && c.networkInterfaceId === eni) ||
          (c.op === "createInterface" && c.networkInterface.networkInterfaceId === eni) ||
          c.op === "terminateInstance",
      )
      .map((c) => [
        c.op,
        "instanceId" in c ? (c.instanceId === a ? "A" : c.instanceId === b ? "B" : c.instanceId) : "-",
      ]);
    expect(moves).toEqual([
      ["createInterface", "-"],
      ["associateAddress", "-"],
      ["attachVolume", "A"],
      ["attachInterface", "A"],
      ["detachVolume", "A"],
      ["detachInterface", "A"],
      ["attachVolume", "B"],
      ["attachInterface", "B"],
      ["terminateInstance", "A"],
    ]);
    expect(h.emulator.state.backendErrors).toEqual([]);
  });
});
