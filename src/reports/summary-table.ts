import type { RunMetrics } from "../results/document.js";
import { escapeHtml } from "./escape.js";

/** A row of a summary table: a policy's metrics on one zone or on all zones. */
export interface SummaryRow extends RunMetrics {
  readonly policy: string;
}

interface Column {
  readonly key: keyof RunMetrics;
  readonly heading: string;
  /** Shown value from the exact one; the exact value goes into data-value. */
  readonly format: (value: number) => string;
  /** Lowest is best and gets marked; columns without this are context only. */
  readonly markBest: boolean;
}

const fixed = (digits: number) => (value: number) => value.toFixed(digits);

const unitLabels: Readonly<Record<string, string>> = { ecu: "ECU", vcpu: "vCPU" };

/** How a work unit is written in headings: ECU, vCPU, or the unit's own name. */
export function unitLabel(workUnit: string): string {
  return unitLabels[workUnit] ?? workUnit;
}

function columns(workUnit: string): Column[] {
  const unit = unitLabel(workUnit);
  return [
    { key: "costUsd", heading: "cost $", format: fixed(2), markBest: true },
    { key: "percentOfOnDemand", heading: "% of on-demand", format: fixed(1), markBest: true },
    { key: "usdPerEcuHour", heading: `$/${unit}-hour`, format: fixed(5), markBest: true },
    { key: "workEcuHours", heading: `work ${unit}-hours`, format: fixed(1), markBest: false },
    { key: "migrations", heading: "migrations", format: fixed(0), markBest: true },
    { key: "revocations", heading: "revocations", format: fixed(0), markBest: true },
    { key: "downtimeSeconds", heading: "downtime total s", format: fixed(0), markBest: true },
    { key: "downtimeP95Seconds", heading: "downtime p95 s", format: fixed(1), markBest: true },
    { key: "lostWorkEcuHours", heading: `lost ${unit}-hours`, format: fixed(2), markBest: true },
    { key: "gapToOptimal", heading: "gap to optimal %", format: (v) => (v * 100).toFixed(1), markBest: true },
  ];
}

/** Lowest non-null value of a column; null when it has none or all rows tie (nothing stands out). */
function best(rows: readonly SummaryRow[], key: keyof RunMetrics): number | null {
  const values = rows.map((row) => row[key]).filter((value): value is number => value !== null);
  if (values.length === 0) return null;
  const lowest = Math.min(...values);
  return values.every((value) => value === lowest) ? null : lowest;
}

/**
 * The policies' metrics as an HTML table. Each cell carries the exact number in `data-value` and its
 * metric name in `data-key`; the lowest value of every cost, disruption and loss column is marked best unless all rows tie.
 */
export function summaryTable(rows: readonly SummaryRow[], workUnit: string): string {
  const cols = columns(workUnit);
  const bests = new Map(cols.map((col) => [col.key, col.markBest ? best(rows, col.key) : null]));
  const head = cols.map((col) => `<th scope="col">${escapeHtml(col.heading)}</th>`).join("");
  const body = rows
    .map((row) => {
      const cells = cols.map((col) => {
        const value = row[col.key];
        if (value === null) return `<td data-key="${col.key}" data-value="null">—</td>`;
        const isBest = bests.get(col.key) === value;
        const mark = isBest ? ` class="best" title="best in column"` : "";
        return `<td data-key="${col.key}" data-value="${value}"${mark}>${col.format(value)}${isBest ? '<span class="star" aria-label="best"> ★</span>' : ""}</td>`;
      });
      return `<tr data-policy="${escapeHtml(row.policy)}"><th scope="row">${escapeHtml(row.policy)}</th>${cells.join("")}</tr>`;
    })
    .join("\n");
  return `<table class="summary"><thead><tr><th scope="col">policy</th>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}
