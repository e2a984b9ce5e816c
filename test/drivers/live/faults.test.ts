import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { InstanceLostError } from "../../../src/drivers/live/errors.js";
import { TAG_HOP } from "../../../src/drivers/live/hop/hop.js";
import type { HopRecord, StepName } from "../../../src/drivers/live/hop/journal.js";
import { TargetCapacityError } from "../../../src/drivers/live/retry.js";
import { HotspotError } from "../../../src/errors.js";
import {
  liveHarness,
  settleAndSummarize,
  SPOT_TARGET,
  type LiveHarness,
} from "../../support/live-harness.js";

let h: LiveHarness;
beforeEach(async (context) => {
  h = await liveHarness({ homeLifecycle: context.task.name.includes("spot source") ? "spot" : "on-demand" });
});
afterEach(async () => {
  await h.close();
});

const rows: string[] = [];
afterAll(() => {
  console.log(
    ["fault (emulator) | hop outcome | error | container on | ours running | untagged", ...rows].join("\n"),
  );
});

/** Run one hop; check the invariants; add a row to the fault table. */
async function hopUnder(fault: string, hook?: Parameters<LiveHarness["executor"]>[0]) {
  let error: unknown = null;
  try {
    await h.executor(hook).hop(SPOT_TARGET);
  } catch (e) {
    error = e;
  }
  const journal = await h.reopen();
  const hop = journal.hops[0];
  const summary = await settleAndSummarize(h);
  const home = journal.home;
  expect(journal.openHops()).toEqual([]);
  expect(summary).toEqual({ oursRunning: [home], untagged: [], volumeOn: [home], eniOn: home });
  expect(h.host.runningOn).toBe(home);
  const code = error instanceof HotspotError ? error.code : error === null ? "-" : String(error);
  rows.push(
    `${fault.padEnd(56)} | ${String(hop.outcome).padEnd(11)} | ${code.padEnd(26)} | ${home === h.source ? "source" : "target"}       | ${summary.oursRunning.length}            | ${summary.untagged.length}`,
  );
  return { error, hop, home };
}

function requests(action: string): Array<string | null> {
  return h.emulator.state.requestLog
    .filter((r) => r.action === action && r.error !== "DryRunOperation")
    .map((r) => r.error);
}

function note(hop: HopRecord, step: StepName): string | undefined {
  return hop.entries.find((e) => e.step === step && e.event === "end")?.note;
}

