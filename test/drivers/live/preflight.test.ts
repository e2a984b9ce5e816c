import { afterEach, describe, expect, it } from "vitest";
import { TAG_STACK } from "../../../src/drivers/live/hop/hop.js";
import { preflight, PreflightError, type PreflightOptions } from "../../../src/drivers/live/preflight.js";
import type { Clock } from "../../../src/util/clock.js";
import { FakeEc2Compute } from "../../support/fake-ec2-compute.js";
import { liveHarness, STACK, ZONE, type LiveHarness } from "../../support/live-harness.js";

let h: LiveHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const TARGETS = [
  { instanceType: "c4.large", zone: ZONE, lifecycle: "spot" as const },
  { instanceType: "m4.large", zone: ZONE, lifecycle: "on-demand" as const },
];

function options(harness: LiveHarness, start: boolean): PreflightOptions {
  return {
    compute: harness.compute,
    host: harness.host,
    resources: { ...harness.resources, instanceProfile: "hotspot-controller" },
    stack: STACK,
    home: harness.source,
    targets: TARGETS,
    start,
    clock: harness.clock,
  };
}

describe("preflight (real SDK against the emulator, fake container host)", () => {
  it("at start: attachments, host checks with the trial, and every call of a hop with DryRun, acting on nothing", async () => {
    h = await liveHarness();
    const report = await preflight(options(h, true));
    expect(report.checks.map((c) => [c.check, c.ok])).toEqual([
      ["volume attached", true],
      ["ENI attached", true],
      ["container running", true],
      ["DryRun RunInstances c4.large spot", true],
      ["DryRun RunInstances m4.large on-demand", true],
      ["DryRun CreateTags", true],
      ["DryRun DetachVolume", true],
      ["DryRun AttachVolume", true],
      ["DryRun AttachNetworkInterface", true],
      ["DryRun TerminateInstances", true],
      ["DryRun DetachNetworkInterface", true],
    ]);
    expect(report.trial).toEqual({ seconds: 0.25, imageBytes: 8 * 2 ** 20 });
    expect(h.host.preflights).toEqual([`${h.source} trial`]);
    // DryRun acted on nothing: the home runs, holds volume and ENI, and no instance was launched.
    await h.wait(5_000);
    const world = h.emulator.state;
    expect([...world.instances.values()].map((i) => [i.id, i.state])).toEqual([[h.source, "running"]]);
    expect(world.volumes.get(h.resources.volumeId)!.attachment?.instanceId).toBe(h.source);
    expect(world.interfaces.get(h.resources.networkInterfaceId)!.attachment?.instanceId).toBe(h.source);
  });

  it("before a hop: no trial and no DryRun; a failed host check and a volume elsewhere are both named", async () => {
    h = await liveHarness();
    expect((await preflight(options(h, false))).checks.map((c) => c.check)).toEqual([
      "volume attached",
      "ENI attached",
      "container running",
    ]);
    h.host.failingCheck = {
      check: "criu check",
      detail:
        "expected criu check to pass on this kernel, found criu check: exit 1: Error (criu/kerndat.c:1615)",
    };
    await h.compute.detachVolume(h.resources.volumeId, h.source, false);
    const error = await preflight(options(h, true)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreflightError);
    expect((error as Error).message).toBe(
      `preflight failed, nothing launched: volume attached: expected ${h.resources.volumeId} attached to ${h.source}, found detaching to ${h.source}; criu check: expected criu check to pass on this kernel, found criu check: exit 1: Error (criu/kerndat.c:1615)`,
    );
    expect((error as PreflightError).report.trial).toBeNull();
  });
});

describe("preflight DryRun names a missing IAM permission (fake EC2 compute: the emulator has no IAM)", () => {
  it("RunInstances and TerminateInstances denied: both named, nothing else failed", async () => {
    const compute = new FakeEc2Compute();
    compute.add("i-home", { [TAG_STACK]: STACK });
    compute.volume = { instanceId: "i-home" };
    compute.eni = { instanceId: "i-home", attachmentId: "eni-attach-0" };
    compute.denied.add("RunInstances");
    compute.denied.add("TerminateInstances");
    const clock: Clock = { now: () => 0, sleep: async () => undefined };
    const error = await preflight({
      compute,
      host: {
        state: async () => ({ runningOn: "i-home", checkpointFrom: null }),
        preflight: async () => ({ checks: [], trial: { seconds: 1, imageBytes: 1 } }),
        checkpoint: async () => undefined,
        restore: async () => undefined,
      },
      resources: {
        imageId: "ami-0",
        volumeId: "vol-1",
        volumeDevice: "/dev/sdf",
        networkInterfaceId: "eni-1",
        deviceIndex: 1,
      },
      stack: STACK,
      home: "i-home",
      targets: [TARGETS[0]],
      start: true,
      clock,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreflightError);
    const bad = (error as PreflightError).report.checks.filter((c) => !c.ok);
    expect(bad.map((c) => [c.check, c.detail])).toEqual([
      [
        "DryRun RunInstances c4.large spot",
        "expected DryRunOperation (the call would succeed), found permission ec2:RunInstances missing: RunInstances: You are not authorized to perform this operation.",
      ],
      [
        "DryRun TerminateInstances",
        "expected DryRunOperation (the call would succeed), found permission ec2:TerminateInstances missing: TerminateInstances: You are not authorized to perform this operation.",
      ],
    ]);
    expect(compute.calls.filter((c) => !c.startsWith("DryRun"))).toEqual([]);
  });
});
