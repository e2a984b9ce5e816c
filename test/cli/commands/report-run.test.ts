import { access, chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sixHourRows } from "../../support/six-hour-trace.js";
import { runCli } from "../../support/run-cli.js";

let dir: string;
let oneZone: string;
let otherSeed: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-report-cli-"));
  const trace = join(dir, "trace.csv");
  await writeFile(trace, `${sixHourRows.join("\n")}\n`);
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

  it("draws each zone's prices with the path of the policy --path-policy names, and refuses one that did not run", async () => {
    const out = join(dir, "path.html");
    const { code } = await runCli(["report", oneZone, "--path-policy", "greedy", "-o", out]);
    expect(code).toBe(0);
    const html = await readFile(out, "utf8");
    expect(
      [...html.matchAll(/<figure class="chart price-path" id="([^"]+)"[^>]* data-policy="([^"]+)"/g)].map(
        (m) => [m[1], m[2]],
      ),
    ).toEqual([["d0-z0-prices-0", "greedy"]]);
    expect(html).toContain(
      `<pre class="command">hotspot report ${oneZone} -o ${out} --path-policy greedy</pre>`,
    );
    const refused = await runCli([
      "report",
      oneZone,
      "--path-policy",
      "nosuch",
      "-o",
      join(dir, "none.html"),
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `hotspot: --path-policy: expected a policy of ${oneZone} (on-demand, spot-stay, greedy, hotspot, hotspot-plus, optimal), found nosuch\n`,
    );
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

  it("checks -o before reading any document: a directory, a read-only file, a missing folder", async () => {
    const expected = "hotspot: -o/--out: expected a file path in an existing, writable folder, found";
    // The documents do not exist: the -o error coming first shows it is checked before any work.
    const missingDocument = join(dir, "no-such-results.json");
    const onDir = await runCli(["report", missingDocument, "-o", dir]);
    expect(onDir.code).toBe(2);
    expect(onDir.stderr).toBe(`${expected} "${dir}" (a directory)\n`);

    const readOnly = join(dir, "read-only.html");
    await writeFile(readOnly, "old\n");
    await chmod(readOnly, 0o444);
    const onReadOnly = await runCli(["report", oneZone, "-o", readOnly]);
    expect(onReadOnly.code).toBe(2);
    expect(onReadOnly.stderr).toBe(
      `${expected} "${readOnly}" (a read-only file, which hotspot does not replace)\n`,
    );
    expect(await readFile(readOnly, "utf8")).toBe("old\n");
    expect((await stat(readOnly)).mode & 0o777).toBe(0o444);

    const nowhere = join(dir, "nowhere");
    const inMissing = await runCli(["report", oneZone, "-o", join(nowhere, "r.html")]);
    expect(inMissing.code).toBe(2);
    expect(inMissing.stderr).toBe(
      `${expected} "${join(nowhere, "r.html")}" (its folder ${nowhere} does not exist)\n`,
    );
    await expect(access(nowhere)).rejects.toThrow("ENOENT");

    const lockedFolder = join(dir, "locked");
    await mkdir(lockedFolder, { mode: 0o555 });
    const inLocked = await runCli(["report", oneZone, "-o", join(lockedFolder, "r.html")]);
    expect(inLocked.code).toBe(2);
    expect(inLocked.stderr).toBe(
      `${expected} "${join(lockedFolder, "r.html")}" (its folder ${lockedFolder} is not writable)\n`,
    );
    expect(await readdir(lockedFolder)).toEqual([]);
  });

  it("requires -o", async () => {
    const { code, stderr } = await runCli(["report", oneZone]);
    expect(code).toBe(2);
    expect(stderr).toContain("Missing required argument: out");
  });
});
