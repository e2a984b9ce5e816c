import { readFile } from "node:fs/promises";
import { parse } from "csv-parse/sync";
import { InputFormatError, InputReadError, shown } from "../errors.js";
import { architectures, cpuVendors } from "./types.js";
import type { Architecture, CpuVendor, OnDemandPrice } from "./types.js";

/**
 * The `--specs FILE` format: a CSV with a header row naming any of these columns in any order
 * (`instance_type` is required). Empty cells leave the built-in value alone. Lines starting with `#`
 * are comments. A type may span several rows (one per region or price date); its spec cells must
 * agree. Price cells (`region`, `on_demand_usd_per_hour`, `as_of`) are all set or all empty.
 * `architecture` is x86_64 or arm64, `cpu_vendor` intel, amd or aws (Graviton), `cpu_class` a CPU
 * generation such as intel-skylake (lower case, digits, dashes).
 *
 *   instance_type,vcpu,memory_gib,ecu,score,architecture,cpu_vendor,cpu_class,region,on_demand_usd_per_hour,as_of
 *   m9.large,2,8,,1.4,x86_64,amd,amd-zen5,us-east-1,0.1,2025-06-01
 *   m4.large,,,,,,,,us-east-1,0.09,2021-01-01
 */
export const specsCsvColumns = [
  "instance_type",
  "vcpu",
  "memory_gib",
  "ecu",
  "score",
  "architecture",
  "cpu_vendor",
  "cpu_class",
  "region",
  "on_demand_usd_per_hour",
  "as_of",
] as const;

type Column = (typeof specsCsvColumns)[number];

/** The spec fields one type's rows set; absent fields keep the built-in value. */
export interface SpecOverride {
  readonly type: string;
  readonly vcpu?: number;
  readonly memoryGiB?: number;
  /** null when the file says `variable`. */
  readonly ecu?: number | null;
  readonly score?: number;
  readonly architecture?: Architecture;
  readonly cpuVendor?: CpuVendor;
  readonly cpuClass?: string;
  /** The first line that names the type, for error messages. */
  readonly line: number;
}

export interface UserSpecs {
  readonly specs: readonly SpecOverride[];
  readonly prices: readonly OnDemandPrice[];
}

const typePattern = /^[a-z0-9-]+\.[a-z0-9-]+$/;
const regionPattern = /^[a-z]{2}(-gov)?-[a-z]+-\d+$/;
const datePattern = /^\d{4}-\d{2}-\d{2}$/;
const cpuClassPattern = /^[a-z0-9][a-z0-9-]*$/;

/**
 * Reads and validates a specs CSV. `isKnownType` tells which types the built-in table has: a type it
 * lacks must get `vcpu` and `memory_gib` from the file.
 */
export async function readSpecsCsv(path: string, isKnownType: (type: string) => boolean): Promise<UserSpecs> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new InputReadError(path, `cannot read the specs file (${(error as Error).message})`, {
      cause: error,
    });
  }
  return parseSpecsCsv(text, path, isKnownType);
}

/** Parses specs CSV text; `path` only names the file in errors. */
export function parseSpecsCsv(text: string, path: string, isKnownType: (type: string) => boolean): UserSpecs {
  const records = parseRecords(text, path);
  if (records.length === 0) {
    throw new InputFormatError(`${path}:1`, `a header row (${specsCsvColumns.join(",")})`, "an empty file");
  }
  const columns = headerColumns(records[0].record, `${path}:${records[0].info.lines}`);
  const specs = new Map<string, { -readonly [K in keyof SpecOverride]: SpecOverride[K] }>();
  const prices = new Map<string, OnDemandPrice & { line: number }>();
  for (const { record, info } of records.slice(1)) {
    const at = `${path}:${info.lines}`;
    const cell = (name: Column): string => {
      const index = columns.get(name);
      return index === undefined ? "" : record[index];
    };
    const type = cell("instance_type");
    if (!typePattern.test(type)) {
      throw new InputFormatError(at, "an instance type such as m5.large in instance_type", shown(type));
    }
    const spec = specs.get(type) ?? { type, line: info.lines };
    specs.set(type, spec);
    const vcpu = optionalNumber(cell("vcpu"), at, "vcpu", "a whole number of vCPUs ≥ 1", true);
    setOnce(spec, "vcpu", "vcpu", vcpu, at);
    const memory = optionalNumber(cell("memory_gib"), at, "memory_gib", "memory in GiB > 0");
    setOnce(spec, "memoryGiB", "memory_gib", memory, at);
    const ecu =
      cell("ecu") === "variable" ? null : optionalNumber(cell("ecu"), at, "ecu", "ECU > 0 or `variable`");
    setOnce(spec, "ecu", "ecu", ecu, at);
    setOnce(
      spec,
      "score",
      "score",
      optionalNumber(cell("score"), at, "score", "a performance score > 0"),
      at,
    );
    const architecture = optionalChoice(cell("architecture"), at, "architecture", architectures);
    setOnce(spec, "architecture", "architecture", architecture, at);
    setOnce(
      spec,
      "cpuVendor",
      "cpu_vendor",
      optionalChoice(cell("cpu_vendor"), at, "cpu_vendor", cpuVendors),
      at,
    );
    const cpuClass = cell("cpu_class");
    if (cpuClass !== "" && !cpuClassPattern.test(cpuClass)) {
      throw new InputFormatError(at, "a CPU class such as intel-skylake in cpu_class", shown(cpuClass));
    }
    setOnce(spec, "cpuClass", "cpu_class", cpuClass === "" ? undefined : cpuClass, at);
    const price = optionalPrice(type, cell("region"), cell("on_demand_usd_per_hour"), cell("as_of"), at);
    if (price !== undefined) {
      const key = `${type} ${price.region} ${price.asOf}`;
      const earlier = prices.get(key);
      if (earlier !== undefined) {
        throw new InputFormatError(
          at,
          `one price per (instance_type, region, as_of); line ${earlier.line} already gives ${type} in ${price.region} as of ${price.asOf}`,
          "a second one",
        );
      }
      prices.set(key, { ...price, line: info.lines });
    }
  }
  for (const spec of specs.values()) {
    if (!isKnownType(spec.type) && (spec.vcpu === undefined || spec.memoryGiB === undefined)) {
      throw new InputFormatError(
        `${path}:${spec.line}`,
        `vcpu and memory_gib for ${spec.type}, which the built-in table does not have`,
        spec.vcpu === undefined ? "no vcpu" : "no memory_gib",
      );
    }
  }
  return {
    specs: [...specs.values()],
    prices: [...prices.values()].map(({ type, region, usdPerHour, asOf }) => ({
      type,
      region,
      usdPerHour,
      asOf,
    })),
  };
}

