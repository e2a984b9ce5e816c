import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../support/run-cli.js";
import { writeSmallTrace } from "../../sweep/fixture.js";

let dir: string;
let tracePath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-cli-merge-"));
  tracePath = await writeSmallTrace(dir);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sweep = (out: string, ...extra: string[]) =>
  runCli([
    "sweep",
    "--trace",
    tracePath,
    "--no-cache",
    "--policy",
    "greedy,hotspot",
    "--vary",
    "interval=300,900",
    "--windows",
    "1d",
    "--starts",
    "2",
    "--seed",
    "3",
    "--jobs",
    "1",
    "--out",
    join(dir, out),
    ...extra,
  ]);

describe("hotspot merge", () => {
  it("combines 3 shards into the unsharded sweep's bytes", async () => {
    expect((await sweep("whole.json")).code).toBe(0);
    for (const index of [0, 1, 2])
      expect((await sweep(`s${index}.json`, "--shard", `${index}/3`)).code).toBe(0);
    const shards = [2, 0, 1].map((index) => join(dir, `s${index}.json`));
    const result = await runCli(["merge", ...shards, "-o", join(dir, "merged.json")]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("hotspot: merged 3 shard(s), 4 items -> ");
    expect(await readFile(join(dir, "merged.json"), "utf8")).toBe(
      await readFile(join(dir, "whole.json"), "utf8"),
    );
  });

  it("exits 1 naming a missing shard, and writes nothing", async () => {
    const result = await runCli([
      "merge",
      join(dir, "s0.json"),
      join(dir, "s1.json"),
      "-o",
      join(dir, "partial.json"),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("hotspot: missing shard(s) 2/3 [HOTSPOT_MERGE]");
    await expect(readFile(join(dir, "partial.json"))).rejects.toThrow("ENOENT");
  });

  it("exits 1 naming a file that is not a sweep results document", async () => {
    const result = await runCli(["merge", tracePath, "-o", join(dir, "x.json")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${tracePath}: expected a JSON sweep results document`);
  });
});
