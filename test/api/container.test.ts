import { join } from "node:path";
import { AttachVolumeCommand, EC2Client } from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runInstance, startStackWorld, type StackWorld } from "../support/stack-world.js";
import { createContainer, type CreateContainerRequest } from "../../src/api.js";
import { type Emulator } from "../../src/cloud/local/index.js";
import { HotspotError } from "../../src/errors.js";
import { writeLiveConfig } from "../../src/setup/config.js";
import { wallClock } from "../../src/util/clock.js";
import { sampleLiveConfig } from "../support/live-config.js";

// createContainer against the EC2 emulator (wall clock, no modelled latency) on the local cloud's side:
// no namespace host runs here, so nothing mounts the volume and the work never starts. What is
// checked is the volume's round trip: a workbench launched, the volume attached, both undone.
let world: StackWorld;
let emulator: Emulator;
let ec2: EC2Client;
let dir: string;
let volumeId: string;
let request: CreateContainerRequest;
const progress: string[] = [];
beforeEach(async () => {
  world = await startStackWorld("container");
  ({ emulator, ec2, dir, volumeId } = world);
  const { subnetId, eniId } = world;
  const configPath = join(dir, "hotspot.json");
  await writeLiveConfig(configPath, sampleLiveConfig({ volumeId, eniId, subnetId }));
  progress.length = 0;
  request = {
    configPath,
    local: async () => ({ endpoint: emulator.endpoint, hostsDir: join(dir, "hosts") }),
    source: { kind: "busybox" },
    app: "/bin/sleep 3600",
    binds: [],
    copies: [],
    replace: false,
    mount: "/mnt/hotspot",
    device: "/dev/sdf",
    metadata: "http://169.254.169.254",
    clock: wallClock,
    progress: (line) => progress.push(line),
  };
});
afterEach(() => world.close());

describe("createContainer on the local cloud", () => {
  it("launches a workbench for the volume, and undoes attachment and workbench when the volume is not mounted", async () => {
    const mountPoint = join(dir, "hosts", "mnt", volumeId);
    await expect(createContainer(request)).rejects.toThrow(
      new HotspotError(
        "HOTSPOT_HOST_STATE",
        `volume ${volumeId} is attached but the local cloud has not mounted it at ${mountPoint}`,
      ),
    );
    const workbench = [...emulator.state.instances.values()].find(
      (i) => i.tags.get("hotspot:role") === "workbench",
    )!;
    expect(workbench.instanceType).toBe("m4.large");
    expect(workbench.tags.get("hotspot:setup")).toBe("dry");
    expect(workbench.state).toBe("terminated");
    expect(emulator.state.volumes.get(volumeId)!.attachment).toBeNull();
    expect(progress).toEqual([
      `launching a workbench instance (m4.large on-demand in us-east-1a) to hold volume ${volumeId}`,
      `attaching volume ${volumeId} to ${workbench.id} as /dev/sdf`,
      `detaching volume ${volumeId} from ${workbench.id}`,
      `terminating workbench ${workbench.id}`,
    ]);
  });

  it("refuses a volume held by another instance, launching nothing", async () => {
    const other = await runInstance(ec2);
    while (emulator.state.instances.get(other)!.state !== "running") await wallClock.sleep(10);
    await ec2.send(new AttachVolumeCommand({ VolumeId: volumeId, InstanceId: other, Device: "/dev/sdf" }));
    const before = emulator.state.instances.size;
    await expect(createContainer(request)).rejects.toThrow(
      /^volume vol-\w+ is attached to i-\w+ \(m4\.large, /,
    );
    expect(emulator.state.instances.size).toBe(before);
  });
});
