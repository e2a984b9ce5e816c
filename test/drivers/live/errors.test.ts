import { describe, expect, it } from "vitest";
import {
  ContainerLostError,
  CpuMismatchError,
  HostSideError,
  InstanceLostError,
  notTheMarket,
  StepTimeoutError,
} from "../../../src/drivers/live/errors.js";
import { HotspotError } from "../../../src/errors.js";

describe("the live driver's errors", () => {
  it("say what was expected and what was found, with stable codes", () => {
    const lost = new InstanceLostError("i-1", "shutting-down", "Server.SpotInstanceTermination");
    expect([lost.code, lost.message]).toEqual([
      "HOTSPOT_LIVE_INSTANCE_LOST",
      "instance i-1 is shutting-down (Server.SpotInstanceTermination), expected running",
    ]);
    expect(new InstanceLostError("i-2", "terminated", "").message).toBe(
      "instance i-2 is terminated, expected running",
    );
    const timeout = new StepTimeoutError("volume vol-1 to detach", 2500);
    expect([timeout.code, timeout.message, timeout.retryable]).toEqual([
      "HOTSPOT_LIVE_TIMEOUT",
      "timed out after 2.5 s waiting for volume vol-1 to detach",
      true,
    ]);
    expect(new ContainerLostError("no checkpoint on vol-1").message).toBe(
      "the container is neither running nor checkpointed: no checkpoint on vol-1",
    );
    const mismatch = new CpuMismatchError("i-3", "c6a.large", "cpu: missing avx512f");
    expect([mismatch.code, mismatch.message]).toEqual([
      "HOTSPOT_LIVE_CPU_MISMATCH",
      "c6a.large i-3 cannot run the container (its CPU lacks what the home's CPU offered it): cpu: missing avx512f; c6a.large is left out for the rest of the run",
    ]);
  });

  it("a host-side error carries the host's own message and its cause", () => {
    const cause = new HotspotError("HOTSPOT_CRIU", "criu dump failed: dump.log: Error (x)");
    const error = new HostSideError("checkpoint", "i-1", cause);
    expect([error.code, error.message, error.cause, error.action]).toEqual([
      "HOTSPOT_LIVE_HOST_FAILED",
      "checkpoint on i-1 failed on the container host: criu dump failed: dump.log: Error (x)",
      cause,
      "checkpoint",
    ]);
    expect(new HostSideError("restore", "i-2", "text").message).toBe(
      "restore on i-2 failed on the container host: text",
    );
  });

  it("only host-side failures and CPU mismatches are not the market's fault (no cool-down)", () => {
    expect(notTheMarket(new HostSideError("restore", "i-1", "x"))).toBe(true);
    expect(notTheMarket(new CpuMismatchError("i-1", "t", "d"))).toBe(true);
    expect(notTheMarket(new InstanceLostError("i-1", "terminated", ""))).toBe(false);
    expect(notTheMarket(new StepTimeoutError("x", 1))).toBe(false);
    expect(notTheMarket(new Error("x"))).toBe(false);
  });
});
