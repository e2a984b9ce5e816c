/**
 * The library under the CLI: typed options in, typed results out. Nothing here prints, exits or reads
 * flags; errors are the HotspotError classes of src/errors.ts. Each function loads what it runs on
 * first call, so importing this module costs only its types and the small pure formatters below.
 */
import { readFile } from "node:fs/promises";
import type { InstanceSpec, WorkUnit } from "./catalog/types.js";
import type { FetchCatalogResult } from "./catalog/fetch.js";
import type { TypeView } from "./catalog/view.js";
import type { CatalogResolution, WorkUnitChoice } from "./catalog/work-unit.js";
import type {
  AvailabilityReading,
  InterruptionConfig,
  InterruptionModelName,
} from "./drivers/sim/interruptions.js";
import type { StudyPolicy } from "./drivers/sim/study.js";
import type {
  AssumedPlacement,
  DecisionRecord,
  DryRunOptions,
  DryRunSummary,
} from "./drivers/live/dry-run.js";
import type { HandOffSummary, LiveLogRecord, LiveRunOptions, LiveRunSummary } from "./drivers/live/run.js";
import type { ActCloud, ControllerOptions } from "./drivers/live/host/controller.js";
import type { GcReport } from "./drivers/live/hop/gc.js";
import type { InstanceView } from "./drivers/live/hop/ec2-compute.js";
import type { PolicyDefinition, PolicyInputs } from "./engine/policy.js";
import type { Lifecycle } from "./engine/types.js";
import type { PolicyInputFiles } from "./policies/inputs.js";
import type { Architecture } from "./image/architecture.js";
import type { BuildResult } from "./image/build.js";
import type { FoundImage } from "./image/image-ec2.js";
import type { CopyIn } from "./container/create.js";
import type { ContainerSource } from "./container/source.js";
import type { BindMount } from "./host/lxc.js";
import type { Emulator, EmulatorOptions } from "./cloud/local/emulator.js";
import type { Fault } from "./cloud/local/faults.js";
import type { LocalCloudInfo } from "./cloud/local/service.js";
import type { TraceStats } from "./traces/info.js";
import type {
  LaunchRequest,
  LaunchResult,
  LiveActRequest,
  LiveActResult,
  LiveGcRequest,
} from "./api/live.js";
import type {
  DownRequest,
  DownResult,
  OperateRequest,
  StatusRequest,
  StatusView,
  Timeout,
} from "./api/operate.js";
import type { CreateContainerRequest, CreateContainerResult, LocalCloudPlace } from "./api/container.js";
import type { BuildImageRequest, ImageBuild, ImagePlace } from "./api/image.js";
import type { ServeRequest, StartServiceRequest, StopServiceRequest } from "./api/local.js";
import type { LocalCloud } from "./cloud/local/service.js";
import type { CleanupReport } from "./cloud/local/hosts/cleanup.js";
import type { LocalInventory } from "./cloud/local/inventory.js";
import type { BillingModelName } from "./engine/billing.js";
import type { DurationMode, TransferMedium } from "./engine/migration-model.js";
import type { CpuCompat } from "./policies/cpu-compat.js";
import type { ReportOptions } from "./reports/page.js";
import type { ResultsDocument } from "./results/document.js";
import type { IngressRule, SetupEc2 } from "./setup/ec2-setup-client.js";
import type { SetupOptions } from "./setup/run.js";
import type { LiveConfig } from "./setup/config.js";
import type { SweepDocument } from "./sweep/document.js";
import type { Execution } from "./sweep/pool.js";
import type { SweepRequest } from "./sweep/prepare.js";
import type { SweepOutcome } from "./sweep/run.js";
import type { Shard } from "./sweep/shard.js";
import type { FetchOptions, FetchResult } from "./traces/fetch.js";
import type { Regime, SynthOptions, SynthSummary } from "./traces/synth.js";
import type { LoadOptions, SeriesKey, TimeBounds, Trace, TraceFormatName } from "./traces/types.js";
import type { Clock } from "./util/clock.js";
import { UnknownNameError, UsageError } from "./errors.js";

