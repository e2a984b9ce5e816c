import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sixHourRows } from "./support/six-hour-trace.js";
import {
  catalogTypes,
  fetchCatalog,
  loadTrace,
  pricingRegions,
  synthesizeTrace,
  traceInfo,
  mergeSweeps,
  report,
  serializeResults,
  setup,
  simulate,
  sweep,
  type SimulateOptions,
  type SweepRequest,
} from "../src/api.js";
import { InputReadError, UnknownNameError, UsageError } from "../src/errors.js";
import { policyByName, resolveParams } from "../src/policies/index.js";
import { runCli } from "./support/run-cli.js";
import { smallRequest } from "./sweep/fixture.js";
import { FakeClock } from "./support/fake-clock.js";
import { setupHarness, spec } from "./support/setup-emulator.js";

let dir: string;
let tracePath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-api-"));
  tracePath = join(dir, "trace.csv");
  await writeFile(tracePath, `${sixHourRows.join("\n")}\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const policies = (...names: string[]) =>
  names.map((name) => ({ definition: policyByName(name), params: resolveParams(policyByName(name), {}) }));

/** What `hotspot sim --trace T --no-cache --memory 8 --demand 6.5 --policy P` asks for, with the CLI's defaults. */
const simOptions = (overrides: Partial<SimulateOptions> = {}): SimulateOptions => ({
  tracePath,
  load: { cacheDir: false },
  policies: policies("spot-stay", "greedy", "optimal"),
  intervalSeconds: 300,
  maxDecisions: 100_000,
  maxUnpriced: 0.05,
  billing: "per-second",
  durations: "mean",
  seed: 1,
  memoryGiB: 8,
  cpuCompat: "same-vendor",
  transfer: "network",
  bandwidthGbps: 10,
  historyWindowSeconds: 86_400,
  targetWork: null,
  catalog: { workUnit: "ecu", skipUnknownTypes: false },
  demand: 6.5,
  utilisation: 1,
  interruptions: { model: "auto", bidMultiple: 1, rebalanceLeadSeconds: 0 },
  advisorOs: "Linux",
  ...overrides,
});

describe("loadTrace", () => {
  it("reads the trace's series and window", async () => {
    const trace = await loadTrace(tracePath, { cacheDir: false });
    expect(trace.series.map((s) => `${s.zone} ${s.instanceType}`)).toEqual([
      "us-east-1a m4.large",
      "us-east-1a m4.xlarge",
    ]);
  });

  it("throws InputReadError for a missing file", async () => {
    await expect(loadTrace(join(dir, "none.csv"), { cacheDir: false })).rejects.toBeInstanceOf(
      InputReadError,
    );
  });
});

describe("traceInfo and synthesizeTrace", () => {
  it("gives each file's rows, series and span, in the order given", async () => {
    const [stats, again] = await traceInfo([tracePath, tracePath], { cacheDir: false }, { workUnit: "ecu" });
    expect([stats.rows, stats.series, stats.types]).toEqual([4, 2, ["m4.large", "m4.xlarge"]]);
    expect(stats.span).toEqual({
      first: "2021-03-01T00:00:00.000Z",
      last: "2021-03-01T06:00:00.000Z",
      days: 0.25,
    });
    expect(again).toEqual(stats);
  });

  it("synthesizes with the built-in catalog's prices: same seed, same bytes; the trace reads back", async () => {
    const options = {
      regime: "smoothed" as const,
      days: 1,
      types: ["m4.large"],
      zones: ["us-east-1a", "us-east-1b"],
      start: Date.parse("2021-03-01T00:00:00Z") / 1000,
      seed: 7,
    };
    const first = join(dir, "synth-1.csv");
    const second = join(dir, "synth-2.csv");
    const summary = await synthesizeTrace(first, options);
    await synthesizeTrace(second, options);
    expect(await readFile(second, "utf8")).toBe(await readFile(first, "utf8"));
    expect(summary.series).toBe(2);
    const trace = await loadTrace(first, { cacheDir: false });
    expect(trace.series.map((s) => s.zone)).toEqual(["us-east-1a", "us-east-1b"]);
  });
});

describe("catalogTypes, pricingRegions and fetchCatalog", () => {
  it("views every type, or one, with the region's price in force", async () => {
    const at = Date.parse("2016-03-01T00:00:00Z") / 1000;
    const all = await catalogTypes({ region: "us-east-1", at });
    expect(all.description).toMatch(/^built-in /);
    const one = await catalogTypes({ region: "us-east-1", at, type: "m4.large" });
    expect(one.views).toEqual(all.views.filter((view) => view.type === "m4.large"));
    expect(one.views[0].spec.memoryGiB).toBe(8);
    expect((await catalogTypes({ region: "us-east-1", at, type: "x9.nothing" })).views).toEqual([]);
  });

  it("lists the Price List Query API's regions, and refuses another before any request", async () => {
    expect(await pricingRegions()).toEqual(["us-east-1", "eu-central-1", "ap-south-1"]);
    await expect(
      fetchCatalog({ region: "us-east-1", pricingRegion: "eu-west-1", out: join(dir, "specs.csv") }),
    ).rejects.toThrow(UnknownNameError);
  });
});

describe("simulate", () => {
  it("gives the document `hotspot sim --json` prints", async () => {
    const { document, skippedTypes } = await simulate(simOptions());
    const cli = await runCli([
      "sim",
      "--trace",
      tracePath,
      "--no-cache",
      "--memory",
      "8",
      "--demand",
      "6.5",
      "--policy",
      "spot-stay,greedy,optimal",
      "--json",
    ]);
    expect(cli.code).toBe(0);
    expect(serializeResults(document)).toBe(cli.stdout);
    expect(skippedTypes).toEqual([]);
  });

  it("runs every policy in the zone; staying on m4.large spot costs its hours × $0.03", async () => {
    const { document } = await simulate(simOptions());
    expect(document.runs.map((r) => [r.policy, r.zone])).toEqual([
      ["spot-stay", "us-east-1a"],
      ["greedy", "us-east-1a"],
      ["optimal", "us-east-1a"],
    ]);
    const [stay, greedy, optimal] = document.runs;
    // Running from 67 s on (acquire and start of a spot instance, the paper's means).
    expect(stay.costUsd).toBeCloseTo(((6 * 3600 - 67) / 3600) * 0.03, 12);
    expect(greedy.costUsd).toBeCloseTo(stay.costUsd, 12);
    expect(optimal.costUsd).toBeLessThanOrEqual(greedy.costUsd + 1e-12);
  });

  it("reports the work unit `auto` picks through onWorkUnit", async () => {
    const units: unknown[] = [];
    await simulate(
      simOptions({
        policies: policies("spot-stay"),
        catalog: { workUnit: "auto", skipUnknownTypes: false },
        onWorkUnit: (unit, allHaveEcu) => units.push([unit, allHaveEcu]),
      }),
    );
    expect(units).toEqual([["ecu", true]]);
  });

  it("throws UsageError naming --interval when the run would take too many decisions", async () => {
    const error = await simulate(simOptions({ maxDecisions: 10 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    // Six hours every 300 s: 72 decisions.
    expect((error as Error).message).toMatch(
      /^--interval: expected at most 10 decisions .*found 72 decisions/,
    );
  });

  it("throws UsageError naming --zones for zones of two regions", async () => {
    const two = join(dir, "two-regions.csv");
    await writeFile(
      two,
      `${[...sixHourRows, "us-west-2a,m4.large,Linux/UNIX,0.030000,2021-03-01T00:00:00+00:00"].join("\n")}\n`,
    );
    const error = await simulate(simOptions({ tracePath: two })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain("us-east-1, us-west-2");
  });
});

describe("report", () => {
  it("writes the sim report and names the documents it read", async () => {
    const results = join(dir, "results.json");
    await writeFile(results, serializeResults((await simulate(simOptions())).document));
    const out = join(dir, "report.html");
    const written = await report({ results: [results], out, commandLine: "hotspot report" });
    expect(written).toEqual({ kind: "sim", documents: 1, bytes: (await readFile(out)).length });
  });

  it("throws UsageError for a --path-policy the document did not run", async () => {
    const results = join(dir, "results.json");
    const error = await report({
      results: [results],
      out: join(dir, "r2.html"),
      pathPolicy: "on-demand",
      commandLine: "hotspot report",
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain("(spot-stay, greedy, optimal)");
  });
});

describe("sweep and mergeSweeps", () => {
  // A function: the trace is written in beforeAll.
  const request = (): SweepRequest =>
    smallRequest(tracePath, {
      vary: [],
      policies: policies("spot-stay", "greedy"),
      baseline: "spot-stay",
      windowSeconds: 3600,
      windows: 4,
      seed: 1,
    });
  const run = (out: string, shard: { index: number; count: number } | null) =>
    sweep(request(), { out, resume: false, shard, execution: { kind: "inline" } });

  it("runs every window and writes what it returns; two shards merge into the same items", async () => {
    const whole = await run(join(dir, "sweep.json"), null);
    expect([whole.status, whole.ran, whole.total, whole.document.items.length]).toEqual([
      "complete",
      4,
      4,
      4,
    ]);
    const shards = [join(dir, "s0.json"), join(dir, "s1.json")];
    const parts = [
      await run(shards[0], { index: 0, count: 2 }),
      await run(shards[1], { index: 1, count: 2 }),
    ];
    expect(parts.map((p) => p.document.items.length)).toEqual([2, 2]);
    const merged = await mergeSweeps(shards, join(dir, "merged.json"));
    expect(merged.shards).toBe(2);
    expect(merged.document.items).toEqual(whole.document.items);
  });

  it("mergeSweeps throws InputReadError for a missing shard", async () => {
    await expect(mergeSweeps([join(dir, "none.json")], join(dir, "m.json"))).rejects.toBeInstanceOf(
      InputReadError,
    );
  });
});

describe("setup", () => {
  it("plans on the emulator without changing anything (dry run)", async () => {
    const h = await setupHarness();
    try {
      let text = "";
      const config = await setup(
        {
          spec: spec(),
          mode: "dry-run",
          configPath: join(dir, "hotspot.json"),
          containerName: "app",
          instanceTypes: ["m5.large"],
          policy: { name: "greedy", params: {}, inputs: {} },
        },
        h.ec2,
        (chunk) => (text += chunk),
        new FakeClock(),
      );
      expect(config).toBeUndefined();
      expect(text.split("\n")[0]).toBe("setup t1 in us-east-1a: 14 call(s) to make, 0 resource(s) to reuse");
      expect(h.actionsSince(0).every((action) => action.startsWith("Describe"))).toBe(true);
    } finally {
      await h.close();
    }
  });
});
