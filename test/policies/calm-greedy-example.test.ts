import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ResultsDocument } from "../../src/results/document.js";
import { readSweep } from "../../src/sweep/document.js";
import { runCli } from "../support/run-cli.js";

// The registration: the one line docs/architecture.md adds to src/policies/index.ts's `policies`.
vi.mock("../../src/policies/index.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/policies/index.js")>();
  const { calmGreedyPolicy } = await import("../support/calm-greedy-policy.js");
  const registry = { ...real.policies, "calm-greedy": calmGreedyPolicy };
  const names = Object.keys(registry);
  return {
    ...real,
    policies: registry,
    policyNames: names,
    policyByName: (name: string) => (name === "calm-greedy" ? calmGreedyPolicy : real.policyByName(name)),
  };
});

const demo = join(import.meta.dirname, "..", "..", "traces", "demo-hopping.csv");
// demo-hopping's types; the bucket of c4.2xlarge (where greedy spends most hops at 1 GiB) varies.
const types = ["c3.2xlarge", "c4.xlarge", "m3.large", "m4.2xlarge", "m4.xlarge"];
const varied = "c4.2xlarge";
let dir: string;

async function advisorFile(name: string, variedBucket: number): Promise<string> {
  const perType = Object.fromEntries([
    ...types.map((type) => [type, { s: 60, r: 0 }]),
    [varied, { s: 60, r: variedBucket }],
  ]);
  const path = join(dir, name);
  await writeFile(path, JSON.stringify({ spot_advisor: { "us-east-1": { Linux: perType } } }));
  return path;
}

const sim = (out: string, ...extra: string[]) => [
  "sim",
  "--trace",
  demo,
  "--no-cache",
  "--memory",
  "1",
  "--zones",
  "us-east-1a",
  "--json",
  "--out",
  join(dir, out),
  ...extra,
];

async function runs(out: string): Promise<ResultsDocument["runs"]> {
  return (JSON.parse(await readFile(join(dir, out), "utf8")) as ResultsDocument).runs;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-calm-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("a policy that needs the Spot Advisor file, added as docs/architecture.md says (test-only example)", () => {
  it("is refused without --advisor, before any work, naming the flag and the policy", async () => {
    const result = await runCli(sim("none.json", "--policy", "calm-greedy"));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--advisor: expected a file: policy calm-greedy needs it, found none");
  });

  it("in sim: never places on a spot type rated above maxBucket; with every type calm it is greedy", async () => {
    const stormy = await advisorFile("stormy.json", 4);
    const result = await runCli(
      sim(
        "calm.json",
        "--policy",
        "greedy,calm-greedy",
        "--advisor",
        stormy,
        "--param",
        "calm-greedy:maxBucket=1",
      ),
    );
    expect(result.code, result.stderr).toBe(0);
    const [greedy, calm] = await runs("calm.json");
    const spotTypes = (run: ResultsDocument["runs"][number]) =>
      new Set(run.instances.filter((i) => i.lifecycle === "spot").map((i) => i.instanceType));
    expect(spotTypes(greedy).has(varied)).toBe(true);
    expect(spotTypes(calm).has(varied)).toBe(false);
    expect(spotTypes(calm).size).toBeGreaterThan(0);
    expect(calm.params).toEqual({ maxBucket: 1 });

    const allCalm = await runCli(
      sim(
        "all.json",
        "--policy",
        "greedy,calm-greedy",
        "--advisor",
        stormy,
        "--param",
        "calm-greedy:maxBucket=4",
      ),
    );
    expect(allCalm.code, allCalm.stderr).toBe(0);
    const [greedyAgain, calmAll] = await runs("all.json");
    expect(calmAll.costUsd).toBe(greedyAgain.costUsd);
    expect(calmAll.migrations).toBe(greedyAgain.migrations);
  });

  it("in a sweep, through the same loader, with the feed recorded in the sweep's configuration", async () => {
    const stormy = await advisorFile("stormy-sweep.json", 4);
    const out = join(dir, "sweep.json");
    const result = await runCli([
      "sweep",
      "--trace",
      demo,
      "--no-cache",
      "--zones",
      "us-east-1a",
      "--policy",
      "calm-greedy",
      "--baseline",
      "calm-greedy",
      "--memory",
      "1",
      "--windows",
      "1d",
      "--starts",
      "2",
      "--jobs",
      "1",
      "--advisor",
      stormy,
      "--out",
      out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const document = await readSweep(out);
    expect(document.config.inputs).toEqual({
      advisor: {
        source: stormy,
        region: "us-east-1",
        os: "Linux",
        buckets: Object.fromEntries([...types, varied].sort().map((t) => [t, t === varied ? 4 : 0])),
      },
    });
    expect(document.items).toHaveLength(2);
  });
});
