import { CreateImageCommand, CreateVolumeCommand, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatInventory, localInventory } from "../../../src/cloud/local/inventory.js";
import type { LocalCloudInfo } from "../../../src/cloud/local/service.js";
import { AMI, harness, type Harness } from "../../support/emulator-harness.js";

let h: Harness;
let info: LocalCloudInfo;
beforeEach(async () => {
  h = await harness();
  info = {
    version: 1,
    pid: 4242,
    endpoint: h.emulator.endpoint,
    metadata: "http://127.0.0.1:1",
    region: "us-east-1",
    prefix: "hsc",
    hostsDir: "/var/lib/hotspot-local/hosts",
    startedAt: "2026-01-01T00:00:00.000Z",
    trace: null,
    speed: 1,
  };
});
afterEach(async () => {
  await h.close();
});

describe("hotspot local status: what the local cloud holds, read through the SDK", () => {
  it("lists instances, volumes and the account's own images, but not the public base images", async () => {
    const run = await h.ec2.send(
      new RunInstancesCommand({ ImageId: AMI, InstanceType: "m4.large", MinCount: 1, MaxCount: 1 }),
    );
    const instance = run.Instances![0].InstanceId!;
    // Running once the emulator's modelled launch latency has passed.
    await h.clock.advance(60_000);
    await h.ec2.send(new CreateVolumeCommand({ AvailabilityZone: "us-east-1a", Size: 8 }));
    const image = await h.ec2.send(new CreateImageCommand({ InstanceId: instance, Name: "hotspot-host-1" }));

    const inventory = await localInventory(info);
    expect(inventory.instances.map((i) => [i.id, i.type, i.lifecycle, i.imageId])).toEqual([
      [instance, "m4.large", "on-demand", AMI],
    ]);
    expect(inventory.volumes.map((v) => [v.sizeGiB, v.zone, v.attachedTo])).toEqual([
      [8, "us-east-1a", null],
    ]);
    expect(inventory.images.map((i) => [i.id, i.name])).toEqual([[image.ImageId, "hotspot-host-1"]]);

    const text = formatInventory(info, inventory);
    expect(text).toContain("images (1 of this account):");
    expect(text).toMatch(new RegExp(`\\n  ${image.ImageId} hotspot-host-1 x86_64 (pending|available)\\n`));
    expect(text).toContain("volumes (1):");
    expect(text).toContain(`  ${instance} m4.large on-demand running us-east-1a from ${AMI}; holds eni-`);
  });
});