function parseRecords(text: string, path: string): { record: string[]; info: { lines: number } }[] {
  try {
    return parse(text, { bom: true, comment: "#", skip_empty_lines: true, trim: true, info: true });
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new InputFormatError(
      `${path}:${line ?? 1}`,
      "well-formed CSV with as many cells as the header",
      (error as Error).message,
      { cause: error },
    );
  }
}

function headerColumns(header: readonly string[], at: string): Map<Column, number> {
  const columns = new Map<Column, number>();
  header.forEach((name, index) => {
    if (!(specsCsvColumns as readonly string[]).includes(name)) {
      throw new InputFormatError(at, `header columns from ${specsCsvColumns.join(", ")}`, shown(name));
    }
    if (columns.has(name as Column)) {
      throw new InputFormatError(at, "each header column once", `${shown(name)} twice`);
    }
    columns.set(name as Column, index);
  });
  if (!columns.has("instance_type")) {
    throw new InputFormatError(at, "an instance_type column in the header", shown(header.join(",")));
  }
  return columns;
}

function optionalNumber(
  raw: string,
  at: string,
  column: string,
  expected: string,
  integer = false,
): number | undefined {
  if (raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new InputFormatError(at, `${expected} in ${column}`, shown(raw));
  }
  return value;
}

function optionalChoice<T extends string>(
  raw: string,
  at: string,
  column: string,
  choices: readonly T[],
): T | undefined {
  if (raw === "") return undefined;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new InputFormatError(at, `one of ${choices.join(", ")} in ${column}`, shown(raw));
  }
  return raw as T;
}

function setOnce<
  K extends "vcpu" | "memoryGiB" | "ecu" | "score" | "architecture" | "cpuVendor" | "cpuClass",
>(
  spec: { -readonly [F in keyof SpecOverride]: SpecOverride[F] },
  field: K,
  column: Column,
  value: SpecOverride[K] | undefined,
  at: string,
): void {
  if (value === undefined) return;
  const earlier = spec[field];
  if (earlier !== undefined && earlier !== value) {
    throw new InputFormatError(
      at,
      `the same ${column} for ${spec.type} as an earlier row (${String(earlier)})`,
      String(value),
    );
  }
  spec[field] = value;
}

function isCalendarDate(day: string): boolean {
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === day;
}

function optionalPrice(
  type: string,
  region: string,
  usd: string,
  asOf: string,
  at: string,
): OnDemandPrice | undefined {
  if (region === "" && usd === "" && asOf === "") return undefined;
  if (region === "" || usd === "" || asOf === "") {
    throw new InputFormatError(
      at,
      "region, on_demand_usd_per_hour and as_of all set or all empty",
      `region=${shown(region)} on_demand_usd_per_hour=${shown(usd)} as_of=${shown(asOf)}`,
    );
  }
  if (!regionPattern.test(region)) {
    throw new InputFormatError(at, "a region such as us-east-1 in region", shown(region));
  }
  const usdPerHour = optionalNumber(
    usd,
    at,
    "on_demand_usd_per_hour",
    "a price in USD per hour > 0",
  ) as number;
  if (!datePattern.test(asOf) || !isCalendarDate(asOf)) {
    throw new InputFormatError(at, "a date YYYY-MM-DD in as_of", shown(asOf));
  }
  return { type, region, usdPerHour, asOf };
}
