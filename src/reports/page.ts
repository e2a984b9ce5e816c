import { writeFileAtomic } from "../util/atomic-write.js";
import type { ChartSpec } from "./charts.js";
import { escapeHtml, jsonForScript } from "./escape.js";
import { renderSvg } from "./render-svg.js";
import { reportStyle } from "./style.js";

/** What every report page shows besides its documents. */
export interface ReportOptions {
  /** The command line that reproduces the report, shown verbatim. */
  readonly commandLine: string;
  /** The policy whose path the price charts draw (default: see `pathPolicies`). */
  readonly pathPolicy?: string;
}

/** The trace identity both kinds of results documents record. */
export interface TraceIdentityFields {
  readonly path: string;
  readonly sha256: string;
  readonly format: string;
  readonly bytes: number;
  readonly rowsKept: number;
  readonly series: number;
}

/** A `<dl>` of header rows; terms are escaped here, definitions are HTML the caller escaped. */
export function definitionList(items: readonly (readonly [string, string])[]): string {
  const rows = items.map(([term, text]) => `<dt>${escapeHtml(term)}</dt><dd>${text}</dd>`);
  return `<dl class="identity">${rows.join("\n")}</dl>`;
}

/** The header rows naming a trace: file, content hash, and what was kept of it. */
export function traceIdentityRows(trace: TraceIdentityFields): [string, string][] {
  return [
    ["trace file", `<span class="mono">${escapeHtml(trace.path)}</span>`],
    ["trace sha256", `<span class="mono">${escapeHtml(trace.sha256)}</span>`],
    [
      "trace content",
      escapeHtml(
        `${trace.format}, ${trace.bytes} bytes, ${trace.rowsKept} rows kept, ${trace.series} series`,
      ),
    ],
  ];
}

/** A length of time in hours, or in days from two days on. */
export function duration(seconds: number): string {
  const hours = seconds / 3600;
  return hours >= 48 ? `${(hours / 24).toFixed(1)} days` : `${hours.toFixed(1)} hours`;
}

/** A chart rendered to SVG inside its captioned figure. */
export async function chartFigure(chart: ChartSpec): Promise<string> {
  const svg = await renderSvg(chart.spec, chart.id);
  return `<figure class="chart" id="${escapeHtml(chart.id)}" data-chart="${escapeHtml(chart.id)}"><figcaption>${escapeHtml(chart.title)}</figcaption>${svg}</figure>`;
}

/**
 * The self-contained page: strict CSP (no script runs, nothing loads), the reproducing command, the
 * body, and the documents embedded as JSON under `jsonId`. `title`, `heading` and `note` are HTML.
 */
export function reportPage(page: {
  readonly title: string;
  readonly heading: string;
  readonly commandLine: string;
  readonly note: string;
  /** HTML right under the heading: the answer the reader came for. */
  readonly lead?: string;
  readonly body: string;
  readonly jsonId: string;
  readonly json: unknown;
}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${page.title}</title>
<style>${reportStyle}</style>
</head>
<body>
<header>
<h1>${page.heading}</h1>
${page.lead ?? ""}
<p>Reproduce with:</p>
<pre class="command">${escapeHtml(page.commandLine)}</pre>
<p class="note">${page.note}</p>
</header>
${page.body}
<script type="application/json" id="${page.jsonId}">${jsonForScript(page.json)}</script>
</body>
</html>
`;
}

/** Writes a rendered page atomically; returns its size in bytes. */
export async function writeHtml(path: string, html: string): Promise<number> {
  await writeFileAtomic(path, [html]);
  return Buffer.byteLength(html);
}
