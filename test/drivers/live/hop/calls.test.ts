import { describe, expect, it } from "vitest";
import { InstanceLostError, StepTimeoutError } from "../../../../src/drivers/live/errors.js";
import { LiveCalls } from "../../../../src/drivers/live/hop/calls.js";
import type { Clock } from "../../../../src/util/clock.js";
import { CloudApiError } from "../../../../src/errors.js";
import { FakeEc2Compute } from "../../../support/fake-ec2-compute.js";

function setup() {
  let now = 0;
  const clock: Clock = { now: () => now, sleep: async (ms) => void (now += ms) };
  const compute = new FakeEc2Compute();
  const retry = { attempts: 3, capacityAttempts: 1, baseDelayMs: 100, maxDelayMs: 100 };
  return { compute, clock, calls: new LiveCalls(compute, clock, retry, 250), at: () => now };
}

describe("LiveCalls", () => {
  it("retries a retryable call on the clock, and gives a lasting failure back", async () => {
    const { calls } = setup();
    let attempts = 0;
    const value = await calls.call(async () => {
      if (++attempts < 3) throw new CloudApiError("RequestLimitExceeded", "slow down", { retryable: true });
      return "ok";
    });
    expect([value, attempts]).toEqual(["ok", 3]);
    await expect(calls.call(async () => Promise.reject(new Error("denied")))).rejects.toThrow("denied");
  });

  it("waitFor polls every pollMs and throws StepTimeoutError with the time waited", async () => {
    const { calls, at } = setup();
    let checks = 0;
    await calls.waitFor("x", 1000, async () => ++checks === 3);
    expect([checks, at()]).toEqual([3, 500]);
    const error = await calls.waitFor("volume vol-1 to detach", 1000, async () => false).catch((e) => e);
    expect(error).toBeInstanceOf(StepTimeoutError);
    // Checked after 0, 250, 500, 750 and 1000 ms of waiting: the last is at the limit.
    expect((error as Error).message).toBe("timed out after 1 s waiting for volume vol-1 to detach");
  });

  it("requireRunning passes a running instance, throws InstanceLostError for one gone or unknown", async () => {
    const { calls, compute } = setup();
    compute.add("i-1", {});
    await expect(calls.requireRunning("i-1")).resolves.toBeUndefined();
    await compute.terminateInstance("i-1");
    await expect(calls.requireRunning("i-1")).rejects.toThrow(
      new InstanceLostError("i-1", "terminated", "").message,
    );
    const unknown = await calls.requireRunning("i-9").catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(InstanceLostError);
    expect((unknown as Error).message).toBe("instance i-9 is unknown, expected running");
  });
});
