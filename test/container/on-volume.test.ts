import { describe, expect, it } from "vitest";
import {
  TAG_ROLE,
  WORKBENCH_ROLE,
  withVolumeMounted,
  type OnVolumeOptions,
} from "../../src/container/on-volume.js";
import { FakeEc2Compute } from "../support/fake-ec2-compute.js";
import { fakeClock } from "../support/recording-runner.js";

function options(compute: FakeEc2Compute, instanceId: string | null, events: string[]): OnVolumeOptions {
  return {
    compute,
    volumeId: "vol-1",
    device: "/dev/sdf",
    machine: {
      instanceId,
      mount: async (id) => (events.push(`mount on ${id}`), "/mnt/hotspot"),
      unmount: async (id) => void events.push(`unmount on ${id}`),
    },
    workbench: {
      imageId: "ami-1",
      instanceType: "m4.large",
      zone: "us-east-1a",
      subnetId: "subnet-1",
      tags: { "hotspot:setup": "t" },
      clientToken: "workbench-1",
    },
    clock: fakeClock(),
    progress: (line) => events.push(line),
  };
}

const live = (compute: FakeEc2Compute) =>
  [...compute.instances.values()].filter((i) => i.state !== "terminated").map((i) => i.id);

describe("withVolumeMounted: the volume mounted for container create, and let go after", () => {
  it("refuses a volume attached to another instance that is no workbench, launching and attaching nothing", async () => {
    const compute = new FakeEc2Compute();
    compute.add("i-home", {});
    compute.volume = { instanceId: "i-home" };
    let worked = false;
    await expect(
      withVolumeMounted(options(compute, null, []), async () => {
        worked = true;
      }),
    ).rejects.toThrow(
      "volume vol-1 is attached to i-home (m4.large, running): expected it free or attached to this machine; if a container was launched on it, `hotspot down` first",
    );
    expect(worked).toBe(false);
    expect(compute.calls.filter((c) => !c.startsWith("Describe"))).toEqual([]);
    expect(compute.volume).toEqual({ instanceId: "i-home" });
  });

  it("launches a workbench, and when the work fails unmounts, detaches and terminates it, rethrowing", async () => {
    const compute = new FakeEc2Compute();
    const events: string[] = [];
    await expect(
      withVolumeMounted(options(compute, null, events), async (mountPoint) => {
        expect(mountPoint).toBe("/mnt/hotspot");
        throw new Error("lxc-create failed");
      }),
    ).rejects.toThrow("lxc-create failed");
    expect(compute.calls.filter((c) => !c.startsWith("Describe"))).toEqual([
      "RunInstances",
      "AttachVolume",
      "DetachVolume",
      "TerminateInstances",
    ]);
    expect(events.filter((e) => e.startsWith("mount") || e.startsWith("unmount"))).toEqual([
      "mount on i-fake1",
      "unmount on i-fake1",
    ]);
    expect(compute.instances.get("i-fake1")?.request.tags[TAG_ROLE]).toBe(WORKBENCH_ROLE);
    expect(live(compute)).toEqual([]);
    expect(compute.volume).toBeNull();
  });

  it("takes over a workbench an interrupted run left holding the volume, and ends it", async () => {
    const compute = new FakeEc2Compute();
    compute.add("i-bench", { [TAG_ROLE]: WORKBENCH_ROLE });
    compute.volume = { instanceId: "i-bench" };
    const events: string[] = [];
    expect(await withVolumeMounted(options(compute, null, events), async () => "made")).toBe("made");
    expect(events).toContain("volume vol-1 is attached to i-bench (a workbench left by an earlier run)");
    expect(compute.calls).not.toContain("RunInstances");
    expect(live(compute)).toEqual([]);
    expect(compute.volume).toBeNull();
  });

  it("on the machine that already holds the volume, mounts it there and neither detaches nor terminates", async () => {
    const compute = new FakeEc2Compute();
    compute.add("i-self", {});
    compute.volume = { instanceId: "i-self" };
    const events: string[] = [];
    await withVolumeMounted(options(compute, "i-self", events), async () => undefined);
    expect(events.filter((e) => e.startsWith("mount") || e.startsWith("unmount"))).toEqual([
      "mount on i-self",
    ]);
    expect(compute.calls.filter((c) => !c.startsWith("Describe"))).toEqual([]);
    expect(live(compute)).toEqual(["i-self"]);
  });
});
