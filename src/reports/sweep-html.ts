import { skippedTypesNote } from "../catalog/work-unit.js";
import { eraOf } from "../traces/eras.js";
import {
  summarizedMetrics,
  type PointSummary,
  type SummarizedMetric,
  type SweepDocument,
} from "../sweep/document.js";
import { BOOTSTRAP_RESAMPLES, type MetricStats } from "../sweep/stats.js";
import { escapeHtml } from "./escape.js";
import {
  chartFigure,
  definitionList,
  duration,
  reportPage,
  traceIdentityRows,
  writeHtml,
  type ReportOptions,
} from "./page.js";
import { unitLabel } from "./summary-table.js";
import { axisCharts, pointCharts, pointLabel } from "./sweep-charts.js";
import { headline } from "../sweep/table.js";
import type { PairedComparison } from "../sweep/stats.js";

/** The statistics shown per metric, in column order; `data-key` of each cell. */
export const sweepStatColumns = [
  "n",
  "missing",
  "mean",
  "sd",
  "p5",
  "p50",
  "p95",
  "ci95Low",
  "ci95High",
] as const;
export type SweepStatColumn = (typeof sweepStatColumns)[number];

/** A statistic's exact value from the document (the CI bounds are the two ends of `ci95`). */
export function statValue(stats: MetricStats, column: SweepStatColumn): number | null {
  if (column === "ci95Low") return stats.ci95?.[0] ?? null;
  if (column === "ci95High") return stats.ci95?.[1] ?? null;
  return stats[column];
}

/** Digits shown per metric; counts are whole. */
export const sweepMetricDigits: Readonly<Record<SummarizedMetric, number>> = {
  costUsd: 2,
  percentOfOnDemand: 1,
  usdPerEcuHour: 5,
  migrationsPerZoneDay: 2,
  downtimeSecondsPerZoneDay: 0,
  gapToOptimal: 4,
};

/** Each metric with its denominator: what one number is per. */
export function metricLabel(metric: SummarizedMetric, workUnit: string): string {
  const labels: Record<SummarizedMetric, string> = {
    costUsd: "cost $ per window, all zones",
    percentOfOnDemand: "% of on-demand cost for the same work, mean over zones",
    usdPerEcuHour: `$ per ${unitLabel(workUnit)}-hour delivered, mean over zones`,
    migrationsPerZoneDay: "migrations per zone per day",
    downtimeSecondsPerZoneDay: "downtime s per zone per day",
    gapToOptimal: "gap to the optimum in $ per unit of work (0.05 = 5% dearer)",
  };
  return labels[metric];
}

const headings: Readonly<Record<SweepStatColumn, string>> = {
  n: "n",
  missing: "missing",
  mean: "mean",
  sd: "sd",
  p5: "p5",
  p50: "p50",
  p95: "p95",
  ci95Low: "95% CI low",
  ci95High: "95% CI high",
};

function statCell(stats: MetricStats, column: SweepStatColumn, digits: number): string {
  const value = statValue(stats, column);
  if (value === null) return `<td data-key="${column}" data-value="null">—</td>`;
  const shown = column === "n" || column === "missing" ? String(value) : value.toFixed(digits);
  return `<td data-key="${column}" data-value="${value}">${shown}</td>`;
}

/** One grid point's statistics: a row per policy and metric; each cell has its exact number in data-value. */
export function sweepPointTable(point: PointSummary, workUnit: string): string {
  const head = sweepStatColumns.map((column) => `<th scope="col">${headings[column]}</th>`).join("");
  const rows = point.policies.flatMap(({ policy, metrics }) =>
    summarizedMetrics.map((metric, m) => {
      const policyCell =
        m === 0
          ? `<th scope="rowgroup" rowspan="${summarizedMetrics.length}">${escapeHtml(policy)}</th>`
          : "";
      const cells = sweepStatColumns.map((column) =>
        statCell(metrics[metric], column, sweepMetricDigits[metric]),
      );
      return `<tr data-policy="${escapeHtml(policy)}" data-metric="${metric}">${policyCell}<th scope="row">${escapeHtml(metricLabel(metric, workUnit))}</th>${cells.join("")}</tr>`;
    }),
  );
  return `<table class="summary sweep"><thead><tr><th scope="col">policy</th><th scope="col">metric</th>${head}</tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>`;
}

