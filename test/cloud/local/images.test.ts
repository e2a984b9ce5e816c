import {
  CreateImageCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  RegisterImageCommand,
  RunInstancesCommand,
  StopInstancesCommand,
  type RunInstancesCommandInput,
} from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILT_IN_INSTANCE_TYPES, DEBIAN_OWNER_ID, LOCAL_HOST_ROOT } from "../../../src/cloud/local/index.js";
import { AMI, errorOf, harness, START_MS, type Harness } from "../../support/emulator-harness.js";

let h: Harness;
beforeEach(async () => {
  // The built-in catalog has no Graviton type; one is added for the arm64 builder.
  h = await harness({
    instanceTypes: [...BUILT_IN_INSTANCE_TYPES, { type: "m6g.large", vcpus: 2, memoryMiB: 8192 }],
  });
});
afterEach(async () => {
  await h.close();
});

const DEBIAN_ARM64_NEWEST = "ami-0d12b0000000000b2";

async function launch(overrides: Partial<RunInstancesCommandInput> = {}): Promise<string> {
  const out = await h.ec2.send(
    new RunInstancesCommand({
      ImageId: AMI,
      InstanceType: "m5.large",
      MinCount: 1,
      MaxCount: 1,
      ...overrides,
    }),
  );
  return out.Instances![0].InstanceId!;
}

// Latency factor 1/100: on-demand acquire 16-31 s → ≤ 310 ms; stop 31-46 s → 310-460 ms;
// image creation 120-300 s → 1.2-3 s.

describe("images and their snapshots: CreateImage, RegisterImage, DescribeImages, DeregisterImage, DescribeSnapshots, DeleteSnapshot", () => {
  it("finds the newest official Debian 12 arm64 image by owner and name pattern", async () => {
    const out = await h.ec2.send(
      new DescribeImagesCommand({
        Owners: [DEBIAN_OWNER_ID],
        Filters: [
          { Name: "name", Values: ["debian-12-arm64-*"] },
          { Name: "architecture", Values: ["arm64"] },
        ],
      }),
    );
    const images = out.Images!.map((i) => [i.ImageId, i.Name, i.CreationDate]);
    expect(images).toEqual([
      ["ami-0d12b0000000000b1", "debian-12-arm64-20250428-2096", "2025-04-28T21:00:00.000Z"],
      ["ami-0d12b0000000000b2", "debian-12-arm64-20250610-2137", "2025-06-10T21:37:00.000Z"],
    ]);
    const amd = await h.ec2.send(
      new DescribeImagesCommand({
        Owners: [DEBIAN_OWNER_ID],
        Filters: [{ Name: "architecture", Values: ["x86_64"] }],
      }),
    );
    expect(amd.Images!.map((i) => i.Name)).toEqual([
      "debian-12-amd64-20250428-2096",
      "debian-12-amd64-20250610-2137",
    ]);
    expect(
      (await errorOf(h.ec2.send(new DescribeImagesCommand({ ImageIds: ["ami-00000000000000999"] })))).name,
    ).toBe("InvalidAMIID.NotFound");
    expect((await errorOf(h.ec2.send(new DescribeImagesCommand({ ImageIds: ["ami-xyz"] })))).name).toBe(
      "InvalidAMIID.Malformed",
    );
  });

  it("CreateImage of a stopped arm64 builder: pending, then available with its tags, a completed 8 GiB snapshot, arm64", async () => {
    const id = await launch({ ImageId: DEBIAN_ARM64_NEWEST, InstanceType: "m6g.large" });
    await h.clock.advance(310);
    await h.ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    await h.clock.advance(460);
    const created = await h.ec2.send(
      new CreateImageCommand({
        InstanceId: id,
        Name: "hotspot-t1-0.1.0-abc",
        TagSpecifications: [
          { ResourceType: "image", Tags: [{ Key: "hotspot:setup", Value: "t1" }] },
          { ResourceType: "snapshot", Tags: [{ Key: "hotspot:setup", Value: "t1" }] },
        ],
      }),
    );
    const imageId = created.ImageId!;
    const describe = async () =>
      (await h.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images![0];
    const pending = await describe();
    expect([pending.State, pending.Architecture, pending.OwnerId]).toEqual([
      "pending",
      "arm64",
      "123456789012",
    ]);
    expect(pending.CreationDate).toBe(new Date(START_MS + 770).toISOString());
    const snapshotId = pending.BlockDeviceMappings![0].Ebs!.SnapshotId!;
    expect(pending.BlockDeviceMappings![0]).toMatchObject({
      DeviceName: "/dev/xvda",
      Ebs: { VolumeSize: 8 },
    });
    await h.clock.advance(3000);
    expect((await describe()).State).toBe("available");
    expect((await describe()).Tags).toEqual([{ Key: "hotspot:setup", Value: "t1" }]);
    const snaps = await h.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ["self"] }));
    expect(snaps.Snapshots!.map((s) => [s.SnapshotId, s.State, s.VolumeSize, s.Tags])).toEqual([
      [snapshotId, "completed", 8, [{ Key: "hotspot:setup", Value: "t1" }]],
    ]);
    const own = await h.ec2.send(new DescribeImagesCommand({ Owners: ["self"] }));
    expect(own.Images!.map((i) => i.ImageId)).toEqual([imageId]);
    const byTag = await h.ec2.send(
      new DescribeImagesCommand({ Filters: [{ Name: "tag:hotspot:setup", Values: ["t1"] }] }),
    );
    expect(byTag.Images!.map((i) => i.ImageId)).toEqual([imageId]);
    const again = await errorOf(
      h.ec2.send(new CreateImageCommand({ InstanceId: id, Name: "hotspot-t1-0.1.0-abc" })),
    );
    expect([again.name, again.message]).toEqual([
      "InvalidAMIName.Duplicate",
      `AMI name hotspot-t1-0.1.0-abc is already in use by AMI ${imageId}`,
    ]);

    const inUse = await errorOf(h.ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })));
    expect([inUse.name, inUse.message]).toEqual([
      "InvalidSnapshot.InUse",
      `The snapshot ${snapshotId} is currently in use by ${imageId}`,
    ]);
    await h.ec2.send(new DeregisterImageCommand({ ImageId: imageId }));
    expect((await errorOf(h.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] })))).name).toBe(
      "InvalidAMIID.NotFound",
    );
    await h.ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
    expect((await h.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ["self"] }))).Snapshots).toEqual([]);
  });

  it("CreateImage refuses a pending instance and a bad name; DeregisterImage refuses a public image", async () => {
    const id = await launch();
    expect((await errorOf(h.ec2.send(new CreateImageCommand({ InstanceId: id, Name: "x1" })))).name).toBe(
      "IncorrectInstanceState",
    );
    await h.clock.advance(310);
    expect((await errorOf(h.ec2.send(new CreateImageCommand({ InstanceId: id, Name: "a" })))).name).toBe(
      "InvalidParameterValue",
    );
    expect(
      (await errorOf(h.ec2.send(new DeregisterImageCommand({ ImageId: DEBIAN_ARM64_NEWEST })))).name,
    ).toBe("AuthFailure");
  });

  it("RegisterImage of the local cloud's own filesystem: available at once, no snapshot", async () => {
    const out = await h.ec2.send(
      new RegisterImageCommand({
        Name: "hotspot-local",
        Architecture: "x86_64",
        ImageLocation: LOCAL_HOST_ROOT,
      }),
    );
    const image = (await h.ec2.send(new DescribeImagesCommand({ ImageIds: [out.ImageId!] }))).Images![0];
    expect([image.State, image.ImageLocation, image.RootDeviceType, image.BlockDeviceMappings]).toEqual([
      "available",
      LOCAL_HOST_ROOT,
      "instance-store",
      [],
    ]);
    const other = await errorOf(
      h.ec2.send(new RegisterImageCommand({ Name: "x-other", ImageLocation: "bucket/manifest.xml" })),
    );
    expect(other.name).toBe("InvalidParameterValue");
  });
});

