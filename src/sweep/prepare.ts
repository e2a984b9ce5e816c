import { createCatalog } from "../catalog/catalog.js";
import type { WorkUnit } from "../catalog/types.js";
import { checkMemoryFits, defaultDemandWork, resolveTypes } from "../catalog/work-unit.js";
import { simulationWindow } from "../drivers/sim/run.js";
import type { StudyPolicy } from "../drivers/sim/study.js";
import { traceZones } from "../drivers/sim/markets.js";
import { resolveParams } from "../policies/index.js";
import {
  checkPolicyInputs,
  inputsToJson,
  loadPolicyInputs,
  type PolicyInputFiles,
} from "../policies/inputs.js";
import { requireRowsAfterFilters, unpricedWarnings } from "../traces/coverage.js";
import { defaultMaxUnpriced } from "../options/parse.js";
import { loadTrace } from "../traces/load.js";
import type { LoadOptions, Trace } from "../traces/types.js";
import { regionOfZone } from "../traces/zones.js";
import { UsageError } from "../errors.js";
import type { SweepConfig } from "./config.js";
import { expandGrid, type SweepSettings, type VaryAxis } from "./settings.js";
import { sampleStarts } from "./starts.js";

/** A sweep as asked for, validated: typed values, nothing left to parse. */
export interface SweepRequest {
  readonly tracePath: string;
  readonly load: LoadOptions;
  readonly specsFile?: string;
  readonly workUnit: WorkUnit;
  readonly skipUnknownTypes: boolean;
  /** Settings shared by every grid point; `demandWork` null means half of an m4.4xlarge in the work unit. */
  readonly base: Omit<SweepSettings, "demandWork"> & { readonly demandWork: number | null };
  readonly vary: readonly VaryAxis[];
  readonly policies: readonly StudyPolicy[];
  /** The policies' input files (`--advisor`); the region is the trace's. */
  readonly inputFiles: Omit<PolicyInputFiles, "region">;
  /** The policy the others are paired against; one of `policies`. Absent: no paired comparisons. */
  readonly baseline?: string;
  readonly windowSeconds: number;
  readonly windows: number;
  readonly seed: number;
  /** Largest unpriced share of the span windows are drawn from (default `defaultMaxUnpriced`). */
  readonly maxUnpriced?: number;
}

const iso = (seconds: number | undefined) =>
  seconds === undefined ? null : new Date(seconds * 1000).toISOString();

/**
 * Loads the trace (through the cache), checks that its types resolve in the catalog, draws the window
 * starts and fixes the configuration every item and shard will share.
 */
export async function prepareSweep(request: SweepRequest): Promise<{ config: SweepConfig; trace: Trace }> {
  const names = request.policies.map(({ definition }) => definition.name);
  if (request.baseline !== undefined && !names.includes(request.baseline)) {
    throw new UsageError("--baseline", `one of the swept policies (${names.join(", ")})`, request.baseline);
  }
  checkPolicyInputs(
    request.policies.map(({ definition }) => definition),
    request.inputFiles,
  );
  const trace = await loadTrace(request.tracePath, request.load);
  requireRowsAfterFilters(trace, request.load);
  const span = simulationWindow(trace);
  const { skipped } = trace.report;
  const warnings = [
    ...(skipped.count > 0
      ? [
          // Not the path: shards may read the trace from different places and must hash alike.
          `skipped ${skipped.count} bad row(s) of the trace under --skip-bad-rows (${Object.entries(
            skipped.byReason,
          )
            .map(([reason, count]) => `${count} ${reason}`)
            .join(", ")})`,
        ]
      : []),
    ...unpricedWarnings(
      trace,
      span,
      request.maxUnpriced ?? defaultMaxUnpriced,
      "the span the windows are drawn from",
    ),
  ];
  const zones = traceZones(trace);
  const regions = [...new Set(zones.map((zone) => regionOfZone(zone) ?? zone))].sort();
  if (regions.length !== 1) {
    throw new UsageError(
      "--zones",
      "zones of one region (on-demand prices are per region)",
      regions.join(", ") || "no zones",
    );
  }
  const catalog = await createCatalog({ specsFile: request.specsFile });
  // Fails early, naming the types the catalog lacks, instead of in every worker. Whether a type
  // resolves does not depend on the time (a price list's first entry stands before its date).
  const resolution = resolveTypes(
    catalog,
    trace.series.map((series) => series.instanceType),
    {
      region: regions[0],
      at: span.start,
      unit: request.workUnit,
      skipUnknownTypes: request.skipUnknownTypes,
    },
  );
  const memoryAxis = request.vary.find((axis) => axis.key === "memory-gib");
  if (memoryAxis === undefined) checkMemoryFits(resolution, request.base.memoryGiB, "--memory");
  else
    for (const value of memoryAxis.values) checkMemoryFits(resolution, value as number, "--vary memory-gib");
  let demandWork = request.base.demandWork;
  if (demandWork === null) demandWork = defaultDemandWork(catalog, request.workUnit);
  const base: SweepSettings = { ...request.base, demandWork };
  const windows = sampleStarts(request.seed, span, request.windowSeconds, request.windows);
  const points = expandGrid(base, request.vary).length;
  const { load } = request;
  const inputs = inputsToJson(
    await loadPolicyInputs(
      request.policies.map(({ definition }) => definition),
      { ...request.inputFiles, region: regions[0] },
    ),
    [...new Set(trace.series.map((series) => series.instanceType))],
  );
  const config: SweepConfig = {
    trace: {
      path: trace.source.path,
      sha256: trace.source.sha256,
      bytes: trace.source.bytes,
      format: trace.source.format,
      spanStart: iso(span.start)!,
      spanEnd: iso(span.end)!,
      rowsKept: trace.report.rowsKept,
      series: trace.series.length,
      load: {
        format: load.format ?? null,
        products: load.products ?? ["Linux/UNIX"],
        zones: load.zones ?? null,
        types: load.types ?? null,
        start: iso(load.start),
        end: iso(load.end),
        skipBadRows: load.skipBadRows ?? false,
      },
    },
    zones,
    region: regions[0],
    catalog: {
      description: catalog.description,
      specsFile: request.specsFile ?? null,
      workUnit: request.workUnit,
      skipUnknownTypes: request.skipUnknownTypes,
      // Only when some: a sweep without skipped types keeps the hash it had before this field.
      ...(resolution.skipped.length > 0 ? { skippedTypes: resolution.skipped } : {}),
    },
    base,
    vary: request.vary,
    // Defaults filled in, so the record (and its hash) says exactly what ran.
    policies: request.policies.map(({ definition, params }) => ({
      name: definition.name,
      params: resolveParams(definition, params),
    })),
    ...(Object.keys(inputs).length > 0 ? { inputs } : {}),
    baseline: request.baseline ?? null,
    windowSeconds: request.windowSeconds,
    seed: request.seed,
    windows,
    points,
    items: points * windows.length,
    // Only when some: a sweep without warnings keeps the hash it had before this field.
    ...(warnings.length > 0 ? { warnings } : {}),
  };
  return { config, trace };
}
