import { readFile } from "node:fs/promises";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { version } from "../../src/version.js";
import { BIN, requireBuiltCli } from "../support/live-cli.js";

// The built entry point as a user runs it: `node dist/src/cli/bin.js` (npm test builds it first).
beforeAll(() => {
  requireBuiltCli();
});

const env = { LANG: "C.UTF-8", LC_ALL: "", LC_MESSAGES: "", LANGUAGE: "", YARGS_DISABLE_WRAP: "" };
const hotspot = (args: string[], extra: Record<string, string | undefined> = {}) =>
  execa(process.execPath, [BIN, ...args], { reject: false, env: { ...env, ...extra }, extendEnv: true });

describe("bin.js", () => {
  it("answers --version alone with the package's version", async () => {
    const result = await hotspot(["--version"]);
    expect([result.exitCode, result.stdout, result.stderr]).toEqual([0, version, ""]);
  });

  it("answers a help command line with the build's page, byte for byte", async () => {
    const pages = JSON.parse(await readFile(new URL("help-pages.json", `file://${BIN}`), "utf8")) as Record<
      string,
      string
    >;
    const result = await hotspot(["sim", "--help"], { HOTSPOT_LOCAL_CLOUD: undefined });
    expect(result.exitCode).toBe(0);
    // execa strips the final newline.
    expect(`${result.stdout}\n`).toBe(pages.sim);
  });

  it("sets the exit code main() returns: 2 for a usage error", async () => {
    const result = await hotspot(["sim", "--policy", "nope"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('unknown policy "nope"');
    expect(result.stdout).toBe("");
  });
});