const pairedColumns = [
  "n",
  "missing",
  "meanSaving",
  "ci95Low",
  "ci95High",
  "wins",
  "ties",
  "losses",
] as const;
const pairedHeadings: Readonly<Record<(typeof pairedColumns)[number], string>> = {
  n: "paired windows",
  missing: "missing",
  meanSaving: "mean saving %",
  ci95Low: "95% CI low %",
  ci95High: "95% CI high %",
  wins: "cheaper",
  ties: "tied",
  losses: "dearer",
};

function pairedValue(comparison: PairedComparison, column: (typeof pairedColumns)[number]): number | null {
  if (column === "ci95Low") return comparison.ci95?.[0] ?? null;
  if (column === "ci95High") return comparison.ci95?.[1] ?? null;
  return comparison[column];
}

/** Each policy against the baseline: mean paired saving per unit of work with its CI, and the window tally. */
export function pairedTable(point: PointSummary): string {
  if (point.comparisons.length === 0) return "";
  const head = pairedColumns.map((column) => `<th scope="col">${pairedHeadings[column]}</th>`).join("");
  const rows = point.comparisons.map((comparison) => {
    const cells = pairedColumns.map((column) => {
      const value = pairedValue(comparison, column);
      if (value === null) return `<td data-key="${column}" data-value="null">—</td>`;
      const fraction = column === "meanSaving" || column === "ci95Low" || column === "ci95High";
      return `<td data-key="${column}" data-value="${value}">${fraction ? (value * 100).toFixed(1) : String(value)}</td>`;
    });
    return `<tr data-policy="${escapeHtml(comparison.policy)}"><th scope="row">${escapeHtml(comparison.policy)}</th>${cells.join("")}</tr>`;
  });
  const baseline = escapeHtml(point.comparisons[0].baseline);
  return `<table class="summary paired" data-baseline="${baseline}"><caption class="note">Against ${baseline}, window by window: saving = 1 − policy / ${baseline} in $ per unit of work delivered</caption><thead><tr><th scope="col">policy</th>${head}</tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>`;
}

const compact = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

/** Settings as `key value` pairs separated by commas, so that a long list wraps in the header. */
const settings = (record: object) =>
  Object.entries(record)
    .map(([key, value]) => `${key} ${compact(value)}`)
    .join(", ");

function windowsText(document: SweepDocument): string {
  const { config } = document;
  const starts = config.windows.map(
    ({ start, seed }) => `${new Date(start * 1000).toISOString()} (seed ${seed})`,
  );
  return `${config.windows.length} × ${duration(config.windowSeconds)}, starting ${starts.join(", ")}`;
}

function coverage(document: SweepDocument): string {
  const { shard, complete, items, config } = document;
  const slice = shard === null ? "whole sweep" : `shard ${shard.index}/${shard.count}`;
  const state = complete ? "complete" : "INCOMPLETE: statistics cover only the items present";
  return `${slice}, ${items.length} of ${config.items} items, ${state}`;
}

