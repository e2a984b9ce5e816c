import { describe, expect, it } from "vitest";
import { launchHome, type LaunchOptions } from "../../../src/drivers/live/launch.js";
import { OPERATOR_TAGS } from "../../../src/drivers/live/operator.js";
import type { LiveConfig } from "../../../src/setup/config.js";
import { FakeEc2Compute } from "../../support/fake-ec2-compute.js";
import { fakeClock } from "../../support/recording-runner.js";

const CONFIG: LiveConfig = {
  version: 1,
  name: "t",
  region: "us-east-1",
  zone: "us-east-1a",
  vpcId: "vpc-1",
  subnetId: "subnet-1",
  securityGroupId: "sg-1",
  eniId: "eni-1",
  privateIp: "10.0.1.10",
  allocationId: "eipalloc-1",
  publicIp: "203.0.113.1",
  volumeId: "vol-1",
  containerName: "app",
  instanceTypes: ["m4.large"],
  policy: { name: "greedy", params: {}, inputs: {} },
};

/** Volume tags kept in memory; `answer` plays the home's controller writing its status once launched. */
function memoryTags(answer?: (home: string) => Record<string, string>) {
  const tags: Record<string, string> = {};
  let home: string | null = null;
  return {
    tags,
    seeHome: (id: string) => (home = id),
    store: {
      read: async () => ({ ...tags, ...(home !== null && answer ? answer(home) : {}) }),
      write: async (_volumeId: string, written: Readonly<Record<string, string>>) => {
        Object.assign(tags, written);
      },
    },
  };
}

function options(compute: FakeEc2Compute, store: LaunchOptions["tags"], lines: string[]): LaunchOptions {
  return {
    compute,
    tags: store,
    config: CONFIG,
    market: { instanceType: "m4.large", lifecycle: "spot" },
    imageId: "ami-1",
    userData: "",
    device: "/dev/sdf",
    deviceIndex: 1,
    clientToken: "launch-1",
    clock: fakeClock(),
    pollMs: 1000,
    timeoutMs: 10_000,
    progress: (line) => lines.push(line),
  };
}

/** The controller's answer starts once RunInstances has named the home. */
function tellHome(compute: FakeEc2Compute, memory: ReturnType<typeof memoryTags>): void {
  const run = compute.runInstance.bind(compute);
  compute.runInstance = async (request) => {
    const view = await run(request);
    memory.seeHome(view.id);
    return view;
  };
}

const status = (state: string, instance: string, reason?: string) => ({
  [OPERATOR_TAGS.controller]: JSON.stringify({ state, instance, at: 1000, reason }),
});

describe("launchHome: the container's first home", () => {
  it("launches, attaches volume and interface, and returns once the home's controller says it runs", async () => {
    const compute = new FakeEc2Compute();
    const memory = memoryTags((home) => status("running", home));
    const lines: string[] = [];
    tellHome(compute, memory);
    const outcome = await launchHome(options(compute, memory.store, lines));
    expect(outcome.home.id).toBe("i-fake1");
    expect(outcome.controller).toMatchObject({ state: "running", instance: "i-fake1" });
    expect(compute.volume?.instanceId).toBe("i-fake1");
    expect(compute.eni?.instanceId).toBe("i-fake1");
    expect(memory.tags[OPERATOR_TAGS.desired]).toBe("run");
  });

  it("refuses while the volume is attached to an instance: nothing launched, the holder and its controller named", async () => {
    const compute = new FakeEc2Compute();
    compute.add("i-home", {});
    compute.volume = { instanceId: "i-home" };
    const memory = memoryTags();
    Object.assign(memory.tags, status("running", "i-home"));
    await expect(launchHome(options(compute, memory.store, []))).rejects.toThrow(
      "volume vol-1 or interface eni-1 is attached to i-home (m4.large on-demand, running), whose controller is running: expected both free",
    );
    expect(compute.calls).not.toContain("RunInstances");
    expect(memory.tags[OPERATOR_TAGS.desired]).toBeUndefined();
  });

  it("refuses while only the interface is held", async () => {
    const compute = new FakeEc2Compute();
    compute.add("i-other", {});
    compute.eni = { instanceId: "i-other", attachmentId: "eni-attach-9" };
    await expect(launchHome(options(compute, memoryTags().store, []))).rejects.toMatchObject({
      code: "HOTSPOT_ALREADY_LAUNCHED",
    });
    expect(compute.calls).not.toContain("RunInstances");
  });

  it("terminates the home it launched when its controller reports a failure", async () => {
    const compute = new FakeEc2Compute();
    const memory = memoryTags((home) => status("failed", home, "criu check failed"));
    const lines: string[] = [];
    tellHome(compute, memory);
    await expect(launchHome(options(compute, memory.store, lines))).rejects.toThrow(
      "the controller on i-fake1 failed: criu check failed",
    );
    expect(compute.instances.get("i-fake1")?.state).toBe("terminated");
    // Terminating the home lets the volume and interface go with it.
    expect(compute.volume).toBeNull();
    expect(compute.eni).toBeNull();
    expect(lines.at(-1)).toBe("launch failed: terminating i-fake1");
  });

  it("terminates the home when its controller never answers within the timeout", async () => {
    const compute = new FakeEc2Compute();
    const launching = options(compute, memoryTags().store, []);
    await expect(launchHome(launching)).rejects.toThrow(
      "timed out after 10 s waiting for the controller on i-fake1 to report",
    );
    expect(compute.instances.get("i-fake1")?.state).toBe("terminated");
    expect([...compute.instances.values()].filter((i) => i.state !== "terminated")).toEqual([]);
  });
});
