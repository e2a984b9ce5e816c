import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { traceSynthSettings } from "../../../../src/cli/commands/trace/synth.js";
import { UsageError } from "../../../../src/errors.js";
import { runCli } from "../../../support/run-cli.js";

const repoRoot = fileURLToPath(new URL("../../../..", import.meta.url));

/** Runs the CLI in-process; returns the exit code and what it wrote. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await runCli(argv);
  return { code, out: stdout, err: stderr };
}

/** `hotspot trace synth ...` that must succeed without writing to stderr; returns its stdout. */
async function synth(argv: string[]): Promise<string> {
  const result = await run(["trace", ...argv]);
  expect(result).toMatchObject({ code: 0, err: "" });
  return result.out;
}

afterEach(() => vi.restoreAllMocks());

describe("trace synth (in-process CLI, stdout/stderr captured)", () => {
  it("fills in the regime's defaults", () => {
    expect(traceSynthSettings({ out: "x.csv" })).toEqual({
      regime: "volatile",
      days: 7,
      types: ["m3.medium", "m3.large", "m4.xlarge", "c4.2xlarge", "r3.2xlarge", "m4.4xlarge"],
      zones: ["us-east-1a", "us-east-1b"],
      seed: 1,
      start: Date.parse("2016-03-01T00:00:00Z") / 1000,
      out: "x.csv",
      specsFile: undefined,
      skipUnknownTypes: false,
    });
    const smoothed = traceSynthSettings({ out: "x.csv", regime: "smoothed", days: "2.5", seed: "9" });
    expect([smoothed.start, smoothed.days, smoothed.seed, smoothed.types[0]]).toEqual([
      Date.parse("2021-03-02T00:00:00Z") / 1000,
      2.5,
      9,
      "m5.large",
    ]);
  });

  it("names the flag, what was expected and what was found", () => {
    const cases: [Parameters<typeof traceSynthSettings>[0], string][] = [
      [{}, "-o/--out: expected the path of the CSV file to write, found nothing"],
      [{ out: "x", regime: "wild" }, '--regime: expected one of volatile, smoothed, found "wild"'],
      [{ out: "x", days: "0" }, '--days: expected a number of days > 0 and ≤ 36500, found "0"'],
      [{ out: "x", days: "1e9" }, '--days: expected a number of days > 0 and ≤ 36500, found "1e9"'],
      [{ out: "x", days: "" }, '--days: expected a number of days > 0 and ≤ 36500, found ""'],
      [
        { out: "x", types: ["m5.large,M5 Large"] },
        '--types: expected instance types such as m5.large, found "M5 Large"',
      ],
      [
        { out: "x", zones: ["mars-1a"] },
        '--zones: expected availability zone names or IDs such as us-east-1a or use1-az4, found "mars-1a"',
      ],
      [{ out: "x", seed: "1.5" }, '--seed: expected a whole number, found "1.5"'],
      [
        { out: "x", start: "yesterday" },
        '--start: expected an ISO 8601 date (2021-03-02, UTC) or date-time with Z or an offset (2021-03-02T06:00:00Z), found "yesterday"',
      ],
    ];
    for (const [args, message] of cases) {
      expect(() => traceSynthSettings(args)).toThrow(UsageError);
      expect(() => traceSynthSettings(args)).toThrow(message);
    }
  });

  it("exits 2 naming the flag when the command line is wrong", async () => {
    expect(await run(["trace", "synth", "--days", "3"])).toEqual({
      code: 2,
      out: "",
      err: "hotspot: -o/--out: expected the path of the CSV file to write, found nothing\n",
    });
  });

  it("exits 1 naming the types without an on-demand price, writing nothing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hotspot-synth-gap-"));
    const path = join(dir, "gap.csv");
    const result = await run(["trace", "synth", "--types", "m4.large,zz.large", "-o", path]);
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      "hotspot: no us-east-1 on-demand price for instance type(s): zz.large; give them with --specs FILE, or pass --skip-unknown-types to leave those markets out [HOTSPOT_CATALOG_GAP]\n",
    );
    await expect(readFile(path)).rejects.toThrow(/ENOENT/);
    const skipping = await run([
      "trace",
      "synth",
      "--types",
      "m4.large,zz.large",
      "--skip-unknown-types",
      "-o",
      path,
    ]);
    expect(skipping.code).toBe(0);
    expect(skipping.out).toMatch(
      /^wrote \d+ rows \(2 series, .*; left out \(no on-demand price\): zz\.large\n$/,
    );
  });

  it("writes the trace and says what it wrote", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hotspot-synth-cli-"));
    const path = join(dir, "s.csv");
    const out = await synth([
      "synth",
      "--regime",
      "smoothed",
      "--days",
      "2",
      "--types",
      "m5.large",
      "-o",
      path,
    ]);
    const lines = (await readFile(path, "utf8")).trimEnd().split("\n");
    expect(out).toBe(
      `wrote ${lines.length - 1} rows (2 series, smoothed, seed 1, 2021-03-02T00:00:00.000Z to 2021-03-04T00:00:00.000Z) to ${path}\n`,
    );
    expect(lines[1]).toMatch(/^us-east-1a,m5\.large,Linux\/UNIX,0\.\d{4}00,2021-03-02T00:00:00\.000Z$/);
  });

  it("regenerates the committed demo trace byte for byte", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hotspot-demo-"));
    const path = join(dir, "demo.csv");
    await synth([
      "synth",
      "--regime",
      "volatile",
      "--days",
      "3",
      "--types",
      "m3.medium,m3.large,m4.xlarge,c4.2xlarge,r3.2xlarge,m4.4xlarge",
      "--zones",
      "us-east-1a,us-east-1b",
      "--start",
      "2016-03-01",
      "--seed",
      "1",
      "-o",
      path,
    ]);
    const committed = await readFile(join(repoRoot, "traces/demo-volatile.csv"));
    expect((await readFile(path)).equals(committed)).toBe(true);
    expect(committed.length).toBeLessThan(300_000);
  });
});
