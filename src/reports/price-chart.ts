import type { ResultsDocument, RunDocument } from "../results/document.js";
import { columnMinima, type ColumnSteps, type ZonePricesDocument } from "../results/prices.js";
import { escapeHtml } from "./escape.js";
import { hostingSpans, marketLabel, type HostingSpan } from "./series.js";
import { unitLabel } from "./summary-table.js";

/** One pixel column per slice of the plot: the document's summary is reduced to this many columns. */
export const plotWidth = 640;
export const plotHeight = 260;
const margin = { left: 70, right: 20, top: 12, bottom: 36 } as const;
const legendRow = 18;
/** Colours of the markets the container used; grey is kept for the markets it did not use. */
const palette = [
  "#1f77b4",
  "#d62728",
  "#2ca02c",
  "#9467bd",
  "#ff7f0e",
  "#17becf",
  "#8c564b",
  "#e377c2",
  "#bcbd22",
  "#393b79",
];
const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A number for an SVG attribute: a tenth of a pixel is finer than any screen shows. */
function px(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/**
 * The policies whose path the price charts draw: `chosen` when given; else every policy that can move
 * (all but on-demand) when there are at most three; else the non-optimal one with the lowest all-zones
 * $ per unit of work (the one a reader most wants explained).
 */
export function pathPolicies(document: ResultsDocument, chosen?: string): string[] {
  if (chosen !== undefined) return [chosen];
  const movers = [...new Set(document.runs.map((run) => run.policy))].filter((p) => p !== "on-demand");
  if (movers.length <= 3) return movers;
  const rows = document.aggregate.length > 0 ? document.aggregate : document.runs;
  let best: string | null = null;
  let bestRate = Infinity;
  for (const row of rows) {
    if (row.policy === "optimal" || !movers.includes(row.policy) || row.usdPerEcuHour === null) continue;
    if (row.usdPerEcuHour < bestRate) {
      best = row.policy;
      bestRate = row.usdPerEcuHour;
    }
  }
  return [best ?? movers.find((policy) => policy !== "optimal") ?? movers[0]];
}

/** A market of the chart: its label and its USD per work-unit-hour per pixel column. */
interface PlottedMarket {
  readonly label: string;
  readonly lifecycle: string;
  readonly steps: ColumnSteps;
}

function plotted(prices: ZonePricesDocument): PlottedMarket[] {
  return prices.markets.map((market) => ({
    label: marketLabel(market),
    lifecycle: market.lifecycle,
    steps: columnMinima(
      market.column,
      market.usdPerHour.map((usd) => (usd === null ? NaN : usd / market.workPerHour)),
      0,
      prices.columns,
      plotWidth,
    ),
  }));
}

/** The value in effect at pixel column `x` (NaN: none). */
function valueAt(steps: ColumnSteps, x: number): number {
  const column = Math.max(0, Math.min(plotWidth - 1, Math.floor(x)));
  let value = NaN;
  for (let i = 0; i < steps.column.length && steps.column[i] <= column; i++) value = steps.value[i];
  return value;
}

/** Largest value of the steps over [from, to) in pixels (NaN: none). */
function maxOver(steps: ColumnSteps, from: number, to: number): number {
  let max = NaN;
  for (let i = 0; i < steps.column.length; i++) {
    const next = i + 1 < steps.column.length ? steps.column[i + 1] : plotWidth;
    if (next <= Math.floor(from) || steps.column[i] >= to) continue;
    const value = steps.value[i];
    if (!Number.isNaN(value) && !(value <= max)) max = value;
  }
  return max;
}

/** An axis step of 1, 2, 2.5 or 5 times a power of ten, at least `rough`. */
function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((step) => step >= rough * (1 - 1e-9))!;
}

function decimalsOf(step: number): number {
  for (let digits = 0; digits < 12; digits++) {
    if (Math.abs(Number(step.toFixed(digits)) - step) < step * 1e-9) return digits;
  }
  return 12;
}

/** The y axis: 0 to `top`, ticks every `step`. */
function yAxis(max: number): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 0.2 };
  const step = niceStep(max / 5);
  return { top: Math.ceil(max / step - 1e-9) * step, step };
}

const tickIntervals = [
  300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 1209600, 2592000,
];

