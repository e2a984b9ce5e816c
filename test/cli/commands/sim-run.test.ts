import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sixHourRows } from "../../support/six-hour-trace.js";
import { runCli } from "../../support/run-cli.js";
import { builtinCatalog } from "../../../src/catalog/catalog.js";
import type { ResultsDocument } from "../../../src/results/document.js";

let dir: string;
let tracePath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-sim-"));
  tracePath = join(dir, "trace.csv");
  await writeFile(tracePath, `${sixHourRows.join("\n")}\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const run = runCli;

const base = () => ["sim", "--trace", tracePath, "--no-cache", "--memory", "8", "--demand", "6.5"];

describe("hotspot sim", () => {
  it("rejects an unknown policy with exit 2 and the list of valid names", async () => {
    const result = await run([...base(), "--policy", "greedy,cheapest"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'unknown policy "cheapest"; valid: on-demand, spot-stay, greedy, hotspot, hotspot-plus, optimal',
    );
  });

  it("rejects a parameter no selected policy has", async () => {
    const result = await run([...base(), "--policy", "greedy", "--param", "speed=3"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("greedy:minSaving");
  });

  it("lists a policy's parameters", async () => {
    const result = await run(["sim", "--help-policy", "greedy"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("minSaving (fraction, default 0, min 0, max 1)");
  });

  it("prints the versioned results document; on-demand costs hours × price", async () => {
    const result = await run([
      ...base(),
      "--policy",
      "on-demand,greedy",
      "--json",
      "--param",
      "minSaving=0.1",
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout) as ResultsDocument;
    expect(document.schema).toBe("hotspot.sim-results");
    expect(document.version).toBe(1);
    expect(document.trace.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(document.trace.start).toBe("2021-03-01T00:00:00.000Z");
    expect(document.trace.end).toBe("2021-03-01T06:00:00.000Z");
    expect(document.configuration.interruptions).toEqual({ kind: "none" });
    expect(document.runs.map((r) => [r.policy, r.zone])).toEqual([
      ["on-demand", "us-east-1a"],
      ["greedy", "us-east-1a"],
    ]);
    const [onDemand, greedy] = document.runs;
    const price = builtinCatalog().onDemand(
      "m4.large",
      "us-east-1",
      Date.parse("2021-03-01") / 1000,
    )!.usdPerHour;
    // Demand 6.5 ECU: m4.large (6.5 ECU) is the cheapest on-demand per ECU; running from 28 s (acquire).
    expect(onDemand.onDemandMarket).toBe("m4.large");
    expect(onDemand.costUsd).toBeCloseTo(((6 * 3600 - 28) / 3600) * price, 12);
    expect(onDemand.workEcuHours).toBeCloseTo(((6 * 3600 - 28) / 3600) * 6.5, 12);
    expect(greedy.params).toEqual({ minSaving: 0.1 });
    // m4.large spot at $0.03 for 6.5 ECU beats m4.xlarge at $0.05 (capped at the 6.5 ECU demand).
    expect(greedy.migrations).toBe(0);
    expect(greedy.costUsd).toBeCloseTo(((6 * 3600 - 67) / 3600) * 0.03, 12);
    expect(greedy.timeline[0]).toMatchObject({
      kind: "place",
      instanceType: "m4.large",
      lifecycle: "spot",
      price: 0.03,
    });
  });

  it("writes the same bytes with --out as --json prints, run after run", async () => {
    const out = join(dir, "results.json");
    const first = await run([
      ...base(),
      "--policy",
      "greedy,spot-stay",
      "--durations",
      "sampled",
      "--json",
      "--out",
      out,
    ]);
    expect(first.code).toBe(0);
    expect(await readFile(out, "utf8")).toBe(first.stdout);
    const second = await run([...base(), "--policy", "greedy,spot-stay", "--durations", "sampled", "--json"]);
    expect(second.stdout).toBe(first.stdout);
  });

  it("prints a table per zone naming the work unit", async () => {
    const result = await run([...base(), "--policy", "greedy"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("zone us-east-1a (on-demand baseline: m4.large)");
    expect(result.stdout).toContain("$/ECU-h");
  });

  it("writes an HTML report with --report that names the command reproducing it", async () => {
    const report = join(dir, "sim-report.html");
    const result = await run([...base(), "--policy", "greedy,on-demand", "--report", report]);
    expect(result.code).toBe(0);
    const html = await readFile(report, "utf8");
    expect(html).toContain(`hotspot sim --trace ${tracePath} --no-cache`);
    expect(html).toContain("--report");
    // Both policies appear in the summary table.
    expect(html).toContain('<tr data-policy="greedy"><th scope="row">greedy</th>');
    expect(html).toContain('<tr data-policy="on-demand"><th scope="row">on-demand</th>');
  });
});

describe("the npm start demo (traces/demo-hopping.csv)", () => {
  const demo = new URL("../../../traces/demo-hopping.csv", import.meta.url);

  it("is the output of the documented hotspot trace synth command", async () => {
    const out = join(dir, "demo-hopping.csv");
    const result = await run([
      "trace",
      "synth",
      "--regime",
      "volatile",
      "--days",
      "14",
      "--seed",
      "3",
      "--types",
      "m3.large,m4.xlarge,c4.2xlarge,c4.xlarge,m4.2xlarge,c3.2xlarge",
      "-o",
      out,
    ]);
    expect(result.code).toBe(0);
    expect(await readFile(out, "utf8")).toBe(await readFile(demo, "utf8"));
  });

  it("ends with a line giving hotspot's saving against spot-stay and its moves, from the all-zones rows", async () => {
    const result = await run([
      "sim",
      "--trace",
      demo.pathname,
      "--no-cache",
      "--policy",
      "spot-stay,hotspot",
      "--json",
    ]);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout) as ResultsDocument;
    const [stay, hotspot] = document.aggregate;
    const saving = (1 - hotspot.usdPerEcuHour! / stay.usdPerEcuHour!) * 100;
    // Hopping visibly pays on this trace.
    expect(saving).toBeGreaterThan(10);
    const text = await run(["sim", "--trace", demo.pathname, "--no-cache", "--policy", "spot-stay,hotspot"]);
    const last = text.stdout.trimEnd().split("\n").pop();
    expect(last).toBe(
      `hotspot saved ${saving.toFixed(1)}% per ECU-hour against staying on one spot market (spot-stay), moving ${hotspot.migrations} time(s) in 14.0 days (${(hotspot.migrations / 28).toFixed(2)} per zone per day).`,
    );
  });
});
