import { access, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";

let dir: string;
let oneZone: string;
let otherSeed: string;

const rows = [
  "AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp",
  "us-east-1a,m4.large,Linux/UNIX,0.030000,2021-03-01T00:00:00+00:00",
  "us-east-1a,m4.xlarge,Linux/UNIX,0.070000,2021-03-01T00:00:00+00:00",
  "us-east-1a,m4.xlarge,Linux/UNIX,0.050000,2021-03-01T02:00:00+00:00",
  "us-east-1a,m4.large,Linux/UNIX,0.030000,2021-03-01T06:00:00+00:00",
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-report-cli-"));
  const trace = join(dir, "trace.csv");
  await writeFile(trace, `${rows.join("\n")}\n`);
  oneZone = join(dir, "seed1.json");
  otherSeed = join(dir, "seed7.json");
  for (const [out, seed] of [
    [oneZone, "1"],
    [otherSeed, "7"],
  ]) {
    const { code } = await runCli(["sim", "--trace", trace, "--seed", seed, "--out", out]);
    expect(code).toBe(0);
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("hotspot report", () => {
  it("writes one section per results document and shows the command that reproduces it", async () => {
    const out = join(dir, "two.html");
    const { code, stdout } = await runCli(["report", oneZone, otherSeed, "-o", out]);
    expect(code).toBe(0);
    const html = await readFile(out, "utf8");
    expect(stdout).toBe(`wrote ${out} (${Buffer.byteLength(html)} bytes, 2 results document(s))\n`);
    expect(html.match(/<section class="document"/g)).toHaveLength(2);
    expect(html).toContain(`<pre class="command">hotspot report ${oneZone} ${otherSeed} -o ${out}</pre>`);
    expect(html.match(/<dt>seed<\/dt><dd>(\d+)<\/dd>/g)).toEqual([
      "<dt>seed</dt><dd>1</dd>",
      "<dt>seed</dt><dd>7</dd>",
    ]);
  });

  it("writes nothing when any input is not a results document, and names that file", async () => {
    const out = join(dir, "bad.html");
    const notResults = join(dir, "other.json");
    await writeFile(notResults, JSON.stringify({ schema: "something-else", version: 1 }));
    const { code, stderr } = await runCli(["report", oneZone, notResults, "-o", out]);
    expect(code).toBe(1);
    expect(stderr).toContain(`${notResults}: schema: expected "hotspot.sim-results", found "something-else"`);
    await expect(access(out)).rejects.toThrow("ENOENT");
  });

  it("requires -o", async () => {
    const { code, stderr } = await runCli(["report", oneZone]);
    expect(code).toBe(2);
    expect(stderr).toContain("Missing required argument: out");
  });
});
