import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ContainerHost } from "../../../../src/drivers/live/host/container-host.js";
import { HopExecutor, TAG_HOP, TAG_STACK } from "../../../../src/drivers/live/hop/hop.js";
import { HOP_STEPS, Journal } from "../../../../src/drivers/live/hop/journal.js";
import {
  liveHarness,
  settleAndSummarize,
  SPOT_TARGET,
  STACK,
  ZONE,
  type LiveHarness,
} from "../../../support/live-harness.js";

let h: LiveHarness;
beforeEach(async () => {
  h = await liveHarness();
});
afterEach(async () => {
  await h.close();
});

describe("a hop through the real SDK against the emulator (fake container host)", () => {
  it("moves the container, volume and ENI to a new spot instance and ends the source", async () => {
    const hop = await h.executor().hop(SPOT_TARGET);
    const target = hop.targetInstanceId!;
    expect(hop.outcome).toBe("done");
    expect(await settleAndSummarize(h)).toEqual({
      oursRunning: [target],
      untagged: [],
      volumeOn: [target],
      eniOn: target,
    });
    expect(h.host.history).toEqual([`checkpoint ${h.source}`, `restore ${target}`]);
    const launched = h.emulator.state.instances.get(target)!;
    expect([launched.instanceType, launched.zone, launched.lifecycle, launched.clientToken]).toEqual([
      "c4.xlarge",
      ZONE,
      "spot",
      hop.clientToken,
    ]);
    expect(Object.fromEntries(launched.tags)).toEqual({ [TAG_STACK]: STACK, [TAG_HOP]: "hop-000001" });
    expect(h.emulator.state.instances.get(h.source)!.state).toBe("terminated");

    const reread = await Journal.open(h.journalPath);
    expect(reread.home).toBe(target);
    expect(reread.openHops()).toEqual([]);
    expect(reread.hops[0].entries.map((e) => `${e.step}:${e.event}`)).toEqual(
      HOP_STEPS.flatMap((s) => [`${s}:begin`, `${s}:end`]),
    );
    expect(h.emulator.state.requestLog.filter((r) => r.error !== null)).toEqual([]);
  });

  it("hops again from the new home, to on-demand, with a fresh ClientToken", async () => {
    const first = await h.executor().hop(SPOT_TARGET);
    const second = await h.executor().hop({ instanceType: "m4.large", zone: ZONE, lifecycle: "on-demand" });
    expect(second.source).toBe(first.targetInstanceId);
    expect(second.clientToken).not.toBe(first.clientToken);
    const target = second.targetInstanceId!;
    expect(h.emulator.state.instances.get(target)!.lifecycle).toBe("on-demand");
    expect(await settleAndSummarize(h)).toEqual({
      oursRunning: [target],
      untagged: [],
      volumeOn: [target],
      eniOn: target,
    });
    expect(h.host.history).toEqual([
      `checkpoint ${h.source}`,
      `restore ${first.targetInstanceId}`,
      `checkpoint ${first.targetInstanceId}`,
      `restore ${target}`,
    ]);
  });
});

describe("the host's volume hooks around the moves (fake container host)", () => {
  /** Records each hook with where the volume and the ENI were attached when it was called. */
  function recordingHost(): { host: ContainerHost; calls: string[] } {
    const calls: string[] = [];
    const where = () => {
      const world = h.emulator.state;
      const volume = world.volumes.get(h.resources.volumeId)?.attachment;
      const eni = world.interfaces.get(h.resources.networkInterfaceId)?.attachment;
      return `volume on ${volume?.instanceId ?? "none"}, eni on ${eni?.instanceId ?? "none"}`;
    };
    const host: ContainerHost = {
      state: () => h.host.state(),
      preflight: (id, options) => h.host.preflight(id, options),
      checkpoint: (source) => h.host.checkpoint(source),
      restore: (on) => h.host.restore(on),
      releaseVolume: async (id) => void calls.push(`release ${id}: ${where()}`),
      receiveVolume: async (id) => void calls.push(`receive ${id}: ${where()}`),
    };
    return { host, calls };
  }

  it("unmounts on the source while the volume is still there, mounts on the target once both arrived", async () => {
    const { host, calls } = recordingHost();
    const hop = await new HopExecutor({ ...h.executor().deps, host }).hop(SPOT_TARGET);
    const target = hop.targetInstanceId!;
    expect(calls).toEqual([
      `release ${h.source}: volume on ${h.source}, eni on ${h.source}`,
      `receive ${target}: volume on ${target}, eni on ${target}`,
    ]);
    expect(h.host.history).toEqual([`checkpoint ${h.source}`, `restore ${target}`]);
  });

  it("a hand-off unmounts on the source before letting go; a claim mounts where it attached", async () => {
    const { host, calls } = recordingHost();
    const executor = new HopExecutor({ ...h.executor().deps, host });
    const hop = await executor.begin(SPOT_TARGET);
    await executor.run(hop, ["acquire", "wait-running", "checkpoint"]);
    const target = await executor.handOff(hop);
    expect(calls).toEqual([`release ${h.source}: volume on ${h.source}, eni on ${h.source}`]);
    await executor.claim(target);
    expect(calls).toEqual([
      `release ${h.source}: volume on ${h.source}, eni on ${h.source}`,
      `receive ${target}: volume on ${target}, eni on ${target}`,
    ]);
  });
});
