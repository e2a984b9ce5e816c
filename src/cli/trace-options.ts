import type { Argv } from "yargs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { LoadOptions, TraceFormatName } from "../traces/types.js";
import { parseChoice, parseList, parseTime } from "./parse.js";
import { UsageError } from "../errors.js";

/** The trace formats `--format` accepts (the loader's registry is the source of truth for parsing). */
const formatNames = { csv: true, json: true, text: true, "archive-tsv": true } as const satisfies Record<
  TraceFormatName,
  true
>;

/** Flags shared by every command that reads a trace. */
export function withTraceLoadOptions<T>(yargs: Argv<T>) {
  return yargs
    .option("format", {
      type: "string",
      describe: `Trace format (${Object.keys(formatNames).join(", ")}); detected from content when omitted`,
    })
    .option("product", {
      type: "string",
      array: true,
      default: ["Linux/UNIX"],
      describe: "Product descriptions to keep (comma-separated or repeated)",
    })
    .option("zones", { type: "string", array: true, describe: "Availability zones (names or IDs) to keep" })
    .option("types", { type: "string", array: true, describe: "Instance types to keep" })
    .option("start", {
      type: "string",
      describe:
        "Window start, ISO 8601 (2021-03-02 or 2021-03-02T06:00:00Z); the last price before it is kept",
    })
    .option("end", { type: "string", describe: "Window end (exclusive), ISO 8601" })
    .option("skip-bad-rows", {
      type: "boolean",
      default: false,
      describe: "Skip malformed rows (counted and reported) instead of failing",
    })
    .option("cache", {
      type: "boolean",
      default: true,
      describe: "Use the columnar cache (--no-cache to parse afresh and write nothing)",
    })
    .option("cache-dir", {
      type: "string",
      describe: "Where the columnar cache lives (default $XDG_CACHE_HOME/hotspot or ~/.cache/hotspot)",
    });
}

export interface TraceLoadArgs {
  format?: string;
  product?: string[];
  zones?: string[];
  types?: string[];
  start?: string;
  end?: string;
  skipBadRows?: boolean;
  cache?: boolean;
  cacheDir?: string;
}

/** Validates the shared trace flags once, into the loader's typed options. */
export function loadOptionsFromArgs(args: TraceLoadArgs): LoadOptions {
  const start = parseTime("--start", args.start);
  const end = parseTime("--end", args.end);
  if (start !== undefined && end !== undefined && end <= start) {
    throw new UsageError("--end", `a time after --start (${args.start})`, JSON.stringify(args.end));
  }
  return {
    format: args.format === undefined ? undefined : parseChoice("--format", args.format, formatNames),
    products: parseList("--product", args.product) ?? ["Linux/UNIX"],
    zones: parseList("--zones", args.zones),
    types: parseList("--types", args.types),
    start,
    end,
    skipBadRows: args.skipBadRows ?? false,
    cacheDir: args.cache === false ? false : (args.cacheDir ?? defaultCacheDir()),
  };
}

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "hotspot");
}