function utcLabel(ms: number, withTime: boolean): string {
  const date = new Date(ms);
  const day = `${months[date.getUTCMonth()]} ${String(date.getUTCDate()).padStart(2, "0")}`;
  if (!withTime) return day;
  const time = `${String(date.getUTCHours()).padStart(2, "0")}:${String(date.getUTCMinutes()).padStart(2, "0")}`;
  return `${day} ${time}`;
}

/** Time ticks at round UTC multiples, at most eight. */
function xTicks(startMs: number, endMs: number): { ms: number; label: string }[] {
  const spanSeconds = (endMs - startMs) / 1000;
  const interval = tickIntervals.find((seconds) => spanSeconds / seconds <= 8) ?? spanSeconds / 8;
  const ticks: { ms: number; label: string }[] = [];
  const every = interval * 1000;
  for (let ms = Math.ceil(startMs / every) * every; ms <= endMs; ms += every) {
    ticks.push({ ms, label: utcLabel(ms, interval < 86400) });
  }
  return ticks;
}

/** The SVG path of a step line over pixel columns [from, to]; breaks where there is no value. */
function stepPath(steps: ColumnSteps, y: (value: number) => number, from = 0, to = plotWidth): string {
  const parts: string[] = [];
  let penDown = false;
  for (let i = 0; i < steps.column.length; i++) {
    const x0 = Math.max(steps.column[i], from);
    const x1 = Math.min(i + 1 < steps.column.length ? steps.column[i + 1] : plotWidth, to);
    if (x1 <= x0) continue;
    const value = steps.value[i];
    if (Number.isNaN(value)) {
      penDown = false;
      continue;
    }
    parts.push(penDown ? `V${px(y(value))}` : `M${px(x0)},${px(y(value))}`, `H${px(x1)}`);
    penDown = true;
  }
  return parts.join("");
}

interface Stay extends HostingSpan {
  readonly from: number;
  readonly to: number;
}

/**
 * One zone's markets' prices per unit of work as lines, with `run`'s path through them: every market
 * that fits as a thin grey line, those the container used in colour, the stretch it sat on each drawn
 * bold, hops (▲, joined to the market it left) and revocations (✕) marked, and a legend naming the
 * markets used. Hand-written SVG: bounded (one step per pixel column at most, keeping each column's
 * lowest price), no script, every input string escaped.
 */