// How results read as text: pure functions of the documents, no I/O.
export { skippedTypesNote, workUnits } from "./catalog/work-unit.js";
export { excludedZonesWarning } from "./results/document.js";
export { formatResultsTables } from "./results/table.js";
export { serializeResults } from "./results/write.js";
export { formatSweepTable } from "./sweep/table.js";

export type {
  ActCloud,
  BillingModelName,
  CpuCompat,
  TransferMedium,
  TimeBounds,
  TraceFormatName,
  Architecture,
  AssumedPlacement,
  BindMount,
  BuildResult,
  ContainerSource,
  ControllerOptions,
  CopyIn,
  DecisionRecord,
  Emulator,
  EmulatorOptions,
  Execution,
  Fault,
  FetchCatalogResult,
  FetchResult,
  FoundImage,
  GcReport,
  IngressRule,
  InstanceSpec,
  InstanceView,
  Lifecycle,
  LiveConfig,
  LiveLogRecord,
  LoadOptions,
  LocalCloudInfo,
  PolicyDefinition,
  PolicyInputs,
  Regime,
  ResultsDocument,
  SeriesKey,
  SetupOptions,
  Shard,
  StudyPolicy,
  SweepDocument,
  SweepOutcome,
  SweepRequest,
  SynthOptions,
  SynthSummary,
  Trace,
  TraceStats,
  TypeView,
  WorkUnit,
  WorkUnitChoice,
};
export type {
  BuildImageRequest,
  CreateContainerRequest,
  CreateContainerResult,
  DownRequest,
  DownResult,
  ImageBuild,
  ImagePlace,
  LaunchRequest,
  LaunchResult,
  LiveActRequest,
  LiveActResult,
  LiveGcRequest,
  LocalCloudPlace,
  OperateRequest,
  ServeRequest,
  StartServiceRequest,
  StatusRequest,
  StatusView,
  StopServiceRequest,
  Timeout,
};

/** Reads a trace CSV into columns, with the filters and row policy of `options`. */
export async function loadTrace(path: string, options: LoadOptions = {}): Promise<Trace> {
  return (await import("./traces/load.js")).loadTrace(path, options);
}

/** Downloads spot price history from EC2 into a canonical trace CSV (`hotspot trace fetch`). */
export async function fetchTrace(
  options: Omit<FetchOptions, "ec2"> & { readonly region: string; readonly endpoint?: string },
): Promise<FetchResult> {
  const [{ fetchSpotPriceHistory }, { createEc2Api }] = await Promise.all([
    import("./traces/fetch.js"),
    import("./cloud/ec2-client.js"),
  ]);
  const { region, endpoint, ...rest } = options;
  return fetchSpotPriceHistory({ ...rest, ec2: createEc2Api({ region, endpoint }) });
}

/** Writes a seeded synthetic trace CSV (`hotspot trace synth`), on-demand prices from `specsFile` (default built in). */
export async function synthesizeTrace(
  path: string,
  options: Omit<SynthOptions, "catalog"> & { readonly specsFile?: string },
): Promise<SynthSummary> {
  const [{ synthesizeTrace: synthesize }, { createCatalog }] = await Promise.all([
    import("./traces/synth.js"),
    import("./catalog/catalog.js"),
  ]);
  const { specsFile, ...rest } = options;
  return synthesize(path, { ...rest, catalog: await createCatalog({ specsFile }) });
}

/** Each trace file's statistics (`hotspot trace info`), in the order given; prices and work from the catalog. */
export async function traceInfo(
  files: readonly string[],
  load: LoadOptions,
  catalog: { readonly specsFile?: string; readonly workUnit: WorkUnit },
): Promise<TraceStats[]> {
  const [{ createCatalog }, { traceStats }] = await Promise.all([
    import("./catalog/catalog.js"),
    import("./traces/info.js"),
  ]);
  const table = await createCatalog({ specsFile: catalog.specsFile });
  const stats: TraceStats[] = [];
  for (const file of files) stats.push(traceStats(await loadTrace(file, load), table, catalog.workUnit));
  return stats;
}

