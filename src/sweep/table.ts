import type { SweepDocument } from "./document.js";
import type { MetricStats } from "./stats.js";

const fixed = (value: number | null, digits: number) => (value === null ? "-" : value.toFixed(digits));

function interval(stats: MetricStats, digits: number): string {
  return stats.ci95 === null ? "-" : `[${fixed(stats.ci95[0], digits)}, ${fixed(stats.ci95[1], digits)}]`;
}

/** A plain-text table: per grid point and policy, the mean cost with its 95% CI and the other means. */
export function formatSweepTable(document: SweepDocument): string {
  const header = [
    "point",
    "policy",
    "n",
    "cost $/window",
    "95% CI",
    "sd",
    "% on-demand",
    "$/unit-h",
    "migr/zone-day",
    "down s/zone-day",
  ];
  const rows = document.points.flatMap((point) =>
    point.policies.map(({ policy, metrics }) => [
      Object.entries(point.varied)
        .map(([key, value]) => `${key}=${value}`)
        .join(" ") || "base",
      policy,
      String(metrics.costUsd.n),
      fixed(metrics.costUsd.mean, 2),
      interval(metrics.costUsd, 2),
      fixed(metrics.costUsd.sd, 2),
      fixed(metrics.percentOfOnDemand.mean, 1),
      fixed(metrics.usdPerEcuHour.mean, 5),
      fixed(metrics.migrationsPerZoneDay.mean, 2),
      fixed(metrics.downtimeSecondsPerZoneDay.mean, 0),
    ]),
  );
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column < 2 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
      .join("  ");
  return `${[line(header), ...rows.map(line)].join("\n")}\n`;
}