function identity(document: SweepDocument): string {
  const { config } = document;
  const text = (value: string) => escapeHtml(value);
  const era = eraOf(Date.parse(config.trace.spanStart) / 1000);
  const vary =
    config.vary.length === 0
      ? "nothing (one grid point)"
      : config.vary.map((axis) => `${axis.key} = ${axis.values.join(", ")}`).join("; ");
  return definitionList([
    ...traceIdentityRows(config.trace),
    ["trace span", text(`${config.trace.spanStart} .. ${config.trace.spanEnd} (${era} era at its start)`)],
    ["trace flags", text(settings(config.trace.load))],
    ["zones", text(`${config.zones.join(", ")} (region ${config.region}); a policy's outcome totals them`)],
    [
      "catalog",
      text(
        `${config.catalog.description}; work unit ${unitLabel(config.catalog.workUnit)}${config.catalog.skippedTypes ? `; ${skippedTypesNote(config.catalog.skippedTypes)} (--skip-unknown-types)` : ""}`,
      ),
    ],
    ...(config.warnings ? [["warnings", text(config.warnings.join("; "))] as [string, string]] : []),
    ["varied settings", text(vary)],
    ["base settings", text(settings(config.base))],
    ["policies", text(config.policies.map(({ name, params }) => `${name} ${compact(params)}`).join("; "))],
    ["windows", text(windowsText(document))],
    ["seed", text(String(config.seed))],
    ["items", text(coverage(document))],
    ["config hash", `<span class="mono">${text(document.configHash)}</span>`],
    ["tool", text(`${document.tool.name} ${document.tool.version}`)],
  ]);
}

async function pointSection(document: SweepDocument, point: PointSummary): Promise<string> {
  const figures: string[] = [];
  for (const chart of pointCharts(document, point)) figures.push(await chartFigure(chart));
  return `<section class="point" data-point="${point.point}">
<h3>Grid point ${point.point}: ${escapeHtml(pointLabel(point.varied))}</h3>
<p class="headline">${escapeHtml(headline(point))}</p>
<p class="note">${point.windows} window(s) of ${document.config.windows.length}.</p>
${pairedTable(point)}
${sweepPointTable(point, document.config.catalog.workUnit)}
${figures.join("\n")}
</section>`;
}

/** The page's opening: the headline of each grid point, built from its paired numbers. */
function leadText(document: SweepDocument): string {
  const single = document.points.length === 1;
  return document.points
    .map(
      (point) =>
        `<p class="headline" data-point="${point.point}">${escapeHtml(single ? headline(point) : `${pointLabel(point.varied)}: ${headline(point)}`)}</p>`,
    )
    .join("\n");
}

/**
 * One self-contained HTML page for a sweep results document: identity header, per grid point a table
 * of each policy's statistics over the windows and the distribution of % of on-demand, and the mean
 * along each varied axis with its 95% CI. No script runs; the document is embedded as JSON (`#hotspot-sweep`).
 */
export async function renderSweepReport(document: SweepDocument, options: ReportOptions): Promise<string> {
  const axes: string[] = [];
  for (const chart of axisCharts(document)) axes.push(await chartFigure(chart));
  const points: string[] = [];
  for (const point of document.points) points.push(await pointSection(document, point));
  const name = document.config.trace.path.split(/[\\/]/).pop() ?? document.config.trace.path;
  return reportPage({
    title: `hotspot sweep report: ${escapeHtml(name)}`,
    heading: "hotspot: sweep over windows and settings",
    commandLine: options.commandLine,
    lead: leadText(document),
    note: `Statistics are over the windows of each grid point: sd is the sample standard deviation,
p5/p50/p95 are percentiles, and every 95% CI is a seeded percentile bootstrap of the mean (${BOOTSTRAP_RESAMPLES}
resamples; none below 2 windows), so it stays within the values seen and never goes below zero for a
non-negative metric. Policies are compared window by window with the baseline: every policy runs on the
same windows, so the paired saving is sharper than two separate intervals. "missing" counts windows
without a value (e.g. no on-demand baseline fits).`,
    body: `<section class="document">
<h2>Sweep of ${escapeHtml(document.config.trace.path)}</h2>
${identity(document)}
${axes.length === 0 ? "" : `<section class="axes"><h3>Across the varied settings</h3>\n${axes.join("\n")}\n</section>`}
${points.join("\n")}
</section>`,
    jsonId: "hotspot-sweep",
    json: document,
  });
}

/** Renders the sweep report and writes it atomically; returns its size in bytes. */
export async function writeSweepReport(
  document: SweepDocument,
  path: string,
  options: ReportOptions,
): Promise<number> {
  return writeHtml(path, await renderSweepReport(document, options));
}
