import type { Argv, CommandModule } from "yargs";
import { UsageError } from "../../../errors.js";
import { terminalSafe } from "../../../util/terminal.js";
import {
  traceInfo as statsOf,
  workUnits,
  type LoadOptions,
  type SeriesKey,
  type TraceStats,
} from "../../../api.js";
import {
  catalogOptionsFromArgs,
  specsFormatHelp,
  withCatalogSourceOptions,
  type CatalogArgs,
  type CatalogChoice,
} from "../../catalog-options.js";
import { loadOptionsFromArgs, withTraceLoadOptions, type TraceLoadArgs } from "../../trace-options.js";

export interface TraceInfoArgs extends TraceLoadArgs, CatalogArgs {
  files?: string[];
  json?: boolean;
}

/** Loads each file and returns its statistics, in the order given. */
export async function traceInfo(
  files: readonly string[],
  loadOptions: LoadOptions,
  choice: Pick<CatalogChoice, "specsFile" | "workUnit">,
): Promise<TraceStats[]> {
  return statsOf(files, loadOptions, choice);
}

/** The human report of one file: a label column and a value column. */
export function formatTraceStats(stats: TraceStats): string {
  const { ingest } = stats;
  const changes = stats.changesPerSeriesPerDay;
  const ratios = stats.priceToOnDemand;
  const skipped = Object.entries(ingest.skipped.byReason)
    .map(([reason, count]) => `${count} ${reason}`)
    .join(", ");
  const filtered = ingest.filteredOut;
  const lines: [string, string][] = [
    [
      "trace",
      `${stats.file.path} (${stats.file.format}${stats.file.gzip ? ", gzip" : ""}, ${count(stats.file.bytes)} bytes)`,
    ],
    [
      "span",
      stats.span.first === null
        ? "empty"
        : `${stats.span.first} to ${stats.span.last} (${stats.span.days.toFixed(2)} days)`,
    ],
    ["rows", `${count(stats.rows)} price changes in ${count(stats.series)} series`],
    [
      "zones",
      `${stats.zones.length}: ${list(stats.zones)} (${stats.zoneKind === "zone-id" ? "zone IDs" : "zone names"})`,
    ],
    ["types", `${stats.types.length}: ${list(stats.types)}`],
    ["products", list(stats.products)],
    [
      "changes/series/day",
      changes === null
        ? "n/a (no time between first and last change)"
        : `mean ${fixed(changes.mean, 1)}, min ${fixed(changes.min.value, 1)} (${seriesName(changes.min.series)}), max ${fixed(changes.max.value, 1)} (${seriesName(changes.max.series)})`,
    ],
    [
      "spot / on-demand",
      ratios === null
        ? "n/a (no type has an on-demand price)"
        : `min ${fixed(ratios.min, 3)}, median ${fixed(ratios.median, 3)} (time-weighted), max ${fixed(ratios.max.value, 3)} (${seriesName(ratios.max.series)} at ${ratios.max.at})`,
    ],
    [
      "above on-demand",
      ratios === null
        ? "n/a"
        : `${(ratios.timeAbove * 100).toFixed(2)}% of the time, ${plural(ratios.rowsAbove, "row")}`,
    ],
    [
      "on-demand prices",
      `${stats.catalog}; snapshot ${ratios === null ? "none" : ratios.snapshots.join(", ")}; no price for: ${list(stats.typesWithoutOnDemand, "none")}`,
    ],
    [
      "work unit",
      `${stats.workUnit.unit} (${workUnits[stats.workUnit.unit].label}); unknown for: ${list(stats.workUnit.typesWithout, "none")}`,
    ],
    [
      "longest gap",
      stats.longestGap === null
        ? "n/a"
        : `${hours(stats.longestGap.seconds)} in ${seriesName(stats.longestGap.series)} (${stats.longestGap.from} to ${stats.longestGap.to})`,
    ],
    [
      "ingest",
      `${count(ingest.rowsRead)} rows read, ${count(ingest.rowsKept)} kept, ${count(ingest.duplicatesDropped)} duplicates dropped, ${count(ingest.conflictsDropped ?? 0)} superseded prices dropped, ${count(ingest.carriedIn)} carried in${ingest.fromCache ? " (from cache)" : ""}`,
    ],
    ...(ingest.cacheWriteError === undefined
      ? []
      : [["cache", `not written: ${ingest.cacheWriteError}`] as [string, string]]),
    [
      "filtered out",
      `${count(filtered.product)} by product, ${count(filtered.zone)} by zone, ${count(filtered.type)} by type, ${count(filtered.window)} by window`,
    ],
    ["skipped", ingest.skipped.count === 0 ? "0" : `${plural(ingest.skipped.count, "bad row")} (${skipped})`],
    ...ingest.skipped.examples.map((example): [string, string] => ["  e.g.", example]),
  ];
  const width = Math.max(...lines.map(([label]) => label.length));
  return lines.map(([label, value]) => `${label.padEnd(width)}  ${value}\n`).join("");
}

