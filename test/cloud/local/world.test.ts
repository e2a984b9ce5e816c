import {
  AttachVolumeCommand,
  CreateVolumeCommand,
  DescribeInstancesCommand,
  DescribeVolumesCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryHostBackend } from "../../../src/cloud/local/memory-backend.js";
import { AMI, harness, type Harness } from "../../support/emulator-harness.js";

/** A data plane that refuses some operations and is slow on others (fake backend). */
class FlakyBackend extends MemoryHostBackend {
  failStart = false;
  failAttachVolume = false;
  startGate: Promise<void> = Promise.resolve();

  override async startInstance(...args: Parameters<MemoryHostBackend["startInstance"]>): Promise<void> {
    await super.startInstance(...args);
    await this.startGate;
    if (this.failStart) throw new Error("netns: cannot create");
  }

  override async attachVolume(...args: Parameters<MemoryHostBackend["attachVolume"]>): Promise<void> {
    await super.attachVolume(...args);
    if (this.failAttachVolume) throw new Error("losetup: no free loop device");
  }
}

let h: Harness;
afterEach(async () => {
  await h.close();
});

async function instanceOf(id: string) {
  return (await h.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]
    .Instances![0];
}

describe("the emulator waits for its data plane (fake backend)", () => {
  it("a failed startInstance ends in terminated with Server.InternalError, recorded in backendErrors", async () => {
    const backend = new FlakyBackend();
    backend.failStart = true;
    h = await harness({ backend });
    const id = (
      await h.ec2.send(
        new RunInstancesCommand({ ImageId: AMI, InstanceType: "m4.large", MinCount: 1, MaxCount: 1 }),
      )
    ).Instances![0].InstanceId!;
    await h.clock.advance(1000);
    const instance = await instanceOf(id);
    expect(instance.State?.Name).toBe("terminated");
    expect(instance.StateReason?.Code).toBe("Server.InternalError");
    expect(h.emulator.state.backendErrors.map((e) => [e.operation, e.resourceId, e.message])).toEqual([
      ["startInstance", id, "netns: cannot create"],
    ]);
    expect(backend.calls.map((c) => c.op)).toEqual([
      "createInterface",
      "startInstance",
      "detachInterface",
      "terminateInstance",
      "deleteInterface",
    ]);
  });

  it("stays pending while the data plane is slower than the modelled latency", async () => {
    const backend = new FlakyBackend();
    let release = (): void => undefined;
    backend.startGate = new Promise((resolve) => (release = resolve));
    h = await harness({ backend });
    const id = (
      await h.ec2.send(
        new RunInstancesCommand({ ImageId: AMI, InstanceType: "m4.large", MinCount: 1, MaxCount: 1 }),
      )
    ).Instances![0].InstanceId!;
    await h.clock.advance(60_000);
    expect((await instanceOf(id)).State?.Name).toBe("pending");
    release();
    await h.clock.advance(0);
    expect((await instanceOf(id)).State?.Name).toBe("running");
  });

  it("a failed attach leaves the volume available again", async () => {
    const backend = new FlakyBackend();
    backend.failAttachVolume = true;
    h = await harness({ backend });
    const id = (
      await h.ec2.send(
        new RunInstancesCommand({ ImageId: AMI, InstanceType: "m4.large", MinCount: 1, MaxCount: 1 }),
      )
    ).Instances![0].InstanceId!;
    const vol = (await h.ec2.send(new CreateVolumeCommand({ AvailabilityZone: "us-east-1a", Size: 4 })))
      .VolumeId!;
    await h.clock.advance(1000);
    await h.ec2.send(new AttachVolumeCommand({ VolumeId: vol, InstanceId: id, Device: "/dev/sdf" }));
    await h.clock.advance(1000);
    const v = (await h.ec2.send(new DescribeVolumesCommand({ VolumeIds: [vol] }))).Volumes![0];
    expect([v.State, v.Attachments]).toEqual(["available", []]);
    expect(h.emulator.state.backendErrors.map((e) => e.operation)).toEqual(["attachVolume"]);
  });

  it("terminating a pending instance waits for its start, then releases it", async () => {
    h = await harness();
    const id = (
      await h.ec2.send(
        new RunInstancesCommand({ ImageId: AMI, InstanceType: "m4.large", MinCount: 1, MaxCount: 1 }),
      )
    ).Instances![0].InstanceId!;
    const out = await h.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(out.TerminatingInstances![0].PreviousState?.Name).toBe("pending");
    await h.clock.advance(1000);
    expect((await instanceOf(id)).State?.Name).toBe("terminated");
    expect(h.backend.calls.map((c) => c.op)).toEqual([
      "createInterface",
      "startInstance",
      "attachInterface",
      "detachInterface",
      "terminateInstance",
      "deleteInterface",
    ]);
  });
});