/** The regions the Price List Query API answers in (`--pricing-region`). */
export async function pricingRegions(): Promise<readonly string[]> {
  return (await import("./cloud/pricing-client.js")).pricingRegions;
}

export interface CatalogFetchRequest {
  readonly region: string;
  /** One of `pricingRegions()`. */
  readonly pricingRegion: string;
  readonly instanceTypes?: readonly string[];
  readonly out: string;
  /** Another endpoint for both services, or for Pricing alone (local emulators only). */
  readonly endpoint?: string;
  readonly pricingEndpoint?: string;
  readonly onProgress?: (progress: { records: number; pages: number; types: number }) => void;
}

/** Downloads a region's Linux on-demand prices and specs into a `--specs` CSV (`hotspot catalog fetch`). */
export async function fetchCatalog(request: CatalogFetchRequest): Promise<FetchCatalogResult> {
  const [{ fetchCatalog: fetch }, { createCatalogApi, pricingRegions: regions }] = await Promise.all([
    import("./catalog/fetch.js"),
    import("./cloud/pricing-client.js"),
  ]);
  const pricingRegion = regions.find((name) => name === request.pricingRegion);
  if (pricingRegion === undefined) {
    throw new UnknownNameError("pricing region", request.pricingRegion, regions);
  }
  const api = createCatalogApi({
    region: request.region,
    pricingRegion,
    endpoint: request.endpoint,
    pricingEndpoint: request.pricingEndpoint,
  });
  return fetch(api, {
    region: request.region,
    instanceTypes: request.instanceTypes,
    out: request.out,
    onProgress: request.onProgress,
  });
}

/** The catalog's types as `hotspot catalog list/show` shows them, with `region`'s on-demand price in force at `at`. */
export async function catalogTypes(request: {
  readonly specsFile?: string;
  readonly pricesFile?: string;
  readonly region: string;
  /** Epoch seconds. */
  readonly at: number;
  /** Only this type (undefined: every type); a type the catalog lacks gives no view. */
  readonly type?: string;
}): Promise<{ readonly description: string; readonly views: readonly TypeView[] }> {
  const [{ createCatalog }, { typeView }] = await Promise.all([
    import("./catalog/catalog.js"),
    import("./catalog/view.js"),
  ]);
  const catalog = await createCatalog({ specsFile: request.specsFile, pricesFile: request.pricesFile });
  const types = request.type === undefined ? catalog.types() : [request.type];
  const views = types.flatMap((type) => typeView(catalog, type, request.region, request.at) ?? []);
  return { description: catalog.description, views };
}

/** One `hotspot sim` study: every policy in every zone of one region's trace. */
export interface SimulateOptions {
  readonly tracePath: string;
  readonly load: LoadOptions;
  readonly policies: readonly StudyPolicy[];
  readonly intervalSeconds: number;
  /** Most decisions a run may take; more refuse the run (a UsageError on `--interval`). */
  readonly maxDecisions: number;
  /** Largest unpriced share of the window before the run is refused; below it, a warning. */
  readonly maxUnpriced: number;
  readonly billing: BillingModelName;
  readonly durations: DurationMode;
  readonly seed: number;
  readonly memoryGiB: number;
  readonly cpuCompat: CpuCompat;
  readonly transfer: TransferMedium;
  readonly bandwidthGbps: number;
  readonly historyWindowSeconds: number;
  /** Work to finish, in the work unit; null runs open-ended over the window. */
  readonly targetWork: number | null;
  readonly catalog: {
    readonly specsFile?: string;
    readonly pricesFile?: string;
    readonly workUnit: WorkUnitChoice;
    readonly skipUnknownTypes: boolean;
  };
  /** Work units the application can use; undefined: half of an m4.4xlarge in the work unit. */
  readonly demand?: number;
  /** A constant load level in [0, 1], or a CSV file time,utilisation. */
  readonly utilisation: number | { readonly file: string };
  readonly interruptions: {
    readonly model: InterruptionModelName | "auto";
    readonly bidMultiple: number;
    readonly rebalanceLeadSeconds: number;
    readonly availability?: {
      readonly path: string;
      readonly reading: AvailabilityReading;
      /** Epoch seconds of tick 0 of JSON files; undefined: the window's start. */
      readonly start?: number;
      readonly types: ReadonlyMap<string, string>;
    };
  };
  /** The policies' side files (`--advisor`); the region is the trace's. */
  readonly advisor?: string;
  readonly advisorOs: string;
  /** Called once the catalog is resolved, with the work unit `auto` picked (auto only). */
  readonly onWorkUnit?: (unit: WorkUnit, allHaveEcu: boolean) => void;
  /** Called after each (zone, policy) run. */
  readonly onProgress?: (done: number, total: number, label: string) => void;
}

