import { join } from "node:path";
import { CreateTagsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runStackInstance, startStackWorld, type StackWorld } from "../support/stack-world.js";
import { liveStatus, stopHopping, takeDown, type OperateRequest } from "../../src/api.js";
import { type Emulator } from "../../src/cloud/local/index.js";
import { OPERATOR_TAGS } from "../../src/drivers/live/operator.js";
import { HotspotError } from "../../src/errors.js";
import { writeLiveConfig } from "../../src/setup/config.js";
import { FakeClock } from "../support/fake-clock.js";
import { sampleLiveConfig } from "../support/live-config.js";

// status, stop and down in process against the EC2 emulator; the clock is fake, so waits cost nothing.
let world: StackWorld;
let emulator: Emulator;
let ec2: EC2Client;
let dir: string;
let volumeId: string;
let eniId: string;
let request: OperateRequest;
beforeEach(async () => {
  world = await startStackWorld("operate");
  ({ emulator, ec2, dir, volumeId, eniId } = world);
  const configPath = join(dir, "hotspot.json");
  await writeLiveConfig(configPath, sampleLiveConfig({ volumeId, eniId }));
  request = {
    configPath,
    endpoint: async () => emulator.endpoint,
    timeout: { ms: 30_000, said: "30s" },
    clock: new FakeClock(),
  };
});
afterEach(() => world.close());

/** What a controller publishes on the volume's tags. */
async function publish(tags: Record<string, string>): Promise<void> {
  await ec2.send(
    new CreateTagsCommand({
      Resources: [volumeId],
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
}

const container = (hops: number) =>
  JSON.stringify({
    home: "i-0123456789abcdef0",
    type: "m4.large",
    lifecycle: "spot",
    since: 1_767_225_600,
    hops,
    aborted: 0,
    costUsd: 0.25,
    downtimeSeconds: 1.5 * hops,
    at: 1_767_229_200,
  });

describe("liveStatus", () => {
  it("reads the published status, the volume and the stack's instances", async () => {
    const id = await runStackInstance(ec2);
    await publish({
      [OPERATOR_TAGS.desired]: "run",
      [OPERATOR_TAGS.status]: container(2),
      [OPERATOR_TAGS.downtimes]: "1.25 1.75",
      [OPERATOR_TAGS.ledger]: "/mnt/hotspot/hotspot/results-i-0123456789abcdef0.json",
    });
    const { view, config } = await liveStatus(request);
    expect(config.volumeId).toBe(volumeId);
    expect(view).toMatchObject({
      desired: "run",
      controller: null,
      container: { type: "m4.large", lifecycle: "spot", hops: 2, costUsd: 0.25 },
      downtimes: [1.25, 1.75],
      downtimesTruncated: false,
      ledger: "/mnt/hotspot/hotspot/results-i-0123456789abcdef0.json",
      volume: { id: volumeId, state: "available", attachedTo: null },
    });
    expect(view.instances.map((i) => i.id)).toEqual([id]);
    // Not attached: the home is the published one, which EC2 does not know.
    expect(view.home).toBeNull();
  });

  it("waits for hops, telling each new count once, and returns when enough are published", async () => {
    await publish({ [OPERATOR_TAGS.status]: container(1) });
    const seen: number[] = [];
    const clock = new FakeClock();
    const waited = liveStatus({
      ...request,
      clock,
      waitHops: 3,
      onWaiting: (hops) => {
        seen.push(hops);
        // The controller publishes its third hop while the operator waits.
        if (hops === 1) void publish({ [OPERATOR_TAGS.status]: container(3) });
      },
    });
    const { view } = await waited;
    expect(view.container?.hops).toBe(3);
    expect(seen).toEqual([1]);
    expect(clock.sleeps.every((ms) => ms === 1000)).toBe(true);
  });

  it("refuses to wait on a controller that has stopped, and gives up at the timeout", async () => {
    await publish({
      [OPERATOR_TAGS.status]: container(1),
      [OPERATOR_TAGS.controller]: JSON.stringify({
        state: "stopped",
        instance: "i-0123456789abcdef0",
        at: 0,
      }),
    });
    await expect(liveStatus({ ...request, waitHops: 2 })).rejects.toThrow(
      new HotspotError("HOTSPOT_STATUS_WAIT", "the controller is stopped after 1 hop(s): 2 will not come"),
    );
    await publish({
      [OPERATOR_TAGS.controller]: JSON.stringify({
        state: "running",
        instance: "i-0123456789abcdef0",
        at: 0,
      }),
    });
    const clock = new FakeClock();
    await expect(liveStatus({ ...request, clock, waitHops: 2 })).rejects.toThrow(
      new HotspotError("HOTSPOT_STATUS_WAIT", "1 of 2 hop(s) after 30s"),
    );
    // 30 s allowed, polled each second: the 31st poll is past the deadline.
    expect(clock.sleeps).toHaveLength(31);
  });
});

describe("stopHopping", () => {
  it("writes the wish and, with no home running, fails saying the controller will stop later", async () => {
    await expect(stopHopping(request)).rejects.toThrow(
      new HotspotError(
        "HOTSPOT_STOP",
        "no controller answered within 30s (last: none); it will stop when it next reads the volume's tags",
      ),
    );
    expect(emulator.state.volumes.get(volumeId)!.tags.get(OPERATOR_TAGS.desired)).toBe("stop");
  });

  it("returns the view once the controller says it stopped", async () => {
    await publish({
      [OPERATOR_TAGS.status]: container(4),
      [OPERATOR_TAGS.controller]: JSON.stringify({
        state: "stopped",
        instance: "i-0123456789abcdef0",
        at: 0,
      }),
    });
    const view = await stopHopping(request);
    expect(view.container?.hops).toBe(4);
  });
});

describe("takeDown", () => {
  it("terminates the stack's instances after telling each, keeps volume and ENI", async () => {
    const id = await runStackInstance(ec2);
    const unanswered: string[] = [];
    const terminated: string[] = [];
    const down = await takeDown({
      ...request,
      deleteVolume: false,
      onUnanswered: (view) => unanswered.push(view.controller?.state ?? "none"),
      onTerminate: (instance) =>
        terminated.push(`${instance.id} ${instance.instanceType} ${instance.lifecycle}`),
    });
    expect(down).toMatchObject({ terminated: 1, volumeDeleted: false, config: { volumeId, eniId } });
    expect(unanswered).toEqual(["none"]);
    expect(terminated).toEqual([`${id} m4.large on-demand`]);
    expect(["shutting-down", "terminated"]).toContain(emulator.state.instances.get(id)!.state);
    expect(emulator.state.volumes.get(volumeId)!.tags.get(OPERATOR_TAGS.desired)).toBe("down");
  });

  it("deletes the volume when asked, with nothing to terminate and no warning", async () => {
    const unanswered: string[] = [];
    const down = await takeDown({
      ...request,
      deleteVolume: true,
      onUnanswered: () => unanswered.push("called"),
      onTerminate: () => undefined,
    });
    expect(down).toMatchObject({ terminated: 0, volumeDeleted: true });
    expect(unanswered).toEqual([]);
    expect(["deleting", "deleted", undefined]).toContain(emulator.state.volumes.get(volumeId)?.state);
  });
});
