import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hostsDirOf, infoPath, readLocalCloudInfo, replayRecords } from "../../../src/cloud/local/service.js";
import type { Trace } from "../../../src/traces/types.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-service-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const info = {
  version: 1,
  pid: 4242,
  endpoint: "http://127.0.0.1:4566",
  metadata: "http://127.0.0.1:4567",
  region: "us-east-1",
  prefix: "hs",
  hostsDir: "/var/lib/hotspot-local/hosts",
  startedAt: "2026-01-01T00:00:00.000Z",
  trace: null,
  speed: 1,
};

describe("the local cloud's state directory", () => {
  it("keeps its facts in local.json and its hosts under hosts/", () => {
    expect(infoPath("/s")).toBe("/s/local.json");
    expect(hostsDirOf("/s")).toBe("/s/hosts");
  });

  it("reads the facts back; none when nothing was started there", async () => {
    expect(await readLocalCloudInfo(dir)).toBeNull();
    await writeFile(infoPath(dir), JSON.stringify(info));
    expect(await readLocalCloudInfo(dir)).toEqual(info);
  });

  it("refuses unparsable, incomplete or other-version facts, naming the file and what it found", async () => {
    const path = infoPath(dir);
    await writeFile(path, "{not json");
    await expect(readLocalCloudInfo(dir)).rejects.toMatchObject({
      code: "HOTSPOT_LOCAL_STATE",
      message: `${path}: expected the local cloud's JSON facts, found unparsable text`,
    });
    await writeFile(path, JSON.stringify({ ...info, prefix: 7 }));
    await expect(readLocalCloudInfo(dir)).rejects.toMatchObject({
      code: "HOTSPOT_LOCAL_STATE",
      message: `${path}: expected a string "prefix", found 7`,
    });
    await writeFile(path, JSON.stringify({ ...info, version: 2 }));
    await expect(readLocalCloudInfo(dir)).rejects.toMatchObject({
      code: "HOTSPOT_LOCAL_STATE",
      message: `${path}: expected version 1 with a pid, found {"version":2,"pid":4242}`,
    });
  });
});

describe("replayRecords", () => {
  it("plays the trace's first price at now, speed trace seconds per real second", () => {
    const trace = {
      series: [{ zone: "z-a", instanceType: "m4.large", product: "Linux/UNIX" }],
      time: Float64Array.from([7200, 3600, 3600 + 720]),
      seriesId: Uint32Array.from([0, 0, 0]),
      price: Float64Array.from([0.3, 0.1, 0.2]),
    } as unknown as Trace;
    const now = Date.UTC(2026, 0, 1);
    // Speed 720: an hour of trace is 5 s; 720 trace seconds are 1 s.
    expect(replayRecords(trace, now, 720).map((r) => [r.price, r.timeMs - now])).toEqual([
      [0.3, 5000],
      [0.1, 0],
      [0.2, 1000],
    ]);
  });
});
