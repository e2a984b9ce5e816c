import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HopExecutor, TAG_STACK } from "../../../src/drivers/live/hop/hop.js";
import { Journal } from "../../../src/drivers/live/hop/journal.js";
import { resumeOpenHops } from "../../../src/drivers/live/hop/resume.js";
import type { Clock } from "../../../src/util/clock.js";
import { FakeContainerHost, fakeComputeWorld } from "../../support/fake-container-host.js";
import { FakeEc2Compute } from "../../support/fake-ec2-compute.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-hop-fake-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function setup() {
  const compute = new FakeEc2Compute();
  compute.add("i-home", { [TAG_STACK]: "s" });
  compute.volume = { instanceId: "i-home" };
  compute.eni = { instanceId: "i-home", attachmentId: "eni-attach-0" };
  let now = 0;
  const clock: Clock = {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  };
  const host = new FakeContainerHost(fakeComputeWorld(compute), "i-home");
  const journal = await Journal.create(join(dir, "journal.json"), "s", "i-home");
  const executor = new HopExecutor({
    compute,
    host,
    journal,
    clock,
    resources: {
      imageId: "ami-0",
      volumeId: "vol-1",
      volumeDevice: "/dev/sdf",
      networkInterfaceId: "eni-1",
      deviceIndex: 1,
    },
    retry: { attempts: 3, capacityAttempts: 1, baseDelayMs: 10, maxDelayMs: 10 },
    timeouts: { running: 1_000, attach: 1_000, detach: 1_000, forcedDetach: 1_000, poll: 50 },
  });
  return { compute, container: host, executor, journal };
}

const target = { instanceType: "c4.xlarge", zone: "z", lifecycle: "spot" as const };

describe("what the emulator cannot inject (fake EC2 compute)", () => {
  it("a launch whose response was lost is retried with the same ClientToken and launches once", async () => {
    const { compute, container, executor } = await setup();
    compute.loseLaunchResponses = 1;
    const hop = await executor.hop(target);
    expect(compute.calls.filter((c) => c === "RunInstances")).toHaveLength(2);
    expect([...compute.instances.keys()]).toEqual(["i-home", "i-fake1"]);
    expect(hop.targetInstanceId).toBe("i-fake1");
    expect(container.runningOn).toBe("i-fake1");
    expect(compute.instances.get("i-home")!.state).toBe("terminated");
  });

  it("a new instance EC2 does not list yet (eventual consistency) is polled again, not given up", async () => {
    const { compute, container, executor } = await setup();
    compute.invisibleFor = 3;
    const hop = await executor.hop(target);
    expect(hop.outcome).toBe("done");
    expect(container.runningOn).toBe("i-fake1");
  });
});

describe("a hop the container host fails (fake EC2 compute)", () => {
  it("a failed restore on a healthy target falls back: volume and container on the source, the target terminated", async () => {
    const { compute, container, executor, journal } = await setup();
    const restore = executor.deps.host.restore.bind(executor.deps.host);
    let failures = 1;
    executor.deps.host.restore = async (on) => {
      if (failures-- > 0) throw new Error("criu restore failed");
      await restore(on);
    };
    await expect(executor.hop(target)).rejects.toThrow(
      "restore on i-fake1 failed on the container host: criu restore failed",
    );
    expect(journal.openHops()).toEqual([]);
    expect(journal.hops[0]).toMatchObject({ outcome: "fell-back", hostSide: true });
    expect([container.runningOn, compute.volume?.instanceId, journal.home]).toEqual([
      "i-home",
      "i-home",
      "i-home",
    ]);
    expect(compute.instances.get("i-fake1")!.state).toBe("terminated");
    expect(await resumeOpenHops(executor)).toEqual([]);
  });

  it("a restore that fails on the source too leaves the hop open for resume, which restores there", async () => {
    const { container, executor, journal } = await setup();
    const restore = executor.deps.host.restore.bind(executor.deps.host);
    let failures = 2;
    executor.deps.host.restore = async (on) => {
      if (failures-- > 0) throw new Error("criu restore failed");
      await restore(on);
    };
    await expect(executor.hop(target)).rejects.toThrow(
      "restore-source on i-home failed on the container host: criu restore failed",
    );
    expect(journal.openHops().map((h) => h.id)).toEqual(["hop-000001"]);
    await expect(executor.hop(target)).rejects.toMatchObject({ code: "HOTSPOT_LIVE_HOP_OPEN" });
    expect(await resumeOpenHops(executor)).toEqual([{ hop: "hop-000001", outcome: "fell-back" }]);
    expect([container.runningOn, journal.home]).toEqual(["i-home", "i-home"]);
  });
});
