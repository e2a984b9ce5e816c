import { describe, expect, it } from "vitest";
import type { Clock } from "../../../../src/util/clock.js";
import { InstanceLostError } from "../../../../src/drivers/live/errors.js";
import { Attachments } from "../../../../src/drivers/live/hop/attachments.js";
import { LiveCalls } from "../../../../src/drivers/live/hop/calls.js";
import { CloudApiError } from "../../../../src/errors.js";
import { FakeEc2Compute } from "../../../support/fake-ec2-compute.js";

/** A volume whose plain detach never completes: only a forced one frees it. */
class StuckVolume extends FakeEc2Compute {
  override async detachVolume(_volumeId: string, _instanceId: string, force: boolean): Promise<void> {
    this.calls.push(force ? "DetachVolume forced" : "DetachVolume");
    if (force) this.volume = null;
  }
}

function setup(compute = new FakeEc2Compute()) {
  compute.add("i-home", {});
  compute.add("i-target", {});
  compute.volume = { instanceId: "i-home" };
  compute.eni = { instanceId: "i-home", attachmentId: "eni-attach-0" };
  let now = 0;
  const clock: Clock = { now: () => now, sleep: async (ms) => void (now += ms) };
  const calls = new LiveCalls(
    compute,
    clock,
    { attempts: 2, capacityAttempts: 1, baseDelayMs: 10, maxDelayMs: 10 },
    100,
  );
  const attachments = new Attachments(
    calls,
    {
      imageId: "ami-0",
      volumeId: "vol-1",
      volumeDevice: "/dev/sdf",
      networkInterfaceId: "eni-1",
      deviceIndex: 1,
    },
    { running: 1000, attach: 1000, detach: 500, forcedDetach: 500, poll: 100 },
  );
  return { compute, attachments, at: () => now };
}

describe("Attachments", () => {
  it("moves the volume and the ENI: detach from the source, attach to the target", async () => {
    const { compute, attachments } = setup();
    expect(await attachments.moveTo("i-target")).toBe("attached (volume detached, interface detached)");
    expect(compute.calls.filter((c) => !c.startsWith("Describe"))).toEqual([
      "DetachVolume",
      "DetachNetworkInterface",
      "AttachVolume",
      "AttachNetworkInterface",
    ]);
    expect([compute.volume?.instanceId, compute.eni?.instanceId]).toEqual(["i-target", "i-target"]);
  });

  it("checks the current state first: what is already where it should be is left alone", async () => {
    const { compute, attachments } = setup();
    expect(await attachments.release("i-home")).toBe("volume free, interface free");
    expect(await attachments.moveTo("i-home")).toBe("already attached (volume free, interface free)");
    expect(compute.calls.filter((c) => !c.startsWith("Describe"))).toEqual([]);
  });

  it("forces a detach that did not finish within the detach timeout", async () => {
    const { compute, attachments, at } = setup(new StuckVolume());
    expect(await attachments.release("i-target")).toBe("volume forced, interface detached");
    expect(compute.calls.filter((c) => c.startsWith("DetachVolume"))).toEqual([
      "DetachVolume",
      "DetachVolume forced",
    ]);
    expect(at()).toBe(500);
  });

  it("a detach that raced with the attachment ending is fine", async () => {
    const compute = new FakeEc2Compute();
    compute.detachVolume = async () => {
      compute.volume = null;
      throw new CloudApiError("IncorrectState", "vol-1 is in state available");
    };
    const { attachments } = setup(compute);
    expect(await attachments.release("i-target")).toBe("volume detached, interface detached");
  });

  it("an attach refused because the target went away is reported as that loss", async () => {
    const compute = new FakeEc2Compute();
    compute.attachVolume = async () => {
      throw new CloudApiError("IncorrectInstanceState", "i-target is not running");
    };
    const { attachments } = setup(compute);
    await compute.terminateInstance("i-target");
    const error = await attachments.moveTo("i-target").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InstanceLostError);
    expect((error as Error).message).toBe("instance i-target is terminated, expected running");
  });
});
