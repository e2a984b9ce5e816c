import { eraOf } from "../traces/eras.js";
import type { ResultsDocument, RunDocument } from "../results/document.js";
import { zoneCharts, type ChartSpec } from "./charts.js";
import { escapeHtml, jsonForScript } from "./escape.js";
import { renderSvg } from "./render-svg.js";
import { reportStyle } from "./style.js";
import { summaryTable, unitLabel } from "./summary-table.js";

export interface ReportOptions {
  /** The command line that reproduces the report, shown verbatim. */
  readonly commandLine: string;
}

/** Spot prices followed bids until this date; afterwards they were smoothed (capacity-based). */
function era(start: string): string {
  return eraOf(Date.parse(start) / 1000) === "volatile"
    ? "volatile (bid-driven spot prices, before 2017-11-28)"
    : "smoothed (capacity-driven spot prices, from 2017-11-28)";
}

function span(start: string, end: string): string {
  const hours = (Date.parse(end) - Date.parse(start)) / 3_600_000;
  const length = hours >= 48 ? `${(hours / 24).toFixed(1)} days` : `${hours.toFixed(1)} hours`;
  return `${start} .. ${end} (${length})`;
}

/** A configuration value in words: strings as they are, anything else as compact JSON. */
function setting(value: unknown): string {
  if (value === undefined) return "not recorded";
  return typeof value === "string" ? value : JSON.stringify(value);
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

function definitionList(items: readonly (readonly [string, string])[]): string {
  const rows = items.map(([term, text]) => `<dt>${escapeHtml(term)}</dt><dd>${text}</dd>`);
  return `<dl class="identity">${rows.join("\n")}</dl>`;
}

function identity(document: ResultsDocument): string {
  const config = document.configuration;
  const zones = [...new Set(document.runs.map((run) => run.zone))];
  const unit = unitLabel(document.workUnit);
  const text = (value: unknown) => escapeHtml(setting(value));
  return definitionList([
    ["trace file", `<span class="mono">${escapeHtml(document.trace.path)}</span>`],
    ["trace sha256", `<span class="mono">${escapeHtml(document.trace.sha256)}</span>`],
    [
      "trace content",
      escapeHtml(
        `${document.trace.format}, ${document.trace.bytes} bytes, ${document.trace.rowsKept} rows kept, ${document.trace.series} series`,
      ),
    ],
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

function chartFigure(chart: ChartSpec, svg: string): string {
  return `<figure class="chart" id="${escapeHtml(chart.id)}" data-chart="${escapeHtml(chart.id)}"><figcaption>${escapeHtml(chart.title)}</figcaption>${svg}</figure>`;
}

async function zoneSection(document: ResultsDocument, key: string, zone: string): Promise<string> {
  const runs: RunDocument[] = document.runs.filter((run) => run.zone === zone);
  const charts = zoneCharts(key, runs);
  const figures: string[] = [];
  for (const chart of charts) figures.push(chartFigure(chart, await renderSvg(chart.spec, chart.id)));
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

async function documentSection(document: ResultsDocument, index: number): Promise<string> {
  const zones = [...new Set(document.runs.map((run) => run.zone))];
  const sections: string[] = [];
  for (const [z, zone] of zones.entries())
    sections.push(await zoneSection(document, `d${index}-z${z}`, zone));
  const aggregate =
    zones.length > 1
      ? `<section class="all-zones" data-zone="*"><h3>All zones together</h3>${summaryTable(document.aggregate, document.workUnit)}</section>`
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
  for (const [index, document] of documents.entries()) sections.push(await documentSection(document, index));
  const names = [...new Set(documents.map((d) => d.trace.path.split(/[\\/]/).pop() ?? d.trace.path))];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>hotspot report: ${escapeHtml(names.join(", "))}</title>
<style>${reportStyle}</style>
</head>
<body>
<header>
<h1>hotspot: policy comparison</h1>
<p>Reproduce with:</p>
<pre class="command">${escapeHtml(options.commandLine)}</pre>
<p class="note">Lower is better in every marked column; ★ marks the best value. Cumulative cost accrues linearly
within each instance (the results give each instance's total); the timeline shows where the container ran,
from starting on a market to its next move or loss.</p>
</header>
${sections.join("\n")}
<script type="application/json" id="hotspot-results">${jsonForScript(documents)}</script>
</body>
</html>
`;
}