describe("RunInstances matches the image's architecture to the type's, as EC2 does", () => {
  it("refuses an arm64 image on an x86_64 type and an x86_64 image on a Graviton type; launches matching pairs", async () => {
    h = await harness({
      instanceTypes: [
        ...BUILT_IN_INSTANCE_TYPES,
        { type: "m6g.large", vcpus: 2, memoryMiB: 8192, architectures: ["arm64"] },
      ],
    });
    const wrong = await errorOf(launch({ ImageId: DEBIAN_ARM64_NEWEST, InstanceType: "m5.large" }));
    expect(wrong).toEqual({
      name: "InvalidParameterValue",
      message:
        "The architecture 'x86_64' of the specified instance type does not match the architecture 'arm64' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again.",
      status: 400,
    });
    const x86 = (
      await h.ec2.send(
        new DescribeImagesCommand({
          Owners: [DEBIAN_OWNER_ID],
          Filters: [{ Name: "architecture", Values: ["x86_64"] }],
        }),
      )
    ).Images![0].ImageId!;
    expect((await errorOf(launch({ ImageId: x86, InstanceType: "m6g.large" }))).name).toBe(
      "InvalidParameterValue",
    );
    expect(await launch({ ImageId: DEBIAN_ARM64_NEWEST, InstanceType: "m6g.large" })).toMatch(/^i-/);
    expect(await launch({ ImageId: x86, InstanceType: "m5.large" })).toMatch(/^i-/);
  });
});

describe("a missing IAM permission (fault UnauthorizedOperation)", () => {
  it("answers the denied action, DryRun included, with UnauthorizedOperation (403); others still DryRunOperation", async () => {
    h.emulator.faults.deny("RunInstances");
    const denied = await errorOf(
      h.ec2.send(
        new RunInstancesCommand({
          ImageId: AMI,
          InstanceType: "m5.large",
          MinCount: 1,
          MaxCount: 1,
          DryRun: true,
        }),
      ),
    );
    expect([denied.name, denied.status]).toEqual(["UnauthorizedOperation", 403]);
    const allowed = await errorOf(
      h.ec2.send(new CreateImageCommand({ InstanceId: "i-00000000000000001", Name: "abc", DryRun: true })),
    );
    expect([allowed.name, allowed.status]).toEqual(["DryRunOperation", 412]);
  });
});