export interface SimulateResult {
  readonly document: ResultsDocument;
  /** Types left out for lack of catalog data (`skipUnknownTypes`). */
  readonly skippedTypes: CatalogResolution["skipped"];
}

/** Skipped bad rows, said in the tables, --json and --out alike. */
function skippedRowsWarning(trace: Trace): string[] {
  const { skipped } = trace.report;
  if (skipped.count === 0) return [];
  const reasons = Object.entries(skipped.byReason)
    .map(([reason, count]) => `${count} ${reason}`)
    .join(", ");
  return [`skipped ${skipped.count} bad row(s) of ${trace.source.path} under --skip-bad-rows (${reasons})`];
}

/** Loads the trace, resolves the catalog and the side data, and runs the study (what `hotspot sim` runs). */
export async function simulate(options: SimulateOptions): Promise<SimulateResult> {
  const [
    { checkDecisions },
    { simulationWindow },
    { runStudy },
    { requireRowsAfterFilters, unpricedWarnings },
    { regionOfZone },
    { createCatalog },
    { checkMemoryFits, defaultDemandWork, resolveTypes },
    { StepWorkload },
    { readUtilisationCsv },
    { loadPolicyInputs },
    { resolveInterruptionModel, readAvailability },
    { defaultMigrationModel },
    { withWarnings },
  ] = await Promise.all([
    import("./options/parse.js"),
    import("./drivers/sim/run.js"),
    import("./drivers/sim/study.js"),
    import("./traces/coverage.js"),
    import("./traces/zones.js"),
    import("./catalog/catalog.js"),
    import("./catalog/work-unit.js"),
    import("./engine/workload.js"),
    import("./drivers/sim/workload-csv.js"),
    import("./policies/inputs.js"),
    import("./drivers/sim/interruptions.js"),
    import("./engine/migration-model.js"),
    import("./results/document.js"),
  ]);
  const trace = await loadTrace(options.tracePath, options.load);
  requireRowsAfterFilters(trace, options.load);
  const window = simulationWindow(trace);
  checkDecisions("--interval", window.end - window.start, options.intervalSeconds, options.maxDecisions);
  const warnings = [...skippedRowsWarning(trace), ...unpricedWarnings(trace, window, options.maxUnpriced)];
  const regions = [...new Set(trace.series.map((series) => regionOfZone(series.zone) ?? series.zone))].sort();
  if (regions.length !== 1) {
    throw new UsageError(
      "--zones",
      "zones of one region (on-demand prices are per region)",
      regions.join(", ") || "no zones",
    );
  }
  const catalog = await createCatalog({
    specsFile: options.catalog.specsFile,
    pricesFile: options.catalog.pricesFile,
  });
  const resolution = resolveTypes(
    catalog,
    trace.series.map((series) => series.instanceType),
    {
      region: regions[0],
      at: window.start,
      unit: options.catalog.workUnit,
      skipUnknownTypes: options.catalog.skipUnknownTypes,
    },
  );
  checkMemoryFits(resolution, options.memoryGiB);
  if (options.catalog.workUnit === "auto") options.onWorkUnit?.(resolution.unit, resolution.unit === "ecu");
  const demandWork = options.demand ?? defaultDemandWork(catalog, resolution.unit);
  const workload =
    typeof options.utilisation === "number"
      ? {
          profile: StepWorkload.constant(demandWork, options.utilisation),
          description: `constant ${options.utilisation}`,
        }
      : {
          profile: await readUtilisationCsv(options.utilisation.file, demandWork, window),
          description: `file ${options.utilisation.file}`,
        };
  const policyInputs = await loadPolicyInputs(
    options.policies.map(({ definition }) => definition),
    { advisor: options.advisor, advisorOs: options.advisorOs, region: regions[0] },
  );
  const given = options.interruptions;
  const kind = resolveInterruptionModel(given.model, window.start);
  const interruptions: InterruptionConfig =
    kind === "bid"
      ? { kind, bidMultiple: given.bidMultiple }
      : kind === "advisor"
        ? { kind, advisor: policyInputs.advisor!, rebalanceLeadSeconds: given.rebalanceLeadSeconds }
        : kind === "replay"
          ? {
              kind,
              availability: await readAvailability(given.availability!.path, {
                reading: given.availability!.reading,
                start: given.availability!.start ?? window.start,
                types: given.availability!.types,
              }),
            }
          : { kind };
  const studied = await runStudy({
    trace,
    resolution,
    catalogDescription: catalog.description,
    policies: options.policies,
    config: {
      intervalSeconds: options.intervalSeconds,
      billing: options.billing,
      memoryGiB: options.memoryGiB,
      demandWork,
      cpuCompat: options.cpuCompat,
      workUnit: resolution.unit,
      workload: workload.profile,
      targetWork: options.targetWork,
      migrationModel: {
        ...defaultMigrationModel,
        transfer: options.transfer,
        networkGbitPerSecond: options.bandwidthGbps,
      },
      durations: options.durations,
      interruptions,
      historyWindowSeconds: options.historyWindowSeconds,
      seed: options.seed,
      policyInputs,
    },
    workloadDescription: workload.description,
    recordPrices: true,
    onProgress: options.onProgress,
  });
  return { document: withWarnings(studied, warnings), skippedTypes: resolution.skipped };
}

