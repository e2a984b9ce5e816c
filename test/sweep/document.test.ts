import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SweepConfig } from "../../src/sweep/config.js";
import {
  buildSweepDocument,
  readSweep,
  serializeSweep,
  SWEEP_SCHEMA,
  SWEEP_VERSION,
  writeSweep,
} from "../../src/sweep/document.js";
import type { ItemResult, PolicyOutcome } from "../../src/sweep/item.js";
import { version } from "../../src/version.js";

// The fields buildSweepDocument reads: a grid of 2 memory sizes, two policies paired against spot-stay.
const config = {
  base: { memoryGiB: 8 },
  vary: [{ key: "memory-gib", values: [1, 16] }],
  policies: [
    { name: "spot-stay", params: {} },
    { name: "greedy", params: {} },
  ],
  baseline: "spot-stay",
  seed: 5,
  windows: [{}, {}],
} as unknown as SweepConfig;

const outcome = (policy: string, costUsd: number, usdPerEcuHour: number): PolicyOutcome => ({
  policy,
  zones: 1,
  costUsd,
  onDemandCostUsd: null,
  percentOfOnDemand: null,
  workEcuHours: 100,
  usdPerEcuHour,
  migrations: 0,
  migrationsPerZoneDay: 0,
  revocations: 0,
  restarts: 0,
  downtimeSeconds: 0,
  downtimeSecondsPerZoneDay: 0,
  lostWorkEcuHours: 0,
  gapToOptimal: null,
});

const item = (index: number, greedyUsd: number): ItemResult => ({
  index,
  point: Math.floor(index / 2),
  window: index % 2,
  start: `s${index}`,
  end: `e${index}`,
  seed: index,
  excludedZones: [],
  outcomes: [outcome("spot-stay", 2, 0.02), outcome("greedy", greedyUsd, greedyUsd / 100)],
  digest: `d${index}`,
});

const items = [item(2, 1), item(0, 1), item(1, 3)];
const build = (list: readonly ItemResult[]) =>
  buildSweepDocument({ config, configHash: "h", shard: null, expected: 4, items: list });

describe("buildSweepDocument", () => {
  it("sorts the items, says whether all are in, and summarises each grid point over its windows", () => {
    const document = build(items);
    expect([document.schema, document.version, document.tool, document.configHash]).toEqual([
      SWEEP_SCHEMA,
      SWEEP_VERSION,
      { name: "hotspot", version },
      "h",
    ]);
    expect([document.items.map((i) => i.index), document.complete]).toEqual([[0, 1, 2], false]);
    expect(build([...items, item(3, 2)]).complete).toBe(true);
    const [first, second] = document.points;
    expect([first.varied, first.windows, second.varied, second.windows]).toEqual([
      { "memory-gib": 1 },
      2,
      { "memory-gib": 16 },
      1,
    ]);
    // Point 0: greedy cost 1 and 3 over its two windows, spot-stay 2 and 2.
    expect(first.policies.map((p) => [p.policy, p.metrics.costUsd.mean, p.metrics.costUsd.n])).toEqual([
      ["spot-stay", 2, 2],
      ["greedy", 2, 2],
    ]);
    // Paired in $ per unit of work: greedy 0.01 vs 0.02 (cheaper), 0.03 vs 0.02 (dearer).
    expect(first.comparisons).toMatchObject([
      { policy: "greedy", baseline: "spot-stay", n: 2, wins: 1, ties: 0, losses: 1 },
    ]);
    expect(first.comparisons[0].meanSaving).toBeCloseTo(0, 12);
  });

  it("gives the same document for the same items in any order; no comparisons without a baseline", () => {
    expect(serializeSweep(build(items))).toBe(serializeSweep(build([...items].reverse())));
    const unpaired = buildSweepDocument({
      config: { ...config, baseline: null },
      configHash: "h",
      shard: null,
      expected: 4,
      items,
    });
    expect(unpaired.points.map((p) => p.comparisons)).toEqual([[], []]);
  });
});

describe("writeSweep and readSweep", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "hotspot-sweep-doc-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("round-trips a document", async () => {
    const path = join(dir, "sweep.json");
    await writeSweep(path, build(items));
    expect(await readSweep(path)).toEqual(JSON.parse(serializeSweep(build(items))));
  });

  it("refuses a missing file, bad JSON, another kind or version, and a document missing its parts", async () => {
    await expect(readSweep(join(dir, "none.json"))).rejects.toMatchObject({ code: "HOTSPOT_INPUT_READ" });
    const write = async (name: string, text: string) => {
      await writeFile(join(dir, name), text);
      return join(dir, name);
    };
    const bad = await write("bad.json", "{");
    await expect(readSweep(bad)).rejects.toThrow(`${bad}: expected a JSON sweep results document, found`);
    const results = await write("results.json", '{"schema":"hotspot.results","version":1}');
    await expect(readSweep(results)).rejects.toThrow(
      `${results}: expected schema hotspot.sweep-results version 2, found schema "hotspot.results" version 1`,
    );
    const partial = await write(
      "partial.json",
      JSON.stringify({ schema: SWEEP_SCHEMA, version: SWEEP_VERSION, items: [] }),
    );
    await expect(readSweep(partial)).rejects.toThrow(
      `${partial}: expected configHash, config and items, found a document missing some of them`,
    );
  });
});
