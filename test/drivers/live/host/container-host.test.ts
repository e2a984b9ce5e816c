import { describe, expect, it } from "vitest";
import { lazyContainerHost, type ContainerHost } from "../../../../src/drivers/live/host/container-host.js";
import { FakeContainerHost, fakeComputeWorld } from "../../../support/fake-container-host.js";
import { FakeEc2Compute } from "../../../support/fake-ec2-compute.js";

describe("lazyContainerHost", () => {
  it("makes the host on the first call, once, and passes every call through", async () => {
    const compute = new FakeEc2Compute();
    compute.add("i-home", {});
    const fake = new FakeContainerHost(fakeComputeWorld(compute), "i-home");
    let made = 0;
    const host = lazyContainerHost(async () => {
      made++;
      return fake;
    });
    expect(made).toBe(0);
    expect(await host.state()).toEqual({ runningOn: "i-home", checkpointFrom: null });
    expect(await host.preflight("i-home", { trial: true })).toMatchObject({ trial: fake.trial });
    expect(await host.cpuReference!("i-home")).toEqual({ architecture: "x86_64", image: "" });
    expect(await host.checkCpu!("i-home")).toEqual({ compatible: true });
    expect(await host.checkpoint("i-home")).toEqual({ imageBytes: fake.imageBytes });
    expect(await host.usage!()).toBeNull();
    expect(made).toBe(1);
    expect(fake.history).toEqual(["checkpoint i-home"]);
    expect(fake.preflights).toEqual(["i-home trial"]);
  });

  it("optional calls the made host lacks: CPU calls refuse with HOTSPOT_UNSUPPORTED, the others do nothing", async () => {
    const calls: string[] = [];
    const minimal: ContainerHost = {
      state: async () => ({ runningOn: null, checkpointFrom: "i-1" }),
      preflight: async () => ({ checks: [], trial: null }),
      checkpoint: async () => undefined,
      restore: async (on) => void calls.push(`restore ${on}`),
    };
    const host = lazyContainerHost(async () => minimal);
    await expect(host.cpuReference!("i-1")).rejects.toMatchObject({
      code: "HOTSPOT_UNSUPPORTED",
      message: "this container host cannot describe its CPU",
    });
    await expect(host.checkCpu!("i-2")).rejects.toMatchObject({
      code: "HOTSPOT_UNSUPPORTED",
      message: "this container host cannot check a CPU",
    });
    expect(await host.usage!()).toBeNull();
    await host.start!("i-1");
    await host.stop!("i-1");
    await host.releaseVolume!("i-1");
    await host.receiveVolume!("i-1");
    await host.restore("i-1");
    expect(calls).toEqual(["restore i-1"]);
  });
});
