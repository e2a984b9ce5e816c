import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { helpKey, helpPagesApply, helpWidth, prebuiltHelp } from "../../src/cli/prebuilt-help.js";

const dir = mkdtempSync(join(tmpdir(), "hotspot-help-"));
const pagesUrl = pathToFileURL(join(dir, "help-pages.json"));
writeFileSync(
  pagesUrl,
  JSON.stringify({ "": "root page\n", sim: "sim page\n", "trace info": "info page\n" }),
);
const english = { LANG: "en_US.UTF-8" };
const pipe = () => undefined;

afterAll(() => rmSync(dir, { recursive: true }));

describe("helpWidth", () => {
  it("is the terminal's width up to 110, and 110 without a terminal", () => {
    expect(helpWidth(undefined)).toBe(110);
    expect(helpWidth(80)).toBe(80);
    expect(helpWidth(110)).toBe(110);
    expect(helpWidth(200)).toBe(110);
  });
});

describe("helpKey", () => {
  it("keys help command lines by the words before the flag", () => {
    expect(helpKey(["--help"])).toBe("");
    expect(helpKey(["-h"])).toBe("");
    expect(helpKey(["sim", "--help"])).toBe("sim");
    expect(helpKey(["trace", "info", "-h"])).toBe("trace info");
  });

  it("refuses anything else", () => {
    expect(helpKey([])).toBeUndefined();
    expect(helpKey(["sim"])).toBeUndefined();
    expect(helpKey(["--help", "sim"])).toBeUndefined();
    expect(helpKey(["sim", "--json", "--help"])).toBeUndefined();
    expect(helpKey(["sim", "--help", "--help"])).toBeUndefined();
    expect(helpKey(["trace", "info", "x.csv", "--help"])).toBeUndefined();
    expect(helpKey(["trace info", "--help"])).toBeUndefined();
    expect(helpKey(["--version"])).toBeUndefined();
  });
});

describe("helpPagesApply", () => {
  it("holds for English, C and POSIX, whichever variable sets the language", () => {
    expect(helpPagesApply({})).toBe(true);
    expect(helpPagesApply({ LANG: "en_GB.UTF-8" })).toBe(true);
    expect(helpPagesApply({ LC_ALL: "C.UTF-8", LANG: "de_DE.UTF-8" })).toBe(true);
    expect(helpPagesApply({ LC_MESSAGES: "POSIX" })).toBe(true);
    expect(helpPagesApply({ LANGUAGE: "en" })).toBe(true);
  });

  it("fails for another language, unwrapped help, or a local cloud", () => {
    expect(helpPagesApply({ LANG: "de_DE.UTF-8" })).toBe(false);
    expect(helpPagesApply({ LC_ALL: "fr_FR", LANG: "en_US.UTF-8" })).toBe(false);
    expect(helpPagesApply({ LANG: "english" })).toBe(false);
    expect(helpPagesApply({ YARGS_DISABLE_WRAP: "1" })).toBe(false);
    // Even empty, it is --state-dir's default in `hotspot local --help`.
    expect(helpPagesApply({ HOTSPOT_LOCAL_CLOUD: "" })).toBe(false);
  });
});

describe("prebuiltHelp", () => {
  it("prints a page for its command line into a pipe or a wide terminal", () => {
    expect(prebuiltHelp(["--help"], english, pipe, pagesUrl)).toBe("root page\n");
    expect(prebuiltHelp(["sim", "-h"], english, () => 110, pagesUrl)).toBe("sim page\n");
    expect(prebuiltHelp(["trace", "info", "--help"], english, () => 240, pagesUrl)).toBe("info page\n");
  });

  it("leaves to yargs what the pages do not hold as it would print it", () => {
    expect(prebuiltHelp(["sim", "--help"], english, () => 109, pagesUrl)).toBeUndefined();
    expect(prebuiltHelp(["sim", "--help"], { LANG: "ja_JP.UTF-8" }, pipe, pagesUrl)).toBeUndefined();
    expect(prebuiltHelp(["live", "gc", "--help"], english, pipe, pagesUrl)).toBeUndefined();
    expect(prebuiltHelp(["constructor", "--help"], english, pipe, pagesUrl)).toBeUndefined();
    expect(prebuiltHelp(["sim", "--json"], english, pipe, pagesUrl)).toBeUndefined();
    expect(prebuiltHelp(["sim", "--help"], english, pipe, new URL("missing.json", pagesUrl))).toBeUndefined();
  });

  it("asks stdout's width only of a help command line", () => {
    const columns = () => {
      throw new Error("stdout's width asked for");
    };
    expect(prebuiltHelp(["sim", "--trace", "t.csv"], english, columns, pagesUrl)).toBeUndefined();
  });
});