function seriesName(key: SeriesKey): string {
  return `${key.zone} ${key.instanceType} ${key.product}`;
}

function list(values: readonly string[], none = "-"): string {
  return values.length === 0 ? none : values.join(", ");
}

function count(value: number): string {
  return value.toLocaleString("en-US");
}

function plural(value: number, noun: string): string {
  return `${count(value)} ${noun}${value === 1 ? "" : "s"}`;
}

function fixed(value: number, digits: number): string {
  return value.toFixed(digits);
}

function hours(seconds: number): string {
  return `${count(Math.round(seconds))} s (${(seconds / 3600).toFixed(1)} h)`;
}

function builder(yargs: Argv) {
  return withCatalogSourceOptions(withTraceLoadOptions(yargs))
    .positional("files", {
      type: "string",
      array: true,
      describe: "Trace files (csv, json, text, archive-tsv; .gz ok)",
    })
    .option("json", {
      type: "boolean",
      default: false,
      describe:
        "Print a JSON array, one object per file, with keys file, span, rows, series, zones, zoneKind, types, products, changesPerSeriesPerDay, priceToOnDemand, typesWithoutOnDemand, catalog, workUnit, longestGap, ingest",
    })
    .example("$0 trace info spot.csv", "span, series, changes per day, spot ÷ on-demand, gaps")
    .example("$0 trace info a.csv b.json.gz --json", "one JSON object per file")
    .example(
      "$0 trace info spot.csv --types m5.large,c5.xlarge --start 2021-04-01 --work-unit vcpu",
      "a window of two types",
    )
    .example("$0 trace info spot.csv --specs my-types.csv", "on-demand prices and specs from your own CSV")
    .epilogue(
      [
        "changes/series/day counts rows per series over the span; spot / on-demand divides by the on-demand price",
        "in force at the span start (its median weights each price by how long it held); types without an",
        "on-demand price or work unit are listed, not dropped silently.",
        "",
        specsFormatHelp,
      ].join("\n"),
    );
}

export const traceInfoCommand: CommandModule<object, TraceInfoArgs> = {
  command: "info <files..>",
  describe: "Summarise spot price traces: span, series, change rates, price ÷ on-demand, gaps, dropped rows",
  builder: builder as CommandModule<object, TraceInfoArgs>["builder"],
  handler: async (args) => {
    const files = args.files ?? [];
    if (files.length === 0) throw new UsageError("FILE", "at least one trace file", "none");
    const loadOptions = loadOptionsFromArgs(args);
    const stats = await traceInfo(files, loadOptions, catalogOptionsFromArgs(args));
    process.stdout.write(
      args.json
        ? `${JSON.stringify(stats, null, 2)}\n`
        : terminalSafe(stats.map(formatTraceStats).join("\n")),
    );
  },
};