describe("faults injected into the emulator during a hop (real SDK, fake container host)", () => {
  it("no capacity for the target: a typed error after 2 attempts, no instance leaked", async () => {
    h.emulator.faults.insufficientCapacity({ instanceType: "c4.xlarge" });
    const { error, hop } = await hopUnder("InsufficientInstanceCapacity on the target type");
    expect(error).toBeInstanceOf(TargetCapacityError);
    expect(error).toMatchObject({ instanceType: "c4.xlarge", zone: "us-east-1c", lifecycle: "spot" });
    expect(hop.outcome).toBe("rolled-back");
    expect(requests("RunInstances")).toEqual([
      null,
      "InsufficientInstanceCapacity",
      "InsufficientInstanceCapacity",
    ]);
    expect(h.host.history).toEqual([]);
  });

  it("capacity back on the second attempt: the hop completes", async () => {
    h.emulator.faults.insufficientCapacity({ instanceType: "c4.xlarge", times: 1 });
    const { error, hop } = await hopUnder("InsufficientInstanceCapacity once");
    expect(error).toBeNull();
    expect(hop.outcome).toBe("done");
    expect(requests("RunInstances")).toEqual([null, "InsufficientInstanceCapacity", null]);
  });

  it("throttling (RequestLimitExceeded) is retried with backoff and the hop completes", async () => {
    h.emulator.faults.throttle({ action: "RunInstances", times: 1 });
    h.emulator.faults.throttle({ action: "AttachVolume", times: 2 });
    const { error, hop } = await hopUnder("RequestLimitExceeded on RunInstances x1, AttachVolume x2");
    expect(error).toBeNull();
    expect(hop.outcome).toBe("done");
    // The home's own attach came before the faults; then the hop's attach: two throttled, one through.
    expect(requests("AttachVolume")).toEqual([null, "RequestLimitExceeded", "RequestLimitExceeded", null]);
    expect(requests("RunInstances")).toEqual([null, "RequestLimitExceeded", null]);
    expect(h.emulator.state.instances.size).toBe(2);
  });

  it("a stuck detach of the volume is forced after the detach timeout", async () => {
    h.emulator.faults.stuckDetach(h.resources.volumeId, 1);
    const { error, hop } = await hopUnder("StuckDetach of the volume");
    expect(error).toBeNull();
    expect(hop.outcome).toBe("done");
    expect(note(hop, "detach-source")).toBe("volume forced, interface detached");
    expect(requests("DetachVolume")).toEqual([null, null]);
  });

  it("a stuck detach of the ENI is forced too", async () => {
    h.emulator.faults.stuckDetach(h.resources.networkInterfaceId, 1);
    const { hop } = await hopUnder("StuckDetach of the ENI");
    expect(hop.outcome).toBe("done");
    expect(note(hop, "detach-source")).toBe("volume detached, interface forced");
  });

  it("the target is interrupted right after launch: rolled back, the source keeps the container", async () => {
    const hook = async (point: string, step: StepName, hop: HopRecord) => {
      if (point !== "end" || step !== "wait-running") return;
      h.emulator.faults.interrupt(hop.targetInstanceId!, { afterSeconds: 0 });
      await h.scheduler.advance(2_000); // the 2-minute notice, scaled by the latency factor 1/100, runs out
    };
    const { error, hop, home } = await hopUnder("spot interruption of the target right after launch", hook);
    expect(error).toBeInstanceOf(InstanceLostError);
    expect(hop.outcome).toBe("rolled-back");
    expect(hop.entries.filter((e) => e.event === "error").map((e) => e.step)).toEqual(["checkpoint"]);
    expect(home).toBe(h.source);
    expect(h.host.history).toEqual([]);
    expect(h.emulator.state.instances.get(hop.targetInstanceId!)!.stateReason?.code).toBe(
      "Server.SpotInstanceTermination",
    );
  });

  it("the target is interrupted while the volume attaches: falls back, restored on the source", async () => {
    h.emulator.faults.interruptMatching({ tag: `${TAG_HOP}=hop-000001`, afterSeconds: 0 });
    h.emulator.faults.slow("attach", 300, h.resources.volumeId, 1);
    const { error, hop, home } = await hopUnder("spot interruption of the target during attach", undefined);
    expect(error).toBeInstanceOf(InstanceLostError);
    expect(hop.outcome).toBe("fell-back");
    expect(hop.entries.filter((e) => e.event === "error").map((e) => e.step)).toEqual(["attach-target"]);
    expect(home).toBe(h.source);
    expect(h.host.history).toEqual([`checkpoint ${h.source}`, `restore ${h.source}`]);
  });

  it("the spot source is reclaimed after the checkpoint: the hop rolls forward from the volume", async () => {
    const hook = async (point: string, step: StepName) => {
      if (point !== "end" || step !== "checkpoint") return;
      h.emulator.faults.interrupt(h.source, { afterSeconds: 0 });
      await h.scheduler.advance(2_000);
    };
    const { error, hop, home } = await hopUnder("spot interruption of the source after the checkpoint", hook);
    expect(error).toBeNull();
    expect(hop.outcome).toBe("done");
    expect(home).toBe(hop.targetInstanceId);
    expect(note(hop, "detach-source")).toBe("volume free, interface free");
    expect(note(hop, "terminate-source")).toBe("already terminated");
    expect(h.emulator.state.instances.get(h.source)!.stateReason?.code).toBe(
      "Server.SpotInstanceTermination",
    );
  });
});
