import { skippedTypesNote } from "../catalog/work-unit.js";
import type { PointSummary, SweepDocument } from "./document.js";
import type { MetricStats, PairedComparison } from "./stats.js";

const fixed = (value: number | null, digits: number) => (value === null ? "-" : value.toFixed(digits));
const percent = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;

function interval(stats: MetricStats, digits: number): string {
  return stats.ci95 === null ? "-" : `[${fixed(stats.ci95[0], digits)}, ${fixed(stats.ci95[1], digits)}]`;
}

/** A grid point in words: its varied settings, or "base settings" when nothing varies. */
export function pointLabel(varied: PointSummary["varied"]): string {
  const parts = Object.entries(varied).map(([key, value]) => `${key}=${value}`);
  return parts.length === 0 ? "base settings" : parts.join(" ");
}

/** The comparison a headline features: the largest mean saving, the optimum aside (it is the yardstick). */
export function featuredComparison(point: PointSummary): PairedComparison | null {
  const candidates = point.comparisons.filter(
    (comparison) => comparison.policy !== "optimal" && comparison.meanSaving !== null,
  );
  if (candidates.length === 0) return null;
  return candidates.reduce((best, next) => (next.meanSaving! > best.meanSaving! ? next : best));
}

/** A comparison's saving in words: "saved 23.4% [18.1%, 28.0%]" (or "cost 3.0% more"). */
export function savingText(comparison: PairedComparison): string {
  const mean = comparison.meanSaving!;
  const ci =
    comparison.ci95 === null ? "" : ` [${percent(comparison.ci95[0])}, ${percent(comparison.ci95[1])}]`;
  return mean >= 0 ? `saved ${percent(mean)}${ci}` : `cost ${percent(-mean)} more (saving${ci})`;
}

/**
 * One sentence built from the point's paired numbers: the featured policy's mean saving per unit of
 * work over the baseline with its 95% bootstrap CI, its wins/ties/losses, and its gap to the optimum.
 */
export function headline(point: PointSummary): string {
  const featured = featuredComparison(point);
  if (featured === null) {
    return point.comparisons.length === 0
      ? "No paired comparison: the sweep has no baseline policy (--baseline)."
      : "No paired comparison: no window had a value for both a policy and the baseline.";
  }
  const { policy, baseline, n, wins, ties, losses } = featured;
  const gap = point.policies.find((summary) => summary.policy === policy)?.metrics.gapToOptimal;
  const gapText =
    gap === undefined || gap.mean === null
      ? ""
      : `; it stayed within ${percent(gap.mean)}${gap.ci95 === null ? "" : ` [${percent(gap.ci95[0])}, ${percent(gap.ci95[1])}]`} of the optimum`;
  return `${policy} ${savingText(featured)} per unit of work over ${baseline} (mean of ${n} paired window(s), 95% bootstrap CI), cheaper in ${wins} of ${n} windows (${ties} tied, ${losses} dearer)${gapText}.`;
}

function textTable(header: readonly string[], rows: readonly string[][], leftColumns: number): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column < leftColumns ? cell.padEnd(widths[column]) : cell.padStart(widths[column]),
      )
      .join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}

/**
 * Plain text: per grid point the headline, then each policy against the baseline (paired), then every
 * policy's means over the windows with the cost's 95% bootstrap CI.
 */
export function formatSweepTable(document: SweepDocument): string {
  const parts: string[] = [];
  for (const point of document.points) {
    parts.push(`${pointLabel(point.varied)}: ${headline(point)}`);
  }
  const paired = document.points.flatMap((point) =>
    point.comparisons.map((comparison) => [
      pointLabel(point.varied),
      comparison.policy,
      String(comparison.n),
      comparison.meanSaving === null ? "-" : percent(comparison.meanSaving),
      comparison.ci95 === null ? "-" : `[${percent(comparison.ci95[0])}, ${percent(comparison.ci95[1])}]`,
      `${comparison.wins}/${comparison.ties}/${comparison.losses}`,
    ]),
  );
  if (paired.length > 0) {
    parts.push(
      `\npaired against ${document.config.baseline} per window (saving in $ per unit of work; wins/ties/losses):`,
      textTable(["point", "policy", "n", "mean saving", "95% CI", "W/T/L"], paired, 2),
    );
  }
  const header = [
    "point",
    "policy",
    "n",
    "cost $/window",
    "95% CI",
    "sd",
    "% on-demand",
    "$/unit-h",
    "gap to opt",
    "migr/zone-day",
    "down s/zone-day",
  ];
  const rows = document.points.flatMap((point) =>
    point.policies.map(({ policy, metrics }) => [
      pointLabel(point.varied),
      policy,
      String(metrics.costUsd.n),
      fixed(metrics.costUsd.mean, 2),
      interval(metrics.costUsd, 2),
      fixed(metrics.costUsd.sd, 2),
      fixed(metrics.percentOfOnDemand.mean, 1),
      fixed(metrics.usdPerEcuHour.mean, 5),
      metrics.gapToOptimal.mean === null ? "-" : percent(metrics.gapToOptimal.mean),
      fixed(metrics.migrationsPerZoneDay.mean, 2),
      fixed(metrics.downtimeSecondsPerZoneDay.mean, 0),
    ]),
  );
  parts.push(
    `\nmeans over windows (cost totals the zones; % on-demand, $/unit-h and gap are means over zones):`,
    textTable(header, rows, 2),
  );
  const excluded = [...new Set(document.items.flatMap((item) => item.excludedZones))];
  if (excluded.length > 0) {
    parts.push(`\nleft out as empty (nothing fits the container) in some window: ${excluded.join(", ")}`);
  }
  for (const warning of document.config.warnings ?? []) parts.push(`warning: ${warning}`);
  const gaps = document.config.catalog.skippedTypes ?? [];
  if (gaps.length > 0) parts.push(`${skippedTypesNote(gaps)} (--skip-unknown-types)`);
  return `${parts.join("\n")}\n`;
}
