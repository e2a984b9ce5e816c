import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../../support/run-cli.js";
import { readSweep } from "../../../src/sweep/document.js";
import { varyKeys } from "../../../src/sweep/settings.js";
import { runSweep } from "../../../src/sweep/run.js";
import { prepareSmall, writeSmallTrace } from "../../sweep/fixture.js";

let dir: string;
let tracePath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-cli-sweep-"));
  tracePath = await writeSmallTrace(dir);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The CLI form of test/sweep/fixture.ts's small request. */
const sweepArgs = (out: string) => [
  "sweep",
  "--trace",
  tracePath,
  "--no-cache",
  "--policy",
  "on-demand,greedy,hotspot",
  "--baseline",
  "greedy",
  "--demand",
  "6.5",
  "--vary",
  "memory-gib=1,16",
  "--windows",
  "1d",
  "--starts",
  "3",
  "--seed",
  "5",
  "--jobs",
  "1",
  "--out",
  join(dir, out),
];

describe("hotspot sweep", () => {
  it("writes the same document as the library for the same settings, a table, and a summary line", async () => {
    const result = await runCli(sweepArgs("cli.json"));
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^hotspot: sweep complete: 6\/6 items \(0 resumed, 6 run in [\d.]+ s, [\d.]+\/s\) -> /,
    );
    const document = await readSweep(join(dir, "cli.json"));
    const comparison = document.points[0].comparisons.find((c) => c.policy === "hotspot")!;
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    const lines = result.stdout.split("\n");
    expect(lines[0]).toMatch(
      /^memory-gib=1: \S+ (saved|cost) .* per unit of work over greedy \(mean of 3 paired window/,
    );
    expect(result.stdout).toMatch(
      new RegExp(
        `memory-gib=1\\s+hotspot\\s+3\\s+${pct(comparison.meanSaving!)}\\s+\\[${pct(comparison.ci95![0])}, ${pct(comparison.ci95![1])}\\]\\s+${comparison.wins}/${comparison.ties}/${comparison.losses}`,
      ),
    );
    expect(result.stdout).toMatch(/^point\s+policy\s+n\s+cost \$\/window\s+95% CI/m);
    expect(result.stdout).toMatch(/memory-gib=16\s+greedy\s+3\s/);
    await runSweep({
      ...(await prepareSmall(tracePath, { baseline: "greedy" })),
      out: join(dir, "library.json"),
      resume: false,
      shard: null,
      execution: { kind: "inline" },
    });
    expect(await readFile(join(dir, "cli.json"), "utf8")).toBe(
      await readFile(join(dir, "library.json"), "utf8"),
    );
  });

  it("adds the default baseline spot-stay to the policies, and rejects an unknown --baseline (exit 2)", async () => {
    const args = sweepArgs("baseline.json").filter((arg) => arg !== "--baseline" && arg !== "greedy");
    args[args.indexOf("on-demand,greedy,hotspot")] = "greedy";
    args[args.indexOf("memory-gib=1,16")] = "memory-gib=1";
    args[args.indexOf("3")] = "2";
    const result = await runCli(args);
    expect(result.code).toBe(0);
    const document = await readSweep(join(dir, "baseline.json"));
    expect(document.config.policies.map((policy) => policy.name)).toEqual(["spot-stay", "greedy"]);
    expect(document.config.baseline).toBe("spot-stay");
    expect(document.points[0].comparisons.map((c) => [c.policy, c.baseline, c.n])).toEqual([
      ["greedy", "spot-stay", 2],
    ]);
    const bad = await runCli([...sweepArgs("bad-baseline.json"), "--baseline", "stay"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("stay");
    expect(bad.stderr).toContain("spot-stay");
  });

  it("rejects an unknown --vary key with exit 2, listing the valid keys", async () => {
    const result = await runCli([...sweepArgs("bad.json"), "--vary", "ram=1"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `--vary: expected a key among ${Object.keys(varyKeys).join(", ")}, found "ram"`,
    );
  });

  it("takes the shard index from a Kubernetes Indexed Job's environment", async () => {
    vi.stubEnv("JOB_COMPLETION_INDEX", "1");
    try {
      const result = await runCli([...sweepArgs("k8s.json"), "--shard-count", "3"]);
      expect(result.code).toBe(0);
      const document = await readSweep(join(dir, "k8s.json"));
      expect(document.shard).toEqual({ index: 1, count: 3 });
      expect(document.items.map((item) => item.index)).toEqual([1, 4]);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("refuses --shard with --shard-count (exit 2)", async () => {
    const result = await runCli([...sweepArgs("both.json"), "--shard", "0/2", "--shard-count", "2"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "--shard-count: expected either --shard i/n or --shard-count n, not both",
    );
  });

  it("on Ctrl-C writes what finished and exits 1 pointing at --resume (SIGINT handler called directly)", async () => {
    const once = process.once.bind(process);
    const spy = vi.spyOn(process, "once").mockImplementation((event, listener) => {
      if (event === "SIGINT") (listener as () => void)();
      return once(event, listener);
    });
    let result;
    try {
      result = await runCli(sweepArgs("interrupted.json"));
    } finally {
      spy.mockRestore();
    }
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("hotspot: sweep interrupted: 0/6 items");
    expect(result.stderr).toContain("run the same command with --resume to continue [HOTSPOT_INTERRUPTED]");
    expect((await readSweep(join(dir, "interrupted.json"))).complete).toBe(false);
    const resumed = await runCli([...sweepArgs("interrupted.json"), "--resume"]);
    expect(resumed.code).toBe(0);
    expect(await readFile(join(dir, "interrupted.json"), "utf8")).toBe(
      await readFile(join(dir, "library.json"), "utf8"),
    );
  });
});

describe("sweep reports through the CLI", () => {
  it("writes the sweep's HTML report with --report, and hotspot report re-renders it from the JSON", async () => {
    const html = join(dir, "sweep.html");
    const result = await runCli([...sweepArgs("reported.json"), "--report", html]);
    expect(result.code).toBe(0);
    const page = await readFile(html, "utf8");
    expect(page).toContain(`hotspot sweep --trace ${tracePath}`);
    expect(page).toContain('id="hotspot-sweep"');
    const again = join(dir, "again.html");
    const report = await runCli(["report", join(dir, "reported.json"), "-o", again]);
    expect(report.code).toBe(0);
    expect(report.stdout).toContain("sweep results document");
    expect(await readFile(again, "utf8")).toContain('id="hotspot-sweep"');
  });

  it("refuses a sweep document mixed with others (exit 2), writing nothing", async () => {
    const mixed = join(dir, "mixed.html");
    const result = await runCli(["report", join(dir, "reported.json"), join(dir, "cli.json"), "-o", mixed]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("expected one sweep results document, or sim results documents");
    await expect(readFile(mixed, "utf8")).rejects.toThrow();
  });
});
