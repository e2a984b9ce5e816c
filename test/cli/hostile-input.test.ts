import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";

// Hostile and odd input through the whole CLI (issue 14): each case a located error and a non-zero
// exit, or a correct result with its warning.
let dir: string;
let tracePath: string;

const header = "AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp";
// Six hours of two types in one zone.
const rows = [
  header,
  "us-east-1a,m4.large,Linux/UNIX,0.030000,2021-03-01T00:00:00+00:00",
  "us-east-1a,m4.xlarge,Linux/UNIX,0.070000,2021-03-01T00:00:00+00:00",
  "us-east-1a,m4.xlarge,Linux/UNIX,0.050000,2021-03-01T02:00:00+00:00",
  "us-east-1a,m4.large,Linux/UNIX,0.030000,2021-03-01T06:00:00+00:00",
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-hostile-"));
  tracePath = join(dir, "trace.csv");
  await writeFile(tracePath, `${rows.join("\n")}\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

const sim = (...extra: string[]) =>
  runCli(["sim", "--trace", tracePath, "--no-cache", "--policy", "on-demand", ...extra]);

describe("dates: one strict parser", () => {
  it("refuses --start 2016-02-30 instead of rolling it over to March", async () => {
    const result = await sim("--start", "2016-02-30");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'hotspot: --start: expected an ISO 8601 date (2021-03-02, UTC) or date-time with Z or an offset (2021-03-02T06:00:00Z), found "2016-02-30" (no such date: 2016-02 has 29 days)\n',
    );
  });

  it("refuses a utilisation time without an offset instead of reading it in the machine's zone", async () => {
    const profile = await file("u.csv", "time,utilisation\n2021-03-01T00:00:00,0.5\n");
    const result = await sim("--utilisation", profile);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `hotspot: ${profile}:2: expected a time in epoch seconds or ISO 8601 such as 2021-03-02T01:39:04+00:00 or 2016-03-01T00:00:35.000Z (a valid date and time with Z or an offset), found "2021-03-01T00:00:00" (no Z or offset; add Z for UTC) [HOTSPOT_INPUT_FORMAT]\n`,
    );
  });
});

describe("bounded work", () => {
  it("refuses a row dated year 9999 with its line and the flag that widens the range", async () => {
    const path = await file(
      "y9999.csv",
      `${rows.join("\n")}\nus-east-1a,m4.large,Linux/UNIX,0.03,9999-01-01T00:00:00Z\n`,
    );
    const result = await runCli([
      "trace",
      "info",
      path,
      "--no-cache",
      "--time-bounds",
      "2006-01-01..2030-01-01",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `hotspot: ${path}:6: expected a Timestamp from 2006-01-01 to 2030-01-01 (spot prices exist from 2006 on; widen the range with --time-bounds FROM..TO, or --time-bounds none), found 9999-01-01T00:00:00.000Z [HOTSPOT_INPUT_FORMAT]\n`,
    );
  });

  it("refuses --interval below a second and more decisions than --max-decisions", async () => {
    const tiny = await sim("--interval", "0.001");
    expect(tiny.code).toBe(2);
    expect(tiny.stderr).toBe(
      'hotspot: --interval: expected a duration of at least 1 s (decisions closer than that replay nothing new), found "0.001"\n',
    );
    // Six hours every 10 s: 2,160 decisions.
    const many = await sim("--interval", "10", "--max-decisions", "2000");
    expect(many.code).toBe(2);
    expect(many.stderr).toBe(
      "hotspot: --interval: expected at most 2,000 decisions per run (a longer interval, a shorter window, or --max-decisions N), found 2,160 decisions (0.25 days every 10 s)\n",
    );
  });
});

describe("no exit 0 with a meaningless result", () => {
  it("refuses --memory no type holds, naming the largest type", async () => {
    const result = await sim("--memory", "100");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "hotspot: --memory: expected at most 16 GiB, the memory of the largest type in the trace (m4.xlarge), found 100 GiB\n",
    );
  });

  it("refuses a sweep whose --memory no type holds before writing anything", async () => {
    const out = join(dir, "sweep-memory.json");
    const result = await runCli([
      "sweep",
      "--trace",
      tracePath,
      "--no-cache",
      "--policy",
      "on-demand",
      "--windows",
      "1h",
      "--starts",
      "2",
      "--jobs",
      "1",
      "--memory",
      "100",
      "--out",
      out,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "hotspot: --memory: expected at most 16 GiB, the memory of the largest type in the trace (m4.xlarge), found 100 GiB\n",
    );
    await expect(stat(out)).rejects.toThrow(/ENOENT/);
  });

  it("says which types --skip-unknown-types left out of a sweep, and refuses one that leaves none", async () => {
    const unknown = await file(
      "unknown-type.csv",
      `${rows.join("\n")}\nus-east-1a,zz9.large,Linux/UNIX,0.050000,2021-03-01T03:00:00Z\n`,
    );
    const sweep = (trace: string) =>
      runCli([
        "sweep",
        "--trace",
        trace,
        "--no-cache",
        "--skip-unknown-types",
        "--policy",
        "on-demand",
        "--windows",
        "1h",
        "--starts",
        "2",
        "--jobs",
        "1",
        "--out",
        join(dir, "sweep-skipped.json"),
      ]);
    const result = await sweep(unknown);
    expect(result.code).toBe(0);
    expect(result.stderr.split("\n")[0]).toBe(
      "hotspot: left out 1 type(s) lacking catalog data: zz9.large (spec)",
    );
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe(
      "left out 1 type(s) lacking catalog data: zz9.large (spec) (--skip-unknown-types)",
    );
    const onlyUnknown = await file(
      "only-unknown.csv",
      `${header}\nus-east-1a,zz9.large,Linux/UNIX,0.050000,2021-03-01T00:00:00Z\nus-east-1a,zz9.large,Linux/UNIX,0.060000,2021-03-01T06:00:00Z\n`,
    );
    const none = await sweep(onlyUnknown);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(
      "hotspot: no spec (vCPU, memory) for instance type(s): zz9.large; give them with --specs FILE (--skip-unknown-types would leave out every type) [HOTSPOT_CATALOG_GAP]\n",
    );
  });

  it("counts rows a sweep skipped under --skip-bad-rows on stderr, under its table and in its document", async () => {
    const bad = await file(
      "sweep-bad.csv",
      `${rows.join("\n")}\nus-east-1a,m4.large,Linux/UNIX,abc,2021-03-01T03:00:00Z\n`,
    );
    const out = join(dir, "sweep-bad.json");
    const result = await runCli([
      "sweep",
      "--trace",
      bad,
      "--no-cache",
      "--skip-bad-rows",
      "--policy",
      "on-demand",
      "--windows",
      "1h",
      "--starts",
      "2",
      "--jobs",
      "1",
      "--out",
      out,
    ]);
    const warning = "skipped 1 bad row(s) of the trace under --skip-bad-rows (1 price)";
    expect(result.code).toBe(0);
    expect(result.stderr.split("\n")[0]).toBe(`hotspot: warning: ${warning}`);
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe(`warning: ${warning}`);
    const document = JSON.parse(await readFile(out, "utf8")) as { config: { warnings: string[] } };
    expect(document.config.warnings).toEqual([warning]);
  });

  it("refuses a window mostly before the first price, and warns of a small unpriced share", async () => {
    // The trace's prices start 2021-03-01T00:00Z and end 06:00Z.
    const early = await sim("--start", "2021-02-28T00:00:00Z");
    expect(early.code).toBe(2);
    expect(early.stderr).toBe(
      "hotspot: --start/--end: expected a window the trace prices for all but at most 5.0% of it (narrow the window, or allow more with --max-unpriced), found 80.0% of the window unpriced: 2021-02-28T00:00:00.000Z to 2021-03-01T00:00:00.000Z (before the first price)\n",
    );
    // 15 minutes of 6 h 15 min: 4.0%, under the 5% tolerance: a result with the warning in it.
    const warned = await sim("--start", "2021-02-28T23:45:00Z", "--json");
    expect(warned.code).toBe(0);
    const document = JSON.parse(warned.stdout) as { warnings: string[]; trace: { unpricedShare: number } };
    expect(document.trace.unpricedShare).toBeCloseTo(0.25 / 6.25, 12);
    expect(document.warnings).toEqual([
      "4.0% of the window unpriced: 2021-02-28T23:45:00.000Z to 2021-03-01T00:00:00.000Z (before the first price); the trace has no prices there",
    ]);
  });

  it("refuses a utilisation profile outside the window and epoch milliseconds read as seconds", async () => {
    const outside = await file("outside.csv", "time,utilisation\n2020-01-01T00:00:00Z,0.5\n");
    const result = await sim("--utilisation", outside);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `hotspot: ${outside}: expected a row inside the simulated window 2021-03-01T00:00:00.000Z to 2021-03-01T06:00:00.000Z, found rows from 2020-01-01T00:00:00.000Z to 2020-01-01T00:00:00.000Z only [HOTSPOT_INPUT_FORMAT]\n`,
    );
    const millis = await file("millis.csv", "time,utilisation\n1614556800000,0.5\n");
    const ms = await sim("--utilisation", millis);
    expect(ms.code).toBe(1);
    expect(ms.stderr).toBe(
      `hotspot: ${millis}:2: expected a time in epoch seconds (at most 99,999,999,999, the year 5138), found 1614556800000 (epoch milliseconds? divide by 1000) [HOTSPOT_INPUT_FORMAT]\n`,
    );
  });

  it("counts rows skipped under --skip-bad-rows in the table, --json and the results document", async () => {
    const bad = await file(
      "bad.csv",
      `${rows.join("\n")}\nus-east-1a,m4.large,Linux/UNIX,abc,2021-03-01T03:00:00Z\n`,
    );
    const warning = `skipped 1 bad row(s) of ${bad} under --skip-bad-rows (1 price)`;
    const table = await runCli([
      "sim",
      "--trace",
      bad,
      "--no-cache",
      "--policy",
      "on-demand",
      "--skip-bad-rows",
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout.split("\n")[1]).toBe(`warning: ${warning}`);
    const out = join(dir, "skip.json");
    const json = await runCli([
      "sim",
      "--trace",
      bad,
      "--no-cache",
      "--policy",
      "on-demand",
      "--skip-bad-rows",
      "--json",
      "--out",
      out,
    ]);
    const printed = JSON.parse(json.stdout) as {
      warnings: string[];
      trace: { skippedRows: { count: number; byReason: Record<string, number> } };
    };
    expect(printed.warnings).toEqual([warning]);
    expect(printed.trace.skippedRows).toEqual({ count: 1, byReason: { price: 1 } });
    expect(JSON.parse(await readFile(out, "utf8"))).toEqual(printed);
  });
});

const bin = resolve(new URL("../../", import.meta.url).pathname, "dist/src/cli/bin.js");

describe("outputs: checked before the run, never half-written", () => {
  it("refuses a read-only --out before running, leaving it as it was", async () => {
    const target = await file("ro.json", "old\n");
    await chmod(target, 0o444);
    const result = await sim("--out", target);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `hotspot: --out: expected a file path in an existing, writable folder, found "${target}" (a read-only file, which hotspot does not replace)\n`,
    );
    expect(await readFile(target, "utf8")).toBe("old\n");
    expect((await stat(target)).mode & 0o777).toBe(0o444);
  });

  it("refuses a directory, a missing folder, and checks --report before --out is written", async () => {
    const folder = join(dir, "a-folder");
    await mkdir(folder, { recursive: true });
    const onDir = await sim("--out", folder);
    expect(onDir.stderr).toBe(
      `hotspot: --out: expected a file path in an existing, writable folder, found "${folder}" (a directory)\n`,
    );
    const missing = join(dir, "nowhere", "r.json");
    const noFolder = await sim("--out", missing);
    expect(noFolder.stderr).toBe(
      `hotspot: --out: expected a file path in an existing, writable folder, found "${missing}" (its folder ${join(dir, "nowhere")} does not exist)\n`,
    );
    const out = join(dir, "first.json");
    const both = await sim("--out", out, "--report", folder);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe(
      `hotspot: --report: expected a file path in an existing, writable folder, found "${folder}" (a directory)\n`,
    );
    await expect(stat(out)).rejects.toThrow(/ENOENT/);
  });

  it.each(["SIGINT", "SIGTERM"] as const)(
    "removes the temporary file when trace synth is stopped by %s mid-write",
    async (signal) => {
      const folder = join(dir, `synth-${signal}`);
      await mkdir(folder);
      const out = join(folder, "big.csv");
      const child = execa("node", [bin, "trace", "synth", "--days", "365", "--seed", "3", "-o", out], {
        reject: false,
      });
      // Wait (bounded) for the temporary file to appear, then interrupt.
      for (let tries = 0; tries < 300 && (await readdir(folder)).length === 0; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect((await readdir(folder)).length).toBe(1);
      child.kill(signal);
      const result = await child;
      expect(result.signal).toBe(signal);
      expect(await readdir(folder)).toEqual([]);
    },
    60_000,
  );

  it("names a trace without read permission, without a stack trace (run as nobody when root)", async () => {
    const folder = join(dir, "noread");
    await mkdir(folder);
    await chmod(dir, 0o755);
    await chmod(folder, 0o755);
    const path = join(folder, "t.csv");
    await writeFile(path, `${rows.join("\n")}\n`);
    await chmod(path, 0o000);
    const asNobody =
      process.getuid?.() === 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
    const command = [...asNobody, "node", bin, "trace", "info", path, "--no-cache"];
    const result = await execa(command[0], command.slice(1), { reject: false });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      `hotspot: ${path}: cannot read the file (permission denied) [HOTSPOT_INPUT_READ]`,
    );
  }, 30_000);
});

describe("terminals: no control character reaches them raw", () => {
  it("refuses zone names with escape sequences or markup, escaped in the message", async () => {
    const escape = await file(
      "escape.csv",
      `${header}\n"us-east-1a\u001b[31mRED",m4.large,Linux/UNIX,0.1,2021-03-01T00:00:00Z\n`,
    );
    const result = await runCli(["trace", "info", escape, "--no-cache"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `hotspot: ${escape}:2: expected an AvailabilityZone such as us-east-1a or use1-az4 (lowercase letters, digits, -), found "us-east-1a\\u001b[31mRED" [HOTSPOT_INPUT_FORMAT]\n`,
    );
    const markup = await file(
      "markup.csv",
      `${header}\nus-east-1a,<b>m4</b>.large,Linux/UNIX,0.1,2021-03-01T00:00:00Z\n`,
    );
    const typed = await runCli(["trace", "info", markup, "--no-cache"]);
    expect(typed.stderr).toBe(
      `hotspot: ${markup}:2: expected an InstanceType such as m5.large (family.size: lowercase letters, digits, -), found "<b>m4</b>.large" [HOTSPOT_INPUT_FORMAT]\n`,
    );
  });

  it("escapes control characters of a file name in messages and in trace info", async () => {
    const named = await file("bell\u0007.csv", `${rows.join("\n")}\n`);
    const info = await runCli(["trace", "info", named, "--no-cache"]);
    expect(info.code).toBe(0);
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(info.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(info.stdout).toContain("bell\\u0007.csv (csv, ");
    const missing = await runCli(["trace", "info", join(dir, "gone\u009b.csv"), "--no-cache"]);
    expect(missing.stderr).toBe(
      `hotspot: ${join(dir, "gone\\u009b.csv")}: cannot read the file (no such file or folder) [HOTSPOT_INPUT_READ]\n`,
    );
  });
});

describe("weak messages made clear", () => {
  it("names UTF-16 input and how to convert it, instead of calling it binary", async () => {
    const path = await file(
      "utf16.csv",
      Buffer.concat([Buffer.of(0xff, 0xfe), Buffer.from(`${rows.join("\n")}\n`, "utf16le")]),
    );
    const result = await runCli(["trace", "info", path, "--no-cache"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `hotspot: ${path}: expected a UTF-8 text trace, found UTF-16 text (byte-order mark FF FE, little-endian); convert it with iconv -f UTF-16 -t UTF-8 [HOTSPOT_INPUT_FORMAT]\n`,
    );
  });

  it("says a product filter left no rows, and how many it removed", async () => {
    const result = await sim("--product", "Windows");
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `hotspot: ${tracePath}: expected rows left after the filters (--product Windows), found none of 4 rows: 4 filtered out by product, 0 by zone, 0 by type, 0 by window [HOTSPOT_INPUT_FORMAT]\n`,
    );
  });
});
