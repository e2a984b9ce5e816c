import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { helpCommandLines } from "../../src/cli/help-pages.js";
import { commandTable } from "../../src/cli/main.js";
import { helpEnvironment, type HelpPages } from "../../src/cli/prebuilt-help.js";
import { runCli } from "../support/run-cli.js";

// What `npm run build` wrote (scripts/generate-help.mjs) and bin.js prints: stale after any change to a
// command's options until the next build, which this test catches.
const pagesFile = fileURLToPath(new URL("../../dist/src/cli/help-pages.json", import.meta.url));
const bin = fileURLToPath(new URL("../../dist/src/cli/bin.js", import.meta.url));

/** The built executable run on `argv` with stdout a pipe, in the test's environment plus `env`. */
function runBin(argv: readonly string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !(helpEnvironment as readonly string[]).includes(name)),
  );
  return spawnSync(process.execPath, [bin, ...argv], { env: { ...clean, ...env }, encoding: "utf8" });
}

function builtPages(): HelpPages {
  expect(existsSync(pagesFile), `${pagesFile} missing: run npm run build`).toBe(true);
  return JSON.parse(readFileSync(pagesFile, "utf8")) as HelpPages;
}

describe("the build's help pages", () => {
  let columns: number | undefined;
  beforeEach(() => {
    // As bin.js prints them: stdout no terminal, none of the variables the pages depend on.
    columns = process.stdout.columns;
    process.stdout.columns = undefined as unknown as number;
    for (const name of helpEnvironment) vi.stubEnv(name, undefined);
  });
  afterEach(() => {
    process.stdout.columns = columns as number;
    vi.unstubAllEnvs();
  });

  it("cover the root, every command of commandTable and every subcommand", async () => {
    const lines = (await helpCommandLines()).map((words) => words.join(" "));
    expect(Object.keys(builtPages()).sort()).toEqual([...lines].sort());
    expect(lines).toEqual(expect.arrayContaining(["", ...Object.keys(commandTable)]));
    // The subcommands written by hand: trace's and catalog's.
    for (const sub of [
      "trace info",
      "trace synth",
      "trace fetch",
      "catalog fetch",
      "catalog list",
      "catalog show",
    ])
      expect(lines).toContain(sub);
    expect(lines).toHaveLength(1 + Object.keys(commandTable).length + 6);
  });

  it("are byte for byte what main() prints for --help and -h, exiting 0", async () => {
    const pages = builtPages();
    for (const words of await helpCommandLines()) {
      for (const flag of ["--help", "-h"]) {
        const line = ["hotspot", ...words, flag].join(" ");
        const { code, stdout, stderr } = await runCli([...words, flag]);
        expect(code, line).toBe(0);
        expect(stderr, line).toBe("");
        expect(stdout, line).toBe(pages[words.join(" ")]);
      }
    }
  });

  it("hold in every locale bin.js accepts as English", async () => {
    const pages = builtPages();
    for (const [name, value] of [
      ["LANG", "en_GB.UTF-8"],
      ["LC_ALL", "C.UTF-8"],
      ["LC_MESSAGES", "POSIX"],
      ["LANGUAGE", "en"],
    ]) {
      vi.stubEnv(name, value);
      for (const words of [[], ["sim"], ["trace", "info"]]) {
        const { stdout } = await runCli([...words, "--help"]);
        expect(stdout, `${name}=${value} hotspot ${words.join(" ")} --help`).toBe(pages[words.join(" ")]);
      }
      vi.stubEnv(name, undefined);
    }
  });

  it("read no environment variable but those bin.js checks", async () => {
    const read = new Set<string>();
    const env = process.env;
    process.env = new Proxy(env, {
      get(target, key) {
        if (typeof key === "string") read.add(key);
        return Reflect.get(target, key);
      },
    });
    try {
      for (const words of await helpCommandLines()) await runCli([...words, "--help"]);
    } finally {
      process.env = env;
    }
    // yargs reads `_` (the shell's command) to guess the program's name, which scriptName replaces, and
    // SHELL and ZSH_NAME to pick a completion script, which the CLI does not offer.
    const allowed = new Set<string>([...helpEnvironment, "_", "SHELL", "ZSH_NAME"]);
    expect([...read].filter((name) => !allowed.has(name))).toEqual([]);
  });

  it("are what the built bin.js prints, and where they would differ it asks yargs", () => {
    const pages = builtPages();
    for (const argv of [["--help"], ["sim", "--help"], ["trace", "info", "-h"], ["local", "--help"]]) {
      const { status, stdout, stderr } = runBin(argv);
      expect(status, argv.join(" ")).toBe(0);
      expect(stderr, argv.join(" ")).toBe("");
      expect(stdout, argv.join(" ")).toBe(pages[argv.slice(0, -1).join(" ")]);
    }
    const local = runBin(["local", "--help"], { HOTSPOT_LOCAL_CLOUD: "/srv/local-cloud" });
    expect(local.stdout).toContain('[default: "/srv/local-cloud"]');
    const unwrapped = runBin(["sim", "--help"], { YARGS_DISABLE_WRAP: "1" });
    // Unwrapped, each description stays on one line.
    expect(unwrapped.stdout.split("\n").length).toBeLessThan(pages.sim.split("\n").length);
  });
});