/** Writes a results document as JSON, atomically. */
export async function writeResults(path: string, document: ResultsDocument): Promise<void> {
  return (await import("./results/write.js")).writeResults(path, document);
}

/** Writes the HTML report comparing the policies of `documents`, atomically; returns its size in bytes. */
export async function writeReport(
  documents: readonly ResultsDocument[],
  path: string,
  options: ReportOptions,
): Promise<number> {
  // The report's renderer (vega) loads only when a report is asked for.
  return (await import("./reports/write-report.js")).writeReport(documents, path, options);
}

/** Writes the HTML report of a sweep document (interrupted ones marked INCOMPLETE); returns its bytes. */
export async function writeSweepReport(
  document: SweepDocument,
  path: string,
  options: ReportOptions,
): Promise<number> {
  return (await import("./reports/sweep-html.js")).writeSweepReport(document, path, options);
}

/** A results document read from a file and checked (schema, version, shape). */
export async function readResults(path: string): Promise<ResultsDocument> {
  return (await import("./reports/read-results.js")).readResultsDocument(path);
}

/** A sweep document read from a file and checked. */
export async function readSweep(path: string): Promise<SweepDocument> {
  return (await import("./sweep/document.js")).readSweep(path);
}

export interface ReportRequest {
  /** Sim results documents, or exactly one sweep results document. */
  readonly results: readonly string[];
  readonly out: string;
  /** The policy whose path the report draws; must be a policy of every document. */
  readonly pathPolicy?: string;
  /** The command line that reproduces the report, printed in it. */
  readonly commandLine: string;
}

export interface ReportResult {
  readonly kind: "sweep" | "sim";
  readonly documents: number;
  readonly bytes: number;
}

/** A JSON file's `schema` field; undefined when unreadable (the document's reader then names the problem). */
async function schemaOf(file: string): Promise<unknown> {
  try {
    return (JSON.parse(await readFile(file, "utf8")) as { schema?: unknown } | null)?.schema;
  } catch {
    return undefined;
  }
}

