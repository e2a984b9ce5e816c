import { CatalogGapError, UsageError } from "../errors.js";
import type { Catalog, InstanceSpec, OnDemandPrice, WorkUnit } from "./types.js";

/** The work units, with how results name them. */
export const workUnits = {
  ecu: { label: "ECU", describe: "EC2 compute units, the paper's unit (unpublished for newer types)" },
  vcpu: { label: "vCPU", describe: "virtual CPUs" },
  score: { label: "score", describe: "a performance score given per type in --specs" },
} as const satisfies Record<WorkUnit, { label: string; describe: string }>;

/** Units of work one instance of `spec` delivers per hour, or undefined when the catalog lacks it. */
export function workOf(spec: InstanceSpec, unit: WorkUnit): number | undefined {
  switch (unit) {
    case "ecu":
      return spec.ecu ?? undefined;
    case "vcpu":
      return spec.vcpu;
    case "score":
      return spec.score;
  }
}

export interface ResolvedType {
  readonly spec: InstanceSpec;
  readonly onDemand: OnDemandPrice;
  /** Work units per instance-hour, in the resolution's unit. */
  readonly work: number;
}

/** What the catalog lacks for one type. */
export interface TypeGap {
  readonly type: string;
  readonly missing: "spec" | "on-demand price" | "work unit";
}

export interface CatalogResolution {
  readonly unit: WorkUnit;
  readonly region: string;
  readonly types: ReadonlyMap<string, ResolvedType>;
  /** Types left out under `skipUnknownTypes`, sorted by type; empty otherwise. */
  readonly skipped: readonly TypeGap[];
}

/** A unit, or `auto`: ECU when every type has one, vCPU otherwise. */
export type WorkUnitChoice = WorkUnit | "auto";

export const workUnitChoices = {
  ...workUnits,
  auto: { label: "auto", describe: "ECU when every type of the run has one, vCPU otherwise" },
} as const satisfies Record<WorkUnitChoice, { label: string; describe: string }>;

/** The unit `auto` stands for among `types` (those without a spec do not count); others as given. */
export function chooseWorkUnit(catalog: Catalog, types: Iterable<string>, choice: WorkUnitChoice): WorkUnit {
  if (choice !== "auto") return choice;
  for (const type of types) {
    const spec = catalog.spec(type);
    if (spec !== undefined && spec.ecu === null) return "vcpu";
  }
  return "ecu";
}

export interface ResolveOptions {
  readonly region: string;
  /** Seconds since epoch; picks the price snapshot in force then. */
  readonly at: number;
  readonly unit: WorkUnitChoice;
  /** Leave types with gaps out (reported in `skipped`) instead of failing. */
  readonly skipUnknownTypes: boolean;
}

/**
 * The spec, on-demand price and work per hour of every type, or a CatalogGapError naming all the
 * types that lack any of them (unless `skipUnknownTypes`, and some type is left).
 */
export function resolveTypes(
  catalog: Catalog,
  types: Iterable<string>,
  options: ResolveOptions,
): CatalogResolution {
  const resolved = new Map<string, ResolvedType>();
  const gaps: TypeGap[] = [];
  const sorted = [...new Set(types)].sort();
  const unit = chooseWorkUnit(catalog, sorted, options.unit);
  for (const type of sorted) {
    const spec = catalog.spec(type);
    const onDemand = catalog.onDemand(type, options.region, options.at);
    const work = spec === undefined ? undefined : workOf(spec, unit);
    if (spec === undefined) gaps.push({ type, missing: "spec" });
    else if (onDemand === undefined) gaps.push({ type, missing: "on-demand price" });
    else if (work === undefined) gaps.push({ type, missing: "work unit" });
    else resolved.set(type, { spec, onDemand, work });
  }
  // Skipping every type would leave no market: each run would cost $0 for no work.
  if (gaps.length > 0 && (!options.skipUnknownTypes || resolved.size === 0)) {
    throw new CatalogGapError(
      gaps.map((gap) => gap.type),
      describeGaps(gaps, options.region, unit),
      options.skipUnknownTypes
        ? "give them with --specs FILE (--skip-unknown-types would leave out every type)"
        : undefined,
    );
  }
  return { unit, region: options.region, types: resolved, skipped: gaps };
}

function describeGaps(gaps: readonly TypeGap[], region: string, unit: WorkUnit): string {
  const unitHint =
    unit === "ecu"
      ? "ECU (the work unit; --work-unit vcpu counts vCPUs instead)"
      : `${workUnits[unit].label} (the work unit)`;
  const names: Record<TypeGap["missing"], string> = {
    spec: "spec (vCPU, memory)",
    "on-demand price": `${region} on-demand price`,
    "work unit": unitHint,
  };
  const kinds = [...new Set(gaps.map((gap) => gap.missing))];
  if (kinds.length === 1) return names[kinds[0]];
  const parts = kinds.map(
    (kind) =>
      `${names[kind]}: ${gaps
        .filter((gap) => gap.missing === kind)
        .map((gap) => gap.type)
        .join(", ")}`,
  );
  return `complete catalog entry (${parts.join("; ")})`;
}

/** Types left out under --skip-unknown-types in words, for the tables and messages that must say so. */
export function skippedTypesNote(gaps: readonly TypeGap[]): string {
  return `left out ${gaps.length} type(s) lacking catalog data: ${gaps.map((gap) => `${gap.type} (${gap.missing})`).join(", ")}`;
}

/**
 * Refuses a container no resolved type can hold (every run would cost $0 for no work), naming the
 * largest type; `flag` is where the footprint came from.
 */
export function checkMemoryFits(resolution: CatalogResolution, memoryGiB: number, flag = "--memory"): void {
  let largest: { type: string; memoryGiB: number } | undefined;
  for (const [type, resolved] of resolution.types) {
    if (largest === undefined || resolved.spec.memoryGiB > largest.memoryGiB) {
      largest = { type, memoryGiB: resolved.spec.memoryGiB };
    }
  }
  if (largest !== undefined && largest.memoryGiB >= memoryGiB) return;
  throw new UsageError(
    flag,
    largest === undefined
      ? "a footprint some type of the trace can hold (the catalog resolves none of its types)"
      : `at most ${largest.memoryGiB} GiB, the memory of the largest type in the trace (${largest.type})`,
    `${memoryGiB} GiB`,
  );
}

/**
 * The default CPU demand: half of an m4.4xlarge (the paper's prototype), in `unit`. Throws a
 * UsageError naming `--demand` when the catalog cannot say.
 */
export function defaultDemandWork(catalog: Catalog, unit: WorkUnit): number {
  const spec = catalog.spec("m4.4xlarge");
  const work = spec === undefined ? undefined : workOf(spec, unit);
  if (work === undefined) {
    throw new UsageError(
      "--demand",
      `a value (the catalog has no ${unit} for m4.4xlarge to take half of)`,
      "none",
    );
  }
  return work / 2;
}
