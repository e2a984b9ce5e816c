import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dryRunOnEc2, launch, liveGc, type ControllerOptions, type DecisionRecord } from "../../src/api.js";
import { crashAfter, journalPathIn } from "../../src/api/live.js";
import { TAG_HOP, TAG_STACK } from "../../src/drivers/live/hop/hop.js";
import { HOP_STEPS, UNDO_STEPS, type HopRecord } from "../../src/drivers/live/hop/journal.js";
import { HotspotError, UsageError } from "../../src/errors.js";
import { LOCAL_HOST_IMAGE } from "../../src/setup/config.js";
import { AMI, harnessConfig, liveHarness, STACK, ZONE, type LiveHarness } from "../support/live-harness.js";

// The acting side in process, against the emulator on virtual time; acting itself (liveAct) needs a
// container host on namespaces and is run by test/cli/live-local-e2e.test.ts.
let h: LiveHarness;
let configPath: string;
beforeEach(async () => {
  h = await liveHarness();
  configPath = join(dirname(h.journalPath), "hotspot.json");
  await writeFile(
    configPath,
    JSON.stringify(harnessConfig(h.resources.volumeId, h.resources.networkInterfaceId)),
  );
});
afterEach(async () => {
  await h.close();
});

describe("journalPathIn and crashAfter", () => {
  it("keeps the journal as journal.json in the state directory", () => {
    expect(journalPathIn("/mnt/hotspot/hotspot")).toBe("/mnt/hotspot/hotspot/journal.json");
  });

  it("kills after the named step's end only, and refuses a step that is none, naming where it came from", () => {
    const kills: string[] = [];
    const hook = crashAfter("checkpoint", "HOTSPOT_LIVE_KILL_AFTER", () => kills.push("killed"));
    // The hook reads only the point and the step's name.
    const hop = {} as HopRecord;
    hook("begin", "checkpoint", hop);
    hook("end", "acquire", hop);
    expect(kills).toEqual([]);
    hook("end", "checkpoint", hop);
    expect(kills).toEqual(["killed"]);
    expect(() => crashAfter("lunch", "HOTSPOT_LIVE_KILL_AFTER", () => undefined)).toThrow(
      new UsageError(
        "HOTSPOT_LIVE_KILL_AFTER",
        `a step: ${[...HOP_STEPS, ...UNDO_STEPS].join(", ")}`,
        '"lunch"',
      ),
    );
  });
});

describe("liveGc", () => {
  it("reports the orphan a dry run would end, then ends it, keeping the journal's home", async () => {
    const orphan = (
      await h.compute.runInstance({
        clientToken: "orphan",
        imageId: AMI,
        instanceType: "m4.large",
        zone: ZONE,
        lifecycle: "on-demand",
        tags: { [TAG_STACK]: STACK, [TAG_HOP]: "hop-000042" },
      })
    ).id;
    await h.scheduler.advance(2_000);
    const request = {
      configPath,
      endpoint: h.emulator.endpoint,
      stateDir: dirname(h.journalPath),
      clock: h.clock,
    };
    expect(await liveGc({ ...request, dryRun: true })).toEqual({ orphans: [orphan], kept: [h.source] });
    expect(h.emulator.state.instances.get(orphan)!.state).toBe("running");
    expect(await liveGc({ ...request, dryRun: false })).toEqual({ orphans: [orphan], kept: [h.source] });
    await h.scheduler.advance(5_000);
    expect(h.emulator.state.instances.get(orphan)!.state).toBe("terminated");
    expect(h.emulator.state.instances.get(h.source)!.state).toBe("running");
  });
});

