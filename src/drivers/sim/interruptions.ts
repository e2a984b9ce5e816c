import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { InputFormatError, InputReadError } from "../../errors.js";
import type { Market } from "../../engine/types.js";
import type { AdvisorHazards } from "../../catalog/advisor.js";
import { eraOf } from "../../traces/eras.js";
import { parseTimestamp } from "../../traces/timestamps.js";

/** Seconds between an interruption notice and the reclamation (AWS's 2-minute warning). */
export const NOTICE_SECONDS = 120;

export type InterruptionModelName = "none" | "bid" | "advisor" | "replay";

export const interruptionModels = {
  none: "no interruptions (the price is the only risk)",
  bid: "revoked when the spot price rises above the bid (legacy bidding market); notice first",
  advisor: "per-type hazard from the Spot Advisor frequency bucket (seeded capacity events per market)",
  replay:
    "recorded spot availability (--availability): a server is noticed when its market becomes unavailable",
} as const satisfies Record<InterruptionModelName, string>;

/**
 * `auto` resolved for a window starting at `start`: the price is the revocation signal in the bidding
 * era (bid); since 2017-11-28 interruptions are capacity-driven and not in the price data (none).
 */
export function resolveInterruptionModel<Name extends InterruptionModelName>(
  name: Name | "auto",
  start: number,
): Name | "bid" | "none" {
  if (name !== "auto") return name;
  return eraOf(start) === "volatile" ? "bid" : "none";
}

/** Advisor bucket → monthly interruption frequency: the bucket's midpoint; ">20%" taken as 22.5%. */
export const advisorBucketFrequency = [0.025, 0.075, 0.125, 0.175, 0.225] as const;

const HOURS_PER_MONTH = 30 * 24;

/** Per-hour hazard λ of an instance for a monthly interruption frequency f: 1 − e^(−λ·month) = f. */
export function hazardPerHour(monthlyFrequency: number): number {
  return -Math.log(1 - monthlyFrequency) / HOURS_PER_MONTH;
}

export type InterruptionConfig =
  | { readonly kind: "none" }
  | { readonly kind: "bid"; readonly bidMultiple: number }
  | {
      readonly kind: "advisor";
      readonly advisor: AdvisorHazards;
      /**
       * Seconds before each capacity event its market gets a rebalance recommendation (0 or absent:
       * none). An assumption: EC2 gives no lead time, and sends some recommendations no event follows.
       */
      readonly rebalanceLeadSeconds?: number;
    }
  | { readonly kind: "replay"; readonly availability: RecordedAvailability };

/**
 * How a recorded value reads. `preempted` (the default, as the Can't Be Late authors' simulator reads
 * its traces: `not trace[tick]` means available): non-zero = spot unavailable. `count` (the spot-traces
 * README's wording, "the number of available instances"): non-zero = available.
 */
export const availabilityReadings = {
  preempted: "non-zero means spot capacity was unavailable (the authors' simulator)",
  count: "the value counts available instances: non-zero means available (the upstream README)",
} as const;
export type AvailabilityReading = keyof typeof availabilityReadings;

/** Recorded availability: per "zone/type", the spans [from, to) when spot capacity was unavailable. */
export interface RecordedAvailability {
  readonly source: string;
  readonly reading: AvailabilityReading;
  /** Sorted, disjoint spans, flattened [from0, to0, from1, to1, …], in epoch seconds. */
  readonly unavailable: ReadonlyMap<string, Float64Array>;
}

/** How files map to markets: the JSON format states neither its start time nor an instance type. */
export interface AvailabilityOptions {
  readonly reading: AvailabilityReading;
  /** Epoch seconds of tick 0 of every JSON file. */
  readonly start: number;
  /** JSON file stem `<zone>_<name>`: `name` → instance type. */
  readonly types: ReadonlyMap<string, string>;
}

/** Instance types of the accelerator names in the SkyPilot spot-traces files (AWS: V100 = p3, K80 = p2). */
export const skypilotTypes: ReadonlyMap<string, string> = new Map([
  ["v100_1", "p3.2xlarge"],
  ["v100_8", "p3.16xlarge"],
  ["k80_1", "p2.xlarge"],
  ["k80_8", "p2.8xlarge"],
]);

const marketKey = (zone: string, type: string) => `${zone}/${type}`;

/** Per-key state changes (time, available) → sorted unavailable spans. */
function spansOf(changes: Map<string, [number, boolean][]>): Map<string, Float64Array> {
  const spans = new Map<string, Float64Array>();
  for (const [key, list] of changes) {
    list.sort((a, b) => a[0] - b[0]);
    const flat: number[] = [];
    let from = NaN;
    for (const [time, available] of list) {
      if (!available && Number.isNaN(from)) from = time;
      if (available && !Number.isNaN(from)) {
        flat.push(from, time);
        from = NaN;
      }
    }
    if (!Number.isNaN(from)) flat.push(from, Infinity);
    spans.set(key, Float64Array.from(flat));
  }
  return spans;
}

function readsAvailable(value: number, reading: AvailabilityReading): boolean {
  return reading === "count" ? value !== 0 : value === 0;
}

/**
 * Parses the plain CSV `time,zone,type,available` (header required, any column order): each row sets
 * the (zone, type) market's state from `time` (ISO 8601 or epoch seconds) until its next row.
 */