/** Reads every results document (all checked before anything is written), then writes the report. */
export async function report(request: ReportRequest): Promise<ReportResult> {
  const { SWEEP_SCHEMA } = await import("./sweep/document.js");
  const schemas = await Promise.all(request.results.map(schemaOf));
  if (schemas.includes(SWEEP_SCHEMA)) {
    if (request.results.length !== 1) {
      throw new UsageError(
        "results",
        "one sweep results document, or sim results documents",
        request.results.join(" "),
      );
    }
    const bytes = await writeSweepReport(await readSweep(request.results[0]), request.out, {
      commandLine: request.commandLine,
    });
    return { kind: "sweep", documents: 1, bytes };
  }
  const documents = [];
  for (const file of request.results) documents.push(await readResults(file));
  const { pathPolicy } = request;
  if (pathPolicy !== undefined) {
    for (const [index, document] of documents.entries()) {
      const ran = [...new Set(document.runs.map((run) => run.policy))];
      if (!ran.includes(pathPolicy)) {
        throw new UsageError(
          "--path-policy",
          `a policy of ${request.results[index]} (${ran.join(", ")})`,
          pathPolicy,
        );
      }
    }
  }
  const bytes = await writeReport(documents, request.out, { commandLine: request.commandLine, pathPolicy });
  return { kind: "sim", documents: documents.length, bytes };
}

