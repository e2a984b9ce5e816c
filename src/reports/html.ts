import { eraOf } from "../traces/eras.js";
import type { ResultsDocument, RunDocument } from "../results/document.js";
import { zoneCharts } from "./charts.js";
import { escapeHtml } from "./escape.js";
import { pathPolicies, priceChartFigure } from "./price-chart.js";
import {
  chartFigure,
  definitionList,
  duration,
  reportPage,
  traceIdentityRows,
  type ReportOptions,
} from "./page.js";
import { summaryTable, unitLabel } from "./summary-table.js";

/** Spot prices followed bids until this date; afterwards they were smoothed (capacity-based). */
function era(start: string): string {
  return eraOf(Date.parse(start) / 1000) === "volatile"
    ? "volatile (bid-driven spot prices, before 2017-11-28)"
    : "smoothed (capacity-driven spot prices, from 2017-11-28)";
}

function span(start: string, end: string): string {
  return `${start} .. ${end} (${duration((Date.parse(end) - Date.parse(start)) / 1000)})`;
}

/** A configuration value in words: objects as "key value" pairs, lists joined, never raw JSON. */
function setting(value: unknown): string {
  if (value === undefined) return "not recorded";
  if (value === null) return "none";
  if (Array.isArray(value)) return value.length === 0 ? "none" : value.map(setting).join("; ");
  if (typeof value === "object") {
    return Object.entries(value as Record<string, unknown>)
      .map(
        ([key, item]) =>
          `${key} ${typeof item === "object" && item !== null ? `(${setting(item)})` : setting(item)}`,
      )
      .join(", ");
  }
  return String(value);
}

function workload(config: Readonly<Record<string, unknown>>, unit: string): string {
  return [
    `${setting(config.utilisation)} of ${setting(config.demandWork)} ${unit}`,
    config.memoryGiB === undefined ? "" : `memory ${setting(config.memoryGiB)} GiB`,
    config.targetWorkHours === null || config.targetWorkHours === undefined
      ? "open-ended"
      : `until ${setting(config.targetWorkHours)} ${unit}-hours of work are done`,
  ]
    .filter(Boolean)
    .join("; ");
}

function identity(document: ResultsDocument): string {
  const config = document.configuration;
  const zones = [...new Set(document.runs.map((run) => run.zone))];
  const unit = unitLabel(document.workUnit);
  const text = (value: unknown) => escapeHtml(setting(value));
  return definitionList([
    ...traceIdentityRows(document.trace),
    ["span", escapeHtml(span(document.trace.start, document.trace.end))],
    ["era", escapeHtml(era(document.trace.start))],
    ["zones", escapeHtml(zones.join(", "))],
    ["workload", escapeHtml(workload(config, unit))],
    ["billing", text(config.billing)],
    ["interruptions", text(config.interruptions)],
    ["migration steps", text(config.durations)],
    ["decision interval", `${text(config.intervalSeconds)} s`],
    ["catalog", text(config.catalog)],
    ["policies", text(config.policies)],
    ["seed", escapeHtml(String(document.seed))],
    ["tool", escapeHtml(`${document.tool.name} ${document.tool.version}`)],
  ]);
}

/** The price charts of a zone: one per policy drawn (see `pathPolicies`) that ran there. */
function priceFigures(
  document: ResultsDocument,
  key: string,
  zone: string,
  policies: readonly string[],
): string[] {
  const prices = document.prices?.find((entry) => entry.zone === zone);
  if (prices === undefined) return [];
  return policies.flatMap((policy, p) => {
    const run = document.runs.find((entry) => entry.zone === zone && entry.policy === policy);
    return run === undefined
      ? []
      : [priceChartFigure({ id: `${key}-prices-${p}`, prices, run, workUnit: document.workUnit })];
  });
}

async function zoneSection(
  document: ResultsDocument,
  key: string,
  zone: string,
  options: ReportOptions,
): Promise<string> {
  const runs: RunDocument[] = document.runs.filter((run) => run.zone === zone);
  const charts = zoneCharts(key, runs);
  const figures: string[] = [];
  for (const chart of charts) figures.push(await chartFigure(chart));
  // After the cost and placement charts: the picture that explains the hops they show.
  figures.splice(2, 0, ...priceFigures(document, key, zone, pathPolicies(document, options.pathPolicy)));
  const baselines = [...new Set(runs.map((run) => run.onDemandMarket ?? "none fits"))].join(", ");
  const unfinished = runs.filter((run) => !run.finished && document.configuration.targetWorkHours !== null);
  const notes = [
    `On-demand baseline: ${escapeHtml(baselines)}.`,
    unfinished.length === 0
      ? ""
      : `Did not finish the target work within the window: ${escapeHtml(unfinished.map((r) => r.policy).join(", "))}.`,
  ].filter(Boolean);
  return `<section class="zone" data-zone="${escapeHtml(zone)}">
<h3>Zone ${escapeHtml(zone)}</h3>
<p class="note">${notes.join(" ")}</p>
${summaryTable(runs, document.workUnit)}
${figures.join("\n")}
</section>`;
}

async function documentSection(
  document: ResultsDocument,
  index: number,
  options: ReportOptions,
): Promise<string> {
  const zones = [...new Set(document.runs.map((run) => run.zone))];
  const sections: string[] = [];
  for (const [z, zone] of zones.entries())
    sections.push(await zoneSection(document, `d${index}-z${z}`, zone, options));
  const left = document.excludedZones ?? [];
  const aggregated = document.aggregate[0]?.zones ?? [];
  const leftNote =
    left.length === 0
      ? ""
      : ` Left out as empty: ${left.map((entry) => `${escapeHtml(entry.zone)} (${escapeHtml(entry.reason)})`).join("; ")}.`;
  const aggregate =
    zones.length > 1
      ? `<section class="all-zones" data-zone="*"><h3>All zones together</h3>
<p class="note">Zones ${escapeHtml(aggregated.join(", "))}: costs, work and counts are sums; $ per unit-hour, % of on-demand and the gap to the optimum are means over these zones, each counting once, so no mix of zones can put a policy below the optimum.${leftNote}</p>
${summaryTable(document.aggregate, document.workUnit)}</section>`
      : "";
  return `<section class="document" data-document="${index}">
<h2>Trace ${escapeHtml(document.trace.path)}</h2>
${identity(document)}
${aggregate}
${sections.join("\n")}
</section>`;
}

/**
 * One self-contained HTML page comparing the policies of each results document: identity header,
 * summary tables (best values marked) and charts pre-rendered to SVG. It loads nothing: no scripts
 * run, and the documents are embedded as JSON (`#hotspot-results`) for readers and tests.
 */
export async function renderReport(
  documents: readonly ResultsDocument[],
  options: ReportOptions,
): Promise<string> {
  const sections: string[] = [];
  for (const [index, document] of documents.entries())
    sections.push(await documentSection(document, index, options));
  const names = [...new Set(documents.map((d) => d.trace.path.split(/[\\/]/).pop() ?? d.trace.path))];
  return reportPage({
    title: `hotspot report: ${escapeHtml(names.join(", "))}`,
    heading: "hotspot: policy comparison",
    commandLine: options.commandLine,
    note: `Lower is better in every marked column; ★ marks the best value. Cumulative cost accrues linearly
within each instance (the results give each instance's total); the timeline shows where the container ran,
from starting on a market to its next move or loss.`,
    body: sections.join("\n"),
    jsonId: "hotspot-results",
    json: documents,
  });
}
