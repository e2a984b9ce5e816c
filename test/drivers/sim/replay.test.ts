import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputFormatError } from "../../../src/errors.js";
import { buildZoneScenario } from "../../../src/drivers/sim/markets.js";
import {
  parseAvailabilityCsv,
  parseAvailabilityJson,
  readAvailability,
  skypilotTypes,
  type AvailabilityOptions,
} from "../../../src/drivers/sim/interruptions.js";
import { simulateZone } from "../../../src/drivers/sim/run.js";
import { greedyPolicy } from "../../../src/policies/greedy.js";
import { spotStayPolicy } from "../../../src/policies/spot-stay.js";
import { handResolution, handTrace, simConfig, twoTypes } from "./fixtures.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-replay-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const options = (reading: AvailabilityOptions["reading"]): AvailabilityOptions => ({
  reading,
  start: 1000,
  types: skypilotTypes,
});

describe("recorded availability: reading the files", () => {
  it("reads the plain CSV in any column order, ISO or epoch times, under both readings", async () => {
    const csv = [
      "zone,type,time,available",
      "z,a.large,0,1",
      "z,a.large,1970-01-01T01:00:00Z,0",
      "z,a.large,7200,1",
    ].join("\n");
    const file = join(dir, "hand.csv");
    await writeFile(file, csv);
    const count = await readAvailability(file, options("count"));
    expect([...count.unavailable.get("z/a.large")!]).toEqual([3600, 7200]);
    // The authors' reading: non-zero is unavailable, so 0..3600 and from 7200 on are the gaps.
    const preempted = await readAvailability(file, options("preempted"));
    expect([...preempted.unavailable.get("z/a.large")!]).toEqual([0, 3600, 7200, Infinity]);
    expect(() => parseAvailabilityCsv("time,zone,type,available\nsoon,z,a,1\n", "f.csv", "count")).toThrow(
      'f.csv:2: time: expected ISO 8601 or epoch seconds, found "soon"',
    );
    expect(() => parseAvailabilityCsv("time,zone,type,available\n0,z,a,-1\n", "f.csv", "count")).toThrow(
      InputFormatError,
    );
    expect(() => parseAvailabilityCsv("time,zone,type\n0,z,a\n", "f.csv", "count")).toThrow(
      /f.csv:1: expected a header with time, zone, type, available/,
    );
  });

  it("reads a SkyPilot spot-traces file: tick i covers [start + i·gap, start + (i+1)·gap)", () => {
    const text = JSON.stringify({ metadata: { gap_seconds: 600 }, data: [0, 0, 1, 1, 0] });
    const preempted = parseAvailabilityJson(text, "/x/us-west-2a_v100_1.json", options("preempted"));
    expect(preempted.get("us-west-2a/p3.2xlarge")).toEqual([
      [1000, true],
      [2200, false],
      [3400, true],
      [4000, true],
    ]);
    const count = parseAvailabilityJson(text, "/x/us-west-2a_v100_1.json", options("count"));
    expect(count.get("us-west-2a/p3.2xlarge")!.map(([time, available]) => [time, available])).toEqual([
      [1000, false],
      [2200, true],
      [3400, false],
      [4000, true],
    ]);
    expect(() => parseAvailabilityJson(text, "/x/us-west-2a_a100_1.json", options("count"))).toThrow(
      /us-west-2a_a100_1.json: name: expected a name mapped to an instance type/,
    );
    expect(() =>
      parseAvailabilityJson('{"metadata":{},"data":[]}', "/x/z_v100_1.json", options("count")),
    ).toThrow("/x/z_v100_1.json: metadata.gap_seconds: expected a number > 0, found undefined");
  });
});

describe("--interruptions replay in the simulation", () => {
  const zone = "us-east-1a";
  // a.large is always the cheaper spot market; its recorded capacity is gone from 1 h to 2 h.
  const trace = handTrace(
    [
      [zone, "a.large", 0, 0.2],
      [zone, "b.large", 0, 0.3],
    ],
    { start: 0, end: 4 * 3600 },
  );
  const availability = {
    source: "hand",
    reading: "preempted" as const,
    unavailable: new Map([[`${zone}/a.large`, Float64Array.from([3600, 7200])]]),
  };
  const config = simConfig({ interruptions: { kind: "replay", availability } });
  const scenario = buildZoneScenario(trace, zone, handResolution(twoTypes));

  it("notices the server when its market becomes unavailable; the hop to another market survives", async () => {
    const run = await simulateZone(trace, scenario, config, spotStayPolicy, { fallback: 1 });
    const notice = run.result.timeline.find((entry) => entry.kind === "notice")!;
    expect(notice.time).toBe(3600);
    expect(notice.reason).toBe("recorded spot capacity unavailable");
    expect(run.result.notices).toBe(1);
    expect(run.result.revocations).toBe(0);
    expect(run.result.lostWork).toBe(0);
    const hop = run.result.timeline.find((entry) => entry.kind === "hop")!;
    expect(scenario.markets[hop.marketId].instanceType).toBe("b.large");
    // spot-stay then stays on b.large to the end.
    expect(run.result.timeline.filter((entry) => entry.kind === "hop")).toHaveLength(1);
  });

  it("keeps every policy off the market while it is unavailable, and lets greedy return after", async () => {
    const run = await simulateZone(trace, scenario, config, greedyPolicy, { minSaving: 0 });
    const running = run.result.timeline.filter((entry) => entry.kind === "running");
    for (const entry of running) {
      const type = scenario.markets[entry.marketId].instanceType;
      if (type === "a.large") expect(entry.time < 3600 || entry.time >= 7200, `${entry.time}`).toBe(true);
    }
    expect(
      running.some(
        (entry) => entry.time >= 7200 && scenario.markets[entry.marketId].instanceType === "a.large",
      ),
    ).toBe(true);
  });

  it("reads a directory of files, markets absent from them are never interrupted", async () => {
    const sub = join(dir, "many");
    await rm(sub, { recursive: true, force: true });
    await import("node:fs/promises").then((fs) => fs.mkdir(sub));
    await writeFile(
      join(sub, "us-west-2b_k80_1.json"),
      JSON.stringify({ metadata: { gap_seconds: 60 }, data: [1, 0] }),
    );
    await writeFile(join(sub, "extra.csv"), "time,zone,type,available\n0,z,c.large,0\n");
    const read = await readAvailability(sub, options("preempted"));
    expect([...read.unavailable.keys()]).toEqual(["z/c.large", "us-west-2b/p2.xlarge"]);
    expect([...read.unavailable.get("us-west-2b/p2.xlarge")!]).toEqual([1000, 1060]);
  });
});