export function parseAvailabilityCsv(
  text: string,
  path: string,
  reading: AvailabilityReading,
  changes = new Map<string, [number, boolean][]>(),
): Map<string, [number, boolean][]> {
  const lines = text.split(/\r?\n/);
  const header = lines[0]
    .replace(/^\uFEFF/, "")
    .split(",")
    .map((cell) => cell.trim().toLowerCase());
  const column = (name: string) => {
    const index = header.indexOf(name);
    if (index < 0)
      throw new InputFormatError(
        `${path}:1`,
        "a header with time, zone, type, available",
        JSON.stringify(lines[0].slice(0, 80)),
      );
    return index;
  };
  const [time, zone, type, available] = ["time", "zone", "type", "available"].map(column);
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    const cells = lines[i].split(",").map((cell) => cell.trim());
    const where = `${path}:${i + 1}`;
    const rawTime = cells[time] ?? "";
    const seconds = /^\d+(\.\d+)?$/.test(rawTime) ? Number(rawTime) : parseTimestamp(rawTime);
    if (!Number.isFinite(seconds))
      throw new InputFormatError(
        `${where}: time`,
        "ISO 8601 or epoch seconds",
        JSON.stringify(rawTime.slice(0, 40)),
      );
    const value = Number(cells[available]);
    if (cells[available] === undefined || cells[available] === "" || !Number.isFinite(value) || value < 0) {
      throw new InputFormatError(
        `${where}: available`,
        "a number ≥ 0",
        JSON.stringify((cells[available] ?? "").slice(0, 40)),
      );
    }
    if (!cells[zone] || !cells[type])
      throw new InputFormatError(where, "a zone and a type", JSON.stringify(lines[i].slice(0, 80)));
    const key = marketKey(cells[zone], cells[type]);
    if (!changes.has(key)) changes.set(key, []);
    changes.get(key)!.push([seconds, readsAvailable(value, reading)]);
  }
  return changes;
}

/**
 * Parses one SkyPilot spot-traces file `{"metadata":{"gap_seconds":N},"data":[…]}` named
 * `<zone>_<name>.json`: tick i covers [start + i·N, start + (i+1)·N); `name` maps to a type.
 */
export function parseAvailabilityJson(
  text: string,
  path: string,
  options: AvailabilityOptions,
  changes = new Map<string, [number, boolean][]>(),
): Map<string, [number, boolean][]> {
  const stem = basename(path).replace(/\.json$/i, "");
  const split = stem.indexOf("_");
  if (split <= 0)
    throw new InputFormatError(
      path,
      "a file name <zone>_<name>.json (e.g. us-west-2a_v100_1.json)",
      JSON.stringify(stem),
    );
  const zone = stem.slice(0, split);
  const name = stem.slice(split + 1);
  const type = options.types.get(name);
  if (type === undefined) {
    throw new InputFormatError(
      `${path}: name`,
      `a name mapped to an instance type with --availability-types NAME=TYPE (mapped: ${[...options.types.keys()].join(", ")})`,
      JSON.stringify(name),
    );
  }
  let document: { metadata?: { gap_seconds?: unknown }; data?: unknown };
  try {
    document = JSON.parse(text) as typeof document;
  } catch (error) {
    throw new InputFormatError(path, "JSON (SkyPilot spot-traces format)", (error as Error).message, {
      cause: error,
    });
  }
  const gap = document?.metadata?.gap_seconds;
  if (typeof gap !== "number" || !(gap > 0))
    throw new InputFormatError(`${path}: metadata.gap_seconds`, "a number > 0", JSON.stringify(gap));
  if (!Array.isArray(document.data))
    throw new InputFormatError(`${path}: data`, "an array of numbers", typeof document.data);
  const key = marketKey(zone, type);
  if (!changes.has(key)) changes.set(key, []);
  const list = changes.get(key)!;
  let previous: boolean | null = null;
  document.data.forEach((value: unknown, tick: number) => {
    if (typeof value !== "number" || !(value >= 0))
      throw new InputFormatError(`${path}: data[${tick}]`, "a number ≥ 0", JSON.stringify(value));
    const available = readsAvailable(value, options.reading);
    if (available !== previous) list.push([options.start + tick * gap, available]);
    previous = available;
  });
  // After the last tick nothing is recorded: the market is taken as available again.
  list.push([options.start + document.data.length * gap, true]);
  return changes;
}

/** Reads a CSV or JSON file, or every .csv/.json file of a directory, into recorded availability. */
export async function readAvailability(
  path: string,
  options: AvailabilityOptions,
): Promise<RecordedAvailability> {
  let files: string[];
  try {
    files = (await stat(path)).isDirectory()
      ? (await readdir(path))
          .filter((name) => /\.(csv|json)$/i.test(name))
          .sort()
          .map((name) => join(path, name))
      : [path];
  } catch (error) {
    throw new InputReadError(path, (error as Error).message, { cause: error });
  }
  if (files.length === 0) throw new InputFormatError(path, "availability files (.csv or .json)", "none");
  const changes = new Map<string, [number, boolean][]>();
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw new InputReadError(file, (error as Error).message, { cause: error });
    }
    if (/\.json$/i.test(file) || text.trimStart().startsWith("{"))
      parseAvailabilityJson(text, file, options, changes);
    else parseAvailabilityCsv(text, file, options.reading, changes);
  }
  return { source: path, reading: options.reading, unavailable: spansOf(changes) };
}

/** The recorded unavailable spans of the market (zone, type), or null when none were recorded. */
export function recordedSpans(
  availability: RecordedAvailability,
  zone: string,
  type: string,
): Float64Array | null {
  return availability.unavailable.get(marketKey(zone, type)) ?? null;
}

/** Per market id, the USD/hour above which a bid-model spot market is revoked (Infinity: never). */
export function bidsOf(markets: readonly Market[], interruptions: InterruptionConfig): Float64Array {
  const bids = new Float64Array(markets.length).fill(Infinity);
  if (interruptions.kind !== "bid") return bids;
  for (const market of markets) {
    if (market.lifecycle === "spot") bids[market.id] = interruptions.bidMultiple * market.onDemandUsd;
  }
  return bids;
}
