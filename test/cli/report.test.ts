import { access, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yargs from "yargs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { reportCommand } from "../../src/cli/commands/report.js";

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

async function quiet<T>(work: () => Promise<T>): Promise<{ value: T; stdout: string }> {
  let stdout = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  try {
    return { value: await work(), stdout };
  } finally {
    spy.mockRestore();
  }
}

/** The report command alone under yargs as main.ts sets it up (strict, errors thrown, no exit). */
async function report(argv: readonly string[]): Promise<string> {
  const { stdout } = await quiet(() =>
    yargs([...argv])
      .command(reportCommand)
      .strict()
      .exitProcess(false)
      .fail((message, error) => {
        throw error ?? new Error(message);
      })
      .parseAsync(),
  );
  return stdout;
}

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
    const { value } = await quiet(() => main(["sim", "--trace", trace, "--seed", seed, "--out", out]));
    expect(value).toBe(0);
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("hotspot report", () => {
  it("writes one section per results document and shows the command that reproduces it", async () => {
    const out = join(dir, "two.html");
    const stdout = await report(["report", oneZone, otherSeed, "-o", out]);
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
    await expect(report(["report", oneZone, notResults, "-o", out])).rejects.toThrow(
      `${notResults}: schema: expected "hotspot.sim-results", found "something-else"`,
    );
    await expect(access(out)).rejects.toThrow("ENOENT");
  });

  it("requires -o", async () => {
    await expect(report(["report", oneZone])).rejects.toThrow("Missing required argument: out");
  });
});
