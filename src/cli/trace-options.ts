import type { Argv } from "yargs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { LoadOptions, TimeBounds, TraceFormatName } from "../api.js";
import { defaultReadLimits } from "../traces/types.js";
import { wallClock } from "../util/clock.js";
import { parseChoice, parseInteger, parseList, parseTime } from "../options/parse.js";
import { UsageError } from "../errors.js";

/** EC2 began in 2006: a spot price from before then is a mistyped or garbled row. */
const earliestPlausible = Date.UTC(2006, 0, 1) / 1000;

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
    .option("max-line-bytes", {
      type: "string",
      describe: `Longest line (or JSON token) read, bytes (default ${defaultReadLimits.maxLineBytes})`,
    })
    .option("max-input-bytes", {
      type: "string",
      describe: `Most bytes read from one trace after decompression (default ${defaultReadLimits.maxInputBytes})`,
    })
    .option("time-bounds", {
      type: "string",
      describe:
        "Plausible row times FROM..TO (ISO 8601); a row outside is a bad row (default 2006-01-01 to a year from now; none to lift)",
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
  maxLineBytes?: string;
  maxInputBytes?: string;
  timeBounds?: string;
}

/**
 * `--time-bounds FROM..TO` or `none`; by default from 2006 (EC2's start) to a year past `now` (seconds),
 * whole days so that messages show dates.
 */
export function timeBoundsFromArgs(raw: string | undefined, now: number): TimeBounds | undefined {
  if (raw === undefined) {
    return { earliest: earliestPlausible, latest: (Math.floor(now / 86400) + 366) * 86400 };
  }
  if (raw.trim() === "none") return undefined;
  const parts = raw.split("..");
  if (parts.length !== 2) {
    throw new UsageError("--time-bounds", "FROM..TO (2006-01-01..2030-01-01) or none", JSON.stringify(raw));
  }
  const earliest = parseTime("--time-bounds", parts[0])!;
  const latest = parseTime("--time-bounds", parts[1])!;
  if (!(latest > earliest)) {
    throw new UsageError("--time-bounds", "TO after FROM", JSON.stringify(raw));
  }
  return { earliest, latest };
}

/** Validates the shared trace flags once, into the loader's typed options; `now` in seconds. */
export function loadOptionsFromArgs(args: TraceLoadArgs, now = wallClock.now() / 1000): LoadOptions {
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
    limits: {
      maxLineBytes:
        args.maxLineBytes === undefined
          ? defaultReadLimits.maxLineBytes
          : parseInteger("--max-line-bytes", args.maxLineBytes, 64),
      maxInputBytes:
        args.maxInputBytes === undefined
          ? defaultReadLimits.maxInputBytes
          : parseInteger("--max-input-bytes", args.maxInputBytes, 1),
    },
    timeBounds: timeBoundsFromArgs(args.timeBounds, now),
    cacheDir: args.cache === false ? false : (args.cacheDir ?? defaultCacheDir()),
  };
}

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "hotspot");
}