export function priceChartSvg(input: {
  readonly id: string;
  readonly prices: ZonePricesDocument;
  readonly run: RunDocument;
  readonly workUnit: string;
}): string {
  const { prices, run } = input;
  const startMs = Date.parse(prices.start);
  const endMs = Date.parse(prices.end);
  const x = (ms: number) =>
    Math.max(0, Math.min(plotWidth, ((ms - startMs) / (endMs - startMs)) * plotWidth));
  const markets = plotted(prices);
  const byLabel = new Map(markets.map((market) => [market.label, market]));
  const stays: Stay[] = hostingSpans(run)
    .filter((span) => byLabel.has(span.market))
    .map((span) => ({ ...span, from: x(span.start), to: x(span.end) }));
  const used = [...new Set(stays.map((stay) => stay.market))];
  const colour = new Map(used.map((label, i) => [label, palette[i % palette.length]]));
  const baseline = run.onDemandMarket === null ? undefined : byLabel.get(`${run.onDemandMarket} on-demand`);
  const baselineValue = baseline === undefined ? NaN : valueAt(baseline.steps, 0);

  // The axis reaches twice the path's highest price (the on-demand baseline at most): the markets near
  // the path stay apart; dearer stretches leave the plot at its top.
  const known = (values: readonly number[]) => values.filter((value) => !Number.isNaN(value));
  const pathMax = Math.max(
    0,
    ...known(stays.map((stay) => maxOver(byLabel.get(stay.market)!.steps, stay.from, stay.to))),
  );
  let max = pathMax > 0 ? 2 * pathMax : baselineValue;
  if (pathMax > 0 && baselineValue > pathMax) max = Math.min(max, baselineValue);
  if (!(max > 0)) max = Math.max(0, ...markets.flatMap((market) => known(market.steps.value)));
  const axis = yAxis(max);
  const y = (value: number) => plotHeight - (value / axis.top) * plotHeight;
  const clip = `${input.id}-plot-area`;

  const drawn = markets.filter((market) => market.lifecycle === "spot" || colour.has(market.label));
  const greys = drawn.filter((market) => !colour.has(market.label));
  const layers: string[] = [];
  for (const market of greys) {
    const d = stepPath(market.steps, y);
    if (d !== "")
      layers.push(
        `<path class="market" data-market="${escapeHtml(market.label)}" stroke="#b8bec8" stroke-width="0.8" fill="none" d="${d}"/>`,
      );
  }
  for (const label of used) {
    const d = stepPath(byLabel.get(label)!.steps, y);
    layers.push(
      `<path class="market used" data-market="${escapeHtml(label)}" stroke="${colour.get(label)}" stroke-width="1" stroke-opacity="0.55" fill="none" d="${d}"/>`,
    );
  }
  if (baseline !== undefined && !Number.isNaN(baselineValue)) {
    layers.push(
      `<line class="baseline" data-market="${escapeHtml(baseline.label)}" x1="0" x2="${plotWidth}" y1="${px(y(baselineValue))}" y2="${px(y(baselineValue))}" stroke="#555" stroke-width="1" stroke-dasharray="5 4"/>`,
    );
  }
  for (const stay of stays) {
    // A stay shorter than a pixel still shows, a pixel long.
    const to = Math.min(plotWidth, Math.max(stay.to, stay.from + 1));
    const d = stepPath(byLabel.get(stay.market)!.steps, y, Math.min(stay.from, to - 1), to);
    layers.push(
      `<path class="stay" data-market="${escapeHtml(stay.market)}" data-start="${new Date(stay.start).toISOString()}" data-end="${new Date(stay.end).toISOString()}" stroke="${colour.get(stay.market)}" stroke-width="3" stroke-linecap="round" fill="none" d="${d}"/>`,
    );
  }
  let hops = 0;
  for (let i = 1; i < stays.length; i++) {
    const [before, after] = [stays[i - 1], stays[i]];
    if (before.end !== after.start) continue;
    hops++;
    const at = after.from;
    const yFrom = y(valueAt(byLabel.get(before.market)!.steps, at));
    const yTo = y(valueAt(byLabel.get(after.market)!.steps, at));
    layers.push(
      `<line class="hop-link" x1="${px(at)}" x2="${px(at)}" y1="${px(yFrom)}" y2="${px(yTo)}" stroke="#222" stroke-width="1" stroke-dasharray="2 2"/>`,
      `<path class="hop" data-time="${new Date(after.start).toISOString()}" data-from="${escapeHtml(before.market)}" data-to="${escapeHtml(after.market)}" fill="white" stroke="#222" stroke-width="1.2" d="M${px(at)},${px(yTo - 6)}l5,9h-10z"/>`,
    );
  }
  const revocations = run.timeline.filter((entry) => entry.kind === "revoked");
  for (const entry of revocations) {
    const label = marketLabel(entry);
    const market = byLabel.get(label);
    if (market === undefined) continue;
    const at = x(Date.parse(entry.time));
    const value = valueAt(market.steps, at);
    const cy = Number.isNaN(value) ? 0 : y(value);
    layers.push(
      `<path class="revoked" data-time="${escapeHtml(entry.time)}" data-market="${escapeHtml(label)}" stroke="#000" stroke-width="2" d="M${px(at - 4)},${px(cy - 4)}l8,8m0,-8l-8,8"/>`,
    );
  }

  const unit = unitLabel(input.workUnit);
  const axes: string[] = [];
  const decimals = decimalsOf(axis.step);
  for (let tick = 0; tick <= axis.top * (1 + 1e-9); tick += axis.step) {
    const ty = px(y(tick));
    axes.push(
      `<line x1="-4" x2="${plotWidth}" y1="${ty}" y2="${ty}" stroke="#e4e7ec"/>`,
      `<text x="-7" y="${ty}" dy="0.32em" text-anchor="end">${tick.toFixed(decimals)}</text>`,
    );
  }
  for (const tick of xTicks(startMs, endMs)) {
    const tx = px(x(tick.ms));
    axes.push(
      `<line x1="${tx}" x2="${tx}" y1="${plotHeight}" y2="${plotHeight + 4}" stroke="#888"/>`,
      `<text x="${tx}" y="${plotHeight + 16}" text-anchor="middle">${escapeHtml(tick.label)}</text>`,
    );
  }
  axes.push(
    `<line x1="0" x2="${plotWidth}" y1="${plotHeight}" y2="${plotHeight}" stroke="#888"/>`,
    `<line x1="0" x2="0" y1="0" y2="${plotHeight}" stroke="#888"/>`,
    `<text x="${plotWidth / 2}" y="${plotHeight + 31}" text-anchor="middle" font-weight="600">time (UTC)</text>`,
    `<text transform="translate(-56,${plotHeight / 2}) rotate(-90)" text-anchor="middle" font-weight="600">USD per ${escapeHtml(unit)}-hour</text>`,
  );

  const legend: string[] = [];
  const row = (swatch: string, text: string) => {
    const ly = legend.length * legendRow;
    legend.push(`<g transform="translate(0,${ly})">${swatch}<text x="30" y="4">${text}</text></g>`);
  };
  const hoursOn = (label: string) =>
    stays
      .filter((stay) => stay.market === label)
      .reduce((sum, stay) => sum + (stay.end - stay.start) / 3.6e6, 0);
  for (const label of used) {
    const count = stays.filter((stay) => stay.market === label).length;
    row(
      `<line x1="0" x2="22" y1="0" y2="0" stroke="${colour.get(label)}" stroke-width="3"/>`,
      escapeHtml(`${label}: ${hoursOn(label).toFixed(1)} h in ${count} stay(s)`),
    );
  }
  const spotCount = drawn.filter((market) => market.lifecycle === "spot").length;
  row(
    `<line x1="0" x2="22" y1="0" y2="0" stroke="#b8bec8" stroke-width="1"/>`,
    escapeHtml(`${greys.length} other market(s) of the ${spotCount} spot market(s) that fit, not used`),
  );
  if (baseline !== undefined && !Number.isNaN(baselineValue)) {
    row(
      `<line x1="0" x2="22" y1="0" y2="0" stroke="#555" stroke-dasharray="5 4"/>`,
      escapeHtml(
        `on-demand baseline ${baseline.label}: $${baselineValue.toPrecision(3)} per ${unit}-hour${baselineValue > axis.top ? " (above the plot)" : ""}`,
      ),
    );
  }
  row(
    `<path d="M11,-6l5,9h-10z" fill="white" stroke="#222"/>`,
    escapeHtml(`hop (${hops}); ✕ revoked (${revocations.length})`),
  );

  const width = margin.left + plotWidth + margin.right;
  const legendTop = margin.top + plotHeight + margin.bottom + 10;
  const height = legendTop + legend.length * legendRow;
  const title = `${run.policy} on ${run.zone}: ${drawn.length} market prices per ${unit}-hour and the container's path`;
  return `<svg xmlns="http://www.w3.org/2000/svg" class="price-path" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}" font-family="sans-serif" font-size="10" fill="#1d2330">
<g class="plot" transform="translate(${margin.left},${margin.top})">
<g class="axes">${axes.join("")}</g>
<clipPath id="${escapeHtml(clip)}"><rect x="0" y="-6" width="${plotWidth}" height="${plotHeight + 6}"/></clipPath>
<g class="lines" clip-path="url(#${escapeHtml(clip)})">
${layers.join("\n")}
</g>
</g>
<g class="legend" transform="translate(${margin.left},${legendTop})">${legend.join("")}</g>
</svg>`;
}

/** The captioned figure of a price chart. */
export function priceChartFigure(input: {
  readonly id: string;
  readonly prices: ZonePricesDocument;
  readonly run: RunDocument;
  readonly workUnit: string;
}): string {
  const unit = unitLabel(input.workUnit);
  const caption = `Prices per ${unit}-hour delivered and ${input.run.policy}'s path: each market's lowest price per pixel column; bold where the container ran, ▲ hops, ✕ revocations`;
  return `<figure class="chart price-path" id="${escapeHtml(input.id)}" data-chart="${escapeHtml(input.id)}" data-policy="${escapeHtml(input.run.policy)}"><figcaption>${escapeHtml(caption)}</figcaption>${priceChartSvg(input)}</figure>`;
}