/** A home's controller on the local cloud, as `hotspot launch` validates it. */
const homeOptions = (): ControllerOptions => ({
  configPath,
  endpoint: h.emulator.endpoint,
  intervalSeconds: 300,
  durationSeconds: Infinity,
  resume: false,
  stateDir: dirname(h.journalPath),
  resultsPath: null,
  self: { instanceId: "i-00000000", takeover: false, boot: false, takeoverTimeoutSeconds: 1800 },
  device: "/dev/sdf",
  deviceIndex: 1,
  pricePollSeconds: 60,
  cooldownSeconds: 1800,
  cloud: { kind: "local", hostsDir: dirname(h.journalPath), prefix: "hs" },
  utilisation: "measured",
  memoryGiB: "measured",
  billing: "per-second",
  historyWindowSeconds: 86_400,
  catalog: { workUnit: "ecu", skipUnknownTypes: false },
});

describe("launch", () => {
  it("places the home on the dry run's first decision, and refuses while the volume is held", async () => {
    const records: DecisionRecord[] = [];
    await dryRunOnEc2({
      configPath,
      endpoint: h.emulator.endpoint,
      workUnit: "ecu",
      policy: undefined,
      workload: { memoryGiB: 8, utilisation: 1 },
      current: null,
      billing: "per-second",
      intervalSeconds: 300,
      historyWindowSeconds: 86_400,
      skipUnknownTypes: false,
      clock: h.clock,
      rounds: 1,
      onDecision: (record) => records.push(record),
    });
    const chosen = records[0].chosen!;
    const notes: string[] = [];
    const config = harnessConfig(h.resources.volumeId, h.resources.networkInterfaceId);
    const instances = h.emulator.state.instances.size;
    await expect(
      launch({
        config,
        configPath,
        options: homeOptions(),
        assumedMemoryGiB: 8,
        timeoutSeconds: 600,
        entry: { node: "/usr/bin/node", script: "/opt/hotspot/bin.js" },
        clock: h.clock,
        note: (line) => notes.push(line),
      }),
    ).rejects.toThrow(
      /^volume vol-\w+ or interface eni-\w+ is attached to i-\w+ \(m4\.large on-demand, running\)/,
    );
    expect(notes).toEqual([
      `the policy places the container on ${chosen.instanceType} ${chosen.lifecycle} first: ${records[0].reason}`,
    ]);
    expect(h.emulator.state.instances.size).toBe(instances);
  });

  it("launches the market given with a --boot controller in its user data, and ends it when no controller reports", async () => {
    const { compute, resources } = h;
    await compute.detachVolume(resources.volumeId, h.source, false);
    const eni = await compute.describeInterface(resources.networkInterfaceId);
    await compute.detachInterface(eni.attachment!.attachmentId, false);
    await h.scheduler.advance(10_000);
    const notes: string[] = [];
    const config = {
      ...harnessConfig(resources.volumeId, resources.networkInterfaceId),
      subnetId: h.emulator.state.instances.get(h.source)!.subnetId,
    };
    const launched = launch({
      config,
      configPath,
      options: homeOptions(),
      market: { instanceType: "c4.large", lifecycle: "spot" },
      assumedMemoryGiB: 8,
      timeoutSeconds: 60,
      entry: { node: "/usr/bin/node", script: "/opt/hotspot/bin.js" },
      clock: h.clock,
      note: (line) => notes.push(line),
    });
    const failed = await launched.then(
      () => null,
      (error: Error) => error,
    );
    expect(failed).toBeInstanceOf(HotspotError);
    expect(notes[0]).toBe(`launching the home: c4.large spot in ${ZONE} from ${LOCAL_HOST_IMAGE}`);
    const home = [...h.emulator.state.instances.values()].find((i) => i.instanceType === "c4.large")!;
    expect(notes.at(-1)).toBe(`launch failed: terminating ${home.id}`);
    const script = Buffer.from(home.userData!, "base64").toString("utf8");
    // The local cloud's home names itself from its environment; its command line is this controller's, as --boot.
    expect(
      script.startsWith(
        `#!/bin/sh\nexec /usr/bin/node /opt/hotspot/bin.js live --config ${configPath} --cloud local `,
      ),
    ).toBe(true);
    expect(script).toContain(' --takeover-timeout 60 --boot --instance-id "$HOTSPOT_INSTANCE_ID"\n');
    expect(["shutting-down", "terminated"]).toContain(home.state);
  });
});
