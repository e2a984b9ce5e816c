import { UsageError, shown } from "../errors.js";
import { parseTimestamp, timestampProblem } from "../traces/timestamps.js";

/** Validators for CLI values: each turns a string from `flag` into a typed value or throws UsageError. */

/** A comma-separated list; repeated flags are concatenated. Empty items are rejected. */
export function parseList(flag: string, raw: string | readonly string[] | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const parts = (Array.isArray(raw) ? raw : [raw]).flatMap((item) => String(item).split(","));
  const trimmed = parts.map((part) => part.trim());
  if (trimmed.some((part) => part === "")) {
    throw new UsageError(flag, "a comma-separated list with no empty items", JSON.stringify(String(raw)));
  }
  return trimmed;
}

/**
 * A point in time: an ISO 8601 date (`2021-03-02`, taken as UTC midnight) or date-time with `Z` or an
 * offset, seconds optional. Read by the trace parser's strict `parseTimestamp`: no rollover of
 * 2016-02-30 into March, no time without an offset. Returns seconds since the Unix epoch.
 */
export function parseTime(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  const normalised = /^\d{4}-\d{2}-\d{2}$/.test(text)
    ? `${text}T00:00:00Z`
    : text.replace(/^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2})(?=Z$|[+-]\d{2}:?\d{2}$)/, "$1:00");
  const seconds = parseTimestamp(normalised);
  if (Number.isNaN(seconds)) {
    throw new UsageError(
      flag,
      "an ISO 8601 date (2021-03-02, UTC) or date-time with Z or an offset (2021-03-02T06:00:00Z)",
      timestampProblem(normalised, shown(text)),
    );
  }
  return seconds;
}

const durationUnits: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** A duration such as `300`, `300s`, `5m`, `6h`, `30d`; returns seconds. */
export function parseDuration(flag: string, raw: string | number | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)([smhdw]?)$/.exec(String(raw).trim());
  const seconds = match ? Number(match[1]) * durationUnits[match[2] || "s"] : NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(
      flag,
      "a positive duration such as 300, 300s, 5m, 6h or 30d",
      JSON.stringify(String(raw)),
    );
  }
  return seconds;
}

/** Shortest `--interval`: below a second the engine's decisions, not prices, would set the pace. */
export const minimumIntervalSeconds = 1;
/** Default cap on decisions per run (span ÷ interval), raised with `--max-decisions`. */
export const defaultMaxDecisions = 2_000_000;

/** The share of a window `--max-unpriced` lets go unpriced by default (with a warning). */
export const defaultMaxUnpriced = 0.05;

/** A decision interval: a duration of at least `minimumIntervalSeconds`. */
export function parseInterval(flag: string, raw: string | number): number {
  const seconds = parseDuration(flag, raw)!;
  if (seconds < minimumIntervalSeconds) {
    throw new UsageError(
      flag,
      `a duration of at least ${minimumIntervalSeconds} s (decisions closer than that replay nothing new)`,
      JSON.stringify(String(raw)),
    );
  }
  return seconds;
}

/** Refuses a run of more than `cap` decisions (span ÷ interval) before it starts, naming the flags. */
export function checkDecisions(
  flag: string,
  spanSeconds: number,
  intervalSeconds: number,
  cap: number,
): void {
  const decisions = Math.ceil(spanSeconds / intervalSeconds);
  if (decisions > cap) {
    throw new UsageError(
      flag,
      `at most ${cap.toLocaleString("en-US")} decisions per run (a longer interval, a shorter window, or --max-decisions N)`,
      `${decisions.toLocaleString("en-US")} decisions (${(spanSeconds / 86400).toFixed(2)} days every ${intervalSeconds} s)`,
    );
  }
}

/** A finite number within [min, max]. */
export function parseNumber(flag: string, raw: unknown, min = -Infinity, max = Infinity): number {
  const value = typeof raw === "number" ? raw : Number(String(raw).trim());
  if (raw === "" || raw === undefined || !Number.isFinite(value) || value < min || value > max) {
    const range = `${Number.isFinite(min) ? `≥ ${min}` : ""}${Number.isFinite(min) && Number.isFinite(max) ? " and " : ""}${Number.isFinite(max) ? `≤ ${max}` : ""}`;
    throw new UsageError(flag, `a number${range ? ` ${range}` : ""}`, JSON.stringify(String(raw)));
  }
  return value;
}

/** A whole number within [min, max]. */
export function parseInteger(flag: string, raw: unknown, min = -Infinity, max = Infinity): number {
  const value = parseNumber(flag, raw, min, max);
  if (!Number.isInteger(value)) throw new UsageError(flag, "a whole number", JSON.stringify(String(raw)));
  return value;
}

/** A name from a registry object; unknown names list the valid ones. */
export function parseChoice<K extends string>(
  flag: string,
  raw: string | undefined,
  registry: Readonly<Record<K, unknown>>,
): K {
  if (raw !== undefined && Object.hasOwn(registry, raw)) return raw as K;
  throw new UsageError(
    flag,
    `one of ${Object.keys(registry).join(", ")}`,
    raw === undefined ? "none" : JSON.stringify(raw),
  );
}
