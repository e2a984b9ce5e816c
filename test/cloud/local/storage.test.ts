import {
  AttachVolumeCommand,
  CreateVolumeCommand,
  DeleteVolumeCommand,
  DescribeVolumesCommand,
  DetachVolumeCommand,
  RunInstancesCommand,
  waitUntilVolumeAvailable,
  waitUntilVolumeDeleted,
  waitUntilVolumeInUse,
  type Volume,
} from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AMI, errorOf, harness, until, type Harness } from "../../support/emulator-harness.js";

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

const waitOptions = () => ({ client: h.ec2, maxWaitTime: 20, minDelay: 0.01, maxDelay: 0.02 });

async function volume(id: string): Promise<Volume> {
  return (await h.ec2.send(new DescribeVolumesCommand({ VolumeIds: [id] }))).Volumes![0];
}

async function runningInstance(zone: string): Promise<string> {
  const run = await h.ec2.send(
    new RunInstancesCommand({
      ImageId: AMI,
      InstanceType: "m4.large",
      MinCount: 1,
      MaxCount: 1,
      Placement: { AvailabilityZone: zone },
    }),
  );
  await h.clock.advance(1000);
  return run.Instances![0].InstanceId!;
}

async function availableVolume(zone: string): Promise<string> {
  const created = await h.ec2.send(
    new CreateVolumeCommand({ AvailabilityZone: zone, Size: 8, VolumeType: "gp3" }),
  );
  await h.clock.advance(100);
  return created.VolumeId!;
}