/** How a sweep runs, beyond what it computes. */
export interface SweepRun {
  /** The results file, written as items finish and at the end. */
  readonly out: string;
  /** Continue from `out` when it exists. */
  readonly resume: boolean;
  readonly shard: Shard | null;
  readonly execution: Execution;
  /** Abort to stop after the items in flight; the outcome is then "interrupted". */
  readonly signal?: AbortSignal;
  /** Once the trace is loaded and the grid fixed: its warnings and the types left out, before any item runs. */
  readonly onPrepared?: (prepared: {
    readonly warnings: readonly string[];
    readonly skippedTypes: CatalogResolution["skipped"];
  }) => void;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Runs a sweep: policies over a grid of settings and trace windows, with statistics (`hotspot sweep`). */
export async function sweep(request: SweepRequest, run: SweepRun): Promise<SweepOutcome> {
  const [{ prepareSweep }, { runSweep }] = await Promise.all([
    import("./sweep/prepare.js"),
    import("./sweep/run.js"),
  ]);
  const { config, trace } = await prepareSweep(request);
  run.onPrepared?.({ warnings: config.warnings ?? [], skippedTypes: config.catalog.skippedTypes ?? [] });
  return runSweep({
    config,
    trace,
    out: run.out,
    resume: run.resume,
    shard: run.shard,
    execution: run.execution,
    signal: run.signal,
    onProgress: run.onProgress,
  });
}

/** Reads sweep shards, checks they make up one whole sweep, and writes the merged document atomically. */
export async function mergeSweeps(
  shardPaths: readonly string[],
  out: string,
): Promise<{ readonly shards: number; readonly document: SweepDocument }> {
  const [{ writeSweep }, { mergeSweepDocuments }] = await Promise.all([
    import("./sweep/document.js"),
    import("./sweep/merge.js"),
  ]);
  const shards = [];
  for (const path of shardPaths) shards.push({ path, document: await readSweep(path) });
  const merged = mergeSweepDocuments(shards);
  await writeSweep(out, merged);
  return { shards: shards.length, document: merged };
}

/**
 * Runs one setup mode (plan, apply, destroy) against `ec2`, pausing on `clock` while a resource is
 * made; `out` receives the plan and progress text. Returns the config written (apply only).
 */
export async function setup(
  options: SetupOptions,
  ec2: SetupEc2,
  out: (text: string) => void,
  clock: Pick<Clock, "sleep">,
): Promise<LiveConfig | undefined> {
  const [{ runSetup }, { readyWait }] = await Promise.all([
    import("./setup/run.js"),
    import("./setup/apply.js"),
  ]);
  return runSetup(options, ec2, out, readyWait(clock));
}

/** `hotspot setup` against EC2 (or `endpoint`), credentials from the SDK's default chain. */
export async function setupOnEc2(
  options: SetupOptions & { readonly endpoint?: string },
  out: (text: string) => void,
  clock: Pick<Clock, "sleep">,
): Promise<LiveConfig | undefined> {
  const ec2 = (await import("./setup/ec2-setup-client.js")).createSetupEc2({
    region: options.spec.region,
    endpoint: options.endpoint,
  });
  try {
    return await setup(options, ec2, out, clock);
  } finally {
    ec2.destroy();
  }
}

/** The side files `definitions` declare, read from `files` (the advisor for the config's region). */
export async function loadPolicyInputs(
  definitions: readonly PolicyDefinition[],
  files: PolicyInputFiles,
): Promise<PolicyInputs> {
  return (await import("./policies/inputs.js")).loadPolicyInputs(definitions, files);
}

/** The live config (`hotspot.json`) at `path`, checked. */
export async function readLiveConfig(path: string): Promise<LiveConfig> {
  return (await import("./setup/config.js")).readLiveConfig(path);
}

/** The policy a live run uses: `given` (`--policy`), else the config's. */
export async function livePolicy(
  given: ControllerOptions["policy"],
  config: LiveConfig,
): Promise<LiveConfig["policy"]> {
  return (await import("./setup/config.js")).livePolicy(given, config);
}

/** `hotspot live --dry-run` on EC2 (or `endpoint`): the config read, the catalog and the policy resolved, then the dry run. */
export async function dryRunOnEc2(
  request: Omit<DryRunOptions, "config" | "ec2" | "catalog" | "policy" | "workload" | "metadata"> & {
    readonly configPath: string;
    /** Instance metadata base URL to watch for interruption notices; undefined: not watched. */
    readonly metadata?: string;
    readonly endpoint?: string;
    readonly specsFile?: string;
    readonly policy: ControllerOptions["policy"];
    readonly workload: Omit<DryRunOptions["workload"], "demandWork"> & { readonly demand?: number };
    /** Once the config is read and the policy resolved, before the first poll. */
    readonly onStart?: (start: { readonly policy: string; readonly zone: string }) => void;
  },
): Promise<DryRunSummary & { readonly zone: string }> {
  const [{ createCatalog }, { defaultDemandWork }, { createEc2Api }, { NoticePoller }] = await Promise.all([
    import("./catalog/catalog.js"),
    import("./catalog/work-unit.js"),
    import("./cloud/ec2-client.js"),
    import("./drivers/live/observe/notice-poller.js"),
  ]);
  const { configPath, endpoint, specsFile, policy: given, workload, onStart, metadata, ...rest } = request;
  const config = await readLiveConfig(configPath);
  const catalog = await createCatalog({ specsFile });
  const demandWork = workload.demand ?? defaultDemandWork(catalog, rest.workUnit);
  const policy = await livePolicy(given, config);
  onStart?.({ policy: policy.name, zone: config.zone });
  const summary = await dryRun({
    ...rest,
    config,
    ec2: createEc2Api({ region: config.region, endpoint }),
    catalog,
    policy,
    workload: { memoryGiB: workload.memoryGiB, utilisation: workload.utilisation, demandWork },
    metadata: metadata === undefined ? undefined : new NoticePoller({ baseUrl: metadata, clock: rest.clock }),
  });
  return { ...summary, zone: config.zone };
}

/** `hotspot live --dry-run`: the policy's decisions on polled prices, acting on nothing. */
export async function dryRun(options: DryRunOptions): Promise<DryRunSummary> {
  return (await import("./drivers/live/dry-run.js")).runDryRun(options);
}

/** `hotspot live`: hops the container as the policy decides, journaled and resumable. */
export async function runLive(options: LiveRunOptions): Promise<LiveRunSummary | HandOffSummary> {
  return (await import("./drivers/live/run.js")).runLive(options);
}

/** `hotspot live` acting: hops the container until the time is up or `stop` (see src/api/live.ts). */
export async function liveAct(request: LiveActRequest): Promise<LiveActResult> {
  return (await import("./api/live.js")).liveAct(request);
}

/** A step hook that calls `kill` after `step`'s journaled end; `source` names where the step was given. */
export async function crashAfter(step: string, source: string, kill: () => void) {
  return (await import("./api/live.js")).crashAfter(step, source, kill);
}

/** `hotspot live gc`: ends instances of ours the journal does not account for. */
export async function liveGc(request: LiveGcRequest): Promise<GcReport> {
  return (await import("./api/live.js")).liveGc(request);
}

/** `hotspot launch`: starts the container's first home. */
export async function launch(request: LaunchRequest): Promise<LaunchResult> {
  return (await import("./api/live.js")).launch(request);
}

/** `hotspot status`: where the container runs and what it cost. */
export async function liveStatus(
  request: StatusRequest,
): Promise<{ readonly view: StatusView; readonly config: LiveConfig }> {
  return (await import("./api/operate.js")).liveStatus(request);
}

/** `hotspot stop`: the controller stops hopping; the container runs on. */
export async function stopHopping(request: OperateRequest): Promise<StatusView> {
  return (await import("./api/operate.js")).stopHopping(request);
}

/** `hotspot down`: the container stopped, its instances terminated, volume and ENI kept (or the volume deleted). */
export async function takeDown(request: DownRequest): Promise<DownResult> {
  return (await import("./api/operate.js")).takeDown(request);
}

/** `hotspot container create`: the container made on the setup's volume. */
export async function createContainer(request: CreateContainerRequest): Promise<CreateContainerResult> {
  return (await import("./api/container.js")).createContainerOnVolume(request);
}

/** `hotspot image build`: the setup's image built (or reused) and recorded in the config. */
export async function buildImage(request: BuildImageRequest): Promise<BuildResult> {
  return (await import("./api/image.js")).buildImage(request);
}

/** `hotspot image list`: the setup's images. */
export async function listImages(place: ImagePlace): Promise<FoundImage[]> {
  return (await import("./api/image.js")).listImages(place);
}

/** `hotspot image delete`: an image of the setup deregistered, its snapshots deleted (the config untouched). */
export async function deleteImage(place: ImagePlace, imageId: string) {
  return (await import("./api/image.js")).deleteImage(place, imageId);
}

/** Records `imageId` (undefined: none) as the config's image. */
export async function recordImage(configPath: string, config: LiveConfig, imageId: string | undefined) {
  return (await import("./api/image.js")).recordImage(configPath, config, imageId);
}

/** What the local cloud's `local.json` under `stateDir` says; null: none. */
export async function localCloudInfo(stateDir: string): Promise<LocalCloudInfo | null> {
  return (await import("./api/local.js")).localCloudInfo(stateDir);
}

/** The local cloud whose service runs under `stateDir`; null when none does. */
export async function runningLocalCloud(stateDir: string): Promise<LocalCloudInfo | null> {
  return (await import("./api/local.js")).runningLocalCloud(stateDir);
}

/** `hotspot local up`: the service started in the background. */
export async function startLocalCloudService(request: StartServiceRequest) {
  return (await import("./api/local.js")).startLocalCloudService(request);
}

/** `hotspot local serve`: the local cloud run in this process until its `close()`. */
export async function serveLocalCloud(request: ServeRequest): Promise<LocalCloud> {
  return (await import("./api/local.js")).serveLocalCloud(request);
}

/** `hotspot local env`: the running local cloud and its dummy keys. */
export async function localCloudEnv(stateDir: string) {
  return (await import("./api/local.js")).localCloudEnv(stateDir);
}

/** `hotspot local status`: what the running local cloud holds. */
export async function localCloudStatus(
  stateDir: string,
): Promise<{ readonly info: LocalCloudInfo; readonly inventory: LocalInventory; readonly text: string }> {
  return (await import("./api/local.js")).localCloudStatus(stateDir);
}

/** `hotspot local down`: the service stopped and what it made removed; null when nothing was there. */
export async function stopLocalCloudService(
  request: StopServiceRequest,
): Promise<{ readonly info: LocalCloudInfo; readonly report: CleanupReport } | null> {
  return (await import("./api/local.js")).stopLocalCloudService(request);
}

/** A fault script for the emulator, read and checked. */
export async function readFaultScript(path: string): Promise<Fault[]> {
  return (await import("./cloud/local/faults.js")).readFaultScript(path);
}

/** `hotspot local emulator`: the EC2 emulator alone, serving until its `close()`. */
export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  return (await import("./cloud/local/emulator.js")).startEmulator(options);
}
