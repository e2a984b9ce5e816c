import { existsSync, readFileSync } from "node:fs";
import { LOCAL_CLOUD_ENV } from "./local-env.js";

/** The widest help main() prints: it wraps at the terminal's width up to this; a pipe or a file gets this. */
export const HELP_WIDTH = 110;

/** The width main() wraps help at, given stdout's columns (undefined when it is not a terminal). */
export function helpWidth(columns: number | undefined): number {
  return Math.min(HELP_WIDTH, columns || HELP_WIDTH);
}

/**
 * Each `--help` as main() prints it at HELP_WIDTH in English, newline included, keyed by the words
 * before the flag: "" for the root, "sim", "trace info".
 */
export type HelpPages = Readonly<Record<string, string>>;

/** Written by the build (scripts/generate-help.mjs) next to this module's compiled form. */
export const helpPagesUrl = new URL("./help-pages.json", import.meta.url);

/**
 * The environment that the pages assume and yargs' help depends on: the language of its headings
 * (LC_ALL, LC_MESSAGES, LANG, LANGUAGE, first set wins), whether it wraps at all, and the local
 * cloud's directory, which `hotspot local --help` shows as --state-dir's default.
 */
export const helpEnvironment = [
  "LC_ALL",
  "LC_MESSAGES",
  "LANG",
  "LANGUAGE",
  "YARGS_DISABLE_WRAP",
  LOCAL_CLOUD_ENV,
] as const;

/** The key of `[command [subcommand]] --help` (or `-h`), or undefined for any other command line. */
export function helpKey(argv: readonly string[]): string | undefined {
  if (argv.length === 0 || argv.length > 3) return undefined;
  const flag = argv[argv.length - 1];
  const words = argv.slice(0, -1);
  if (flag !== "--help" && flag !== "-h") return undefined;
  return words.every((word) => /^[a-z][a-z0-9-]*$/.test(word)) ? words.join(" ") : undefined;
}

/** Whether yargs, run in `env`, prints its help as the pages hold it (English, wrapped). */
export function helpPagesApply(env: Readonly<Record<string, string | undefined>>): boolean {
  // yargs' own choice of language: the first variable set, before any "." or ":", else en_US.
  const locale = (env.LC_ALL || env.LC_MESSAGES || env.LANG || env.LANGUAGE || "en_US").replace(/[.:].*/, "");
  // en_* falls back to yargs' en.json; C and POSIX have no translation, so yargs keeps its English.
  const english = locale === "en" || locale.startsWith("en_") || locale === "C" || locale === "POSIX";
  return english && !env.YARGS_DISABLE_WRAP && env[LOCAL_CLOUD_ENV] === undefined;
}

/**
 * The build's text for `argv` when main() would print exactly it (a help command line, `env` as the
 * pages assume, stdout not a terminal narrower than HELP_WIDTH); otherwise undefined, and yargs answers.
 * Stdout's columns are asked only of a help command line (asking opens the stream).
 */
export function prebuiltHelp(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  stdoutColumns: () => number | undefined,
  pagesUrl: URL = helpPagesUrl,
): string | undefined {
  const key = helpKey(argv);
  if (key === undefined || helpWidth(stdoutColumns()) !== HELP_WIDTH || !helpPagesApply(env))
    return undefined;
  // Compiled without the build's last step (tsc alone): no pages, and yargs answers as before.
  if (!existsSync(pagesUrl)) return undefined;
  const pages = JSON.parse(readFileSync(pagesUrl, "utf8")) as HelpPages;
  return Object.hasOwn(pages, key) ? pages[key] : undefined;
}