describe("EBS volumes through the real SDK", () => {
  it("creates gp3 encrypted: creating, then available (waitUntilVolumeAvailable), with tags", async () => {
    const created = await h.ec2.send(
      new CreateVolumeCommand({
        AvailabilityZone: "us-east-1a",
        Size: 20,
        VolumeType: "gp3",
        Encrypted: true,
        TagSpecifications: [{ ResourceType: "volume", Tags: [{ Key: "hotspot", Value: "disk" }] }],
      }),
    );
    expect(created).toMatchObject({
      State: "creating",
      Size: 20,
      VolumeType: "gp3",
      Encrypted: true,
      Iops: 3000,
      Throughput: 125,
    });
    expect(created.Tags).toEqual([{ Key: "hotspot", Value: "disk" }]);
    const waiting = waitUntilVolumeAvailable(waitOptions(), { VolumeIds: [created.VolumeId!] });
    await until(() => (h.emulator.state.requestCounts.get("DescribeVolumes") ?? 0) >= 1, "the first poll");
    await h.clock.advance(80);
    expect((await waiting).state).toBe("SUCCESS");
    expect(h.backend.calls[h.backend.calls.length - 1]).toEqual({
      op: "createVolume",
      volume: {
        volumeId: created.VolumeId,
        availabilityZone: "us-east-1a",
        sizeGiB: 20,
        volumeType: "gp3",
        encrypted: true,
      },
    });
  });

  it("rejects CreateVolume without a zone (MissingParameter) or with a size out of range", async () => {
    expect((await errorOf(h.ec2.send(new CreateVolumeCommand({ Size: 8 } as never)))).name).toBe(
      "MissingParameter",
    );
    const tooBig = await errorOf(
      h.ec2.send(new CreateVolumeCommand({ AvailabilityZone: "us-east-1a", Size: 20000, VolumeType: "gp3" })),
    );
    expect(tooBig.name).toBe("InvalidParameterValue");
  });

  it("attaches: in-use at once (waitUntilVolumeInUse), attachment attaching then attached within 18-48 s scaled", async () => {
    const instanceId = await runningInstance("us-east-1a");
    const volumeId = await availableVolume("us-east-1a");
    const att = await h.ec2.send(
      new AttachVolumeCommand({ VolumeId: volumeId, InstanceId: instanceId, Device: "/dev/sdf" }),
    );
    expect(att).toMatchObject({
      State: "attaching",
      Device: "/dev/sdf",
      InstanceId: instanceId,
      VolumeId: volumeId,
    });
    expect((await waitUntilVolumeInUse(waitOptions(), { VolumeIds: [volumeId] })).state).toBe("SUCCESS");
    await h.clock.advance(179);
    expect((await volume(volumeId)).Attachments![0].State).toBe("attaching");
    await h.clock.advance(480 - 179);
    const attached = await volume(volumeId);
    expect(attached.State).toBe("in-use");
    expect(attached.Attachments).toEqual([
      expect.objectContaining({
        State: "attached",
        InstanceId: instanceId,
        Device: "/dev/sdf",
        DeleteOnTermination: false,
      }),
    ]);
    const filtered = await h.ec2.send(
      new DescribeVolumesCommand({ Filters: [{ Name: "attachment.instance-id", Values: [instanceId] }] }),
    );
    expect(filtered.Volumes!.map((v) => v.VolumeId)).toEqual([volumeId]);
  });

  it("enforces zones (InvalidVolume.ZoneMismatch), one attachment (VolumeInUse) and states (IncorrectState)", async () => {
    const a = await runningInstance("us-east-1a");
    const b = await runningInstance("us-east-1b");
    const other = await runningInstance("us-east-1a");
    const volumeId = await availableVolume("us-east-1a");
    const mismatch = await errorOf(
      h.ec2.send(new AttachVolumeCommand({ VolumeId: volumeId, InstanceId: b, Device: "/dev/sdf" })),
    );
    expect(mismatch).toMatchObject({ name: "InvalidVolume.ZoneMismatch", status: 400 });
    const notDetached = await errorOf(h.ec2.send(new DetachVolumeCommand({ VolumeId: volumeId })));
    expect(notDetached.name).toBe("IncorrectState");
    await h.ec2.send(new AttachVolumeCommand({ VolumeId: volumeId, InstanceId: a, Device: "/dev/sdf" }));
    const inUse = await errorOf(
      h.ec2.send(new AttachVolumeCommand({ VolumeId: volumeId, InstanceId: other, Device: "/dev/sdf" })),
    );
    expect(inUse.name).toBe("VolumeInUse");
    const deleting = await errorOf(h.ec2.send(new DeleteVolumeCommand({ VolumeId: volumeId })));
    expect(deleting.name).toBe("VolumeInUse");
    const creating = await h.ec2.send(new CreateVolumeCommand({ AvailabilityZone: "us-east-1a", Size: 8 }));
    const early = await errorOf(
      h.ec2.send(
        new AttachVolumeCommand({ VolumeId: creating.VolumeId!, InstanceId: other, Device: "/dev/sdg" }),
      ),
    );
    expect(early.name).toBe("IncorrectState");
    const unknown = await errorOf(
      h.ec2.send(new DescribeVolumesCommand({ VolumeIds: ["vol-00000000000000bad"] })),
    );
    expect(unknown.name).toBe("InvalidVolume.NotFound");
  });

  it("detaches: detaching, then available; then deletes (waitUntilVolumeDeleted)", async () => {
    const instanceId = await runningInstance("us-east-1a");
    const volumeId = await availableVolume("us-east-1a");
    await h.ec2.send(
      new AttachVolumeCommand({ VolumeId: volumeId, InstanceId: instanceId, Device: "/dev/sdf" }),
    );
    await h.clock.advance(480);
    const det = await h.ec2.send(new DetachVolumeCommand({ VolumeId: volumeId, InstanceId: instanceId }));
    expect(det.State).toBe("detaching");
    await h.clock.advance(179);
    expect((await volume(volumeId)).Attachments![0].State).toBe("detaching");
    await h.clock.advance(480 - 179);
    expect(await volume(volumeId)).toMatchObject({ State: "available", Attachments: [] });
    await h.ec2.send(new DeleteVolumeCommand({ VolumeId: volumeId }));
    expect((await volume(volumeId)).State).toBe("deleting");
    await h.clock.advance(80);
    expect((await waitUntilVolumeDeleted(waitOptions(), { VolumeIds: [volumeId] })).state).toBe("SUCCESS");
    expect(h.backend.calls.filter((c) => c.op.endsWith("Volume")).map((c) => c.op)).toEqual([
      "createVolume",
      "attachVolume",
      "detachVolume",
      "deleteVolume",
    ]);
  });

  it("a stuck detach never completes until DetachVolume with Force", async () => {
    const instanceId = await runningInstance("us-east-1a");
    const volumeId = await availableVolume("us-east-1a");
    await h.ec2.send(
      new AttachVolumeCommand({ VolumeId: volumeId, InstanceId: instanceId, Device: "/dev/sdf" }),
    );
    await h.clock.advance(480);
    h.emulator.faults.stuckDetach(volumeId);
    await h.ec2.send(new DetachVolumeCommand({ VolumeId: volumeId }));
    await h.clock.advance(3_600_000);
    expect((await volume(volumeId)).Attachments![0].State).toBe("detaching");
    await h.ec2.send(new DetachVolumeCommand({ VolumeId: volumeId, Force: true }));
    expect((await volume(volumeId)).State).toBe("available");
  });

  it("a slow attachment takes its extra (scaled) seconds", async () => {
    const instanceId = await runningInstance("us-east-1a");
    const volumeId = await availableVolume("us-east-1a");
    h.emulator.faults.slow("attach", 100, volumeId);
    await h.ec2.send(
      new AttachVolumeCommand({ VolumeId: volumeId, InstanceId: instanceId, Device: "/dev/sdf" }),
    );
    await h.clock.advance(180 + 999);
    expect((await volume(volumeId)).Attachments![0].State).toBe("attaching");
    await h.clock.advance(480 + 1000 - 1179);
    expect((await volume(volumeId)).Attachments![0].State).toBe("attached");
  });
});
