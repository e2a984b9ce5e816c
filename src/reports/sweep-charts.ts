import type { TopLevelSpec } from "vega-lite";
import type { PointSummary, SweepDocument } from "../sweep/document.js";
import type { SettingValue, VaryAxis } from "../sweep/settings.js";
import type { ChartSpec } from "./charts.js";

const width = 640;
/** Policy names and series labels are long; vega's default legend cuts them at 160 px. */
const config = { legend: { labelLimit: 320, titleLimit: 320 } } as const;
const percentTitle = "% of on-demand cost";

/** A grid point in words: its varied settings, or "base settings" when nothing varies. */
export function pointLabel(varied: Readonly<Record<string, SettingValue>>): string {
  const parts = Object.entries(varied).map(([key, value]) => `${key}=${value}`);
  return parts.length === 0 ? "base settings" : parts.join(" ");
}

/** One grid point: every window's % of on-demand per policy, the mean, and its 95% CI as an error bar. */
function distributionChart(document: SweepDocument, point: PointSummary): TopLevelSpec {
  const policies = point.policies.map((summary) => summary.policy);
  const windows = document.items
    .filter((item) => item.point === point.point)
    .flatMap((item) =>
      item.outcomes
        .filter((outcome) => outcome.percentOfOnDemand !== null)
        .map((outcome) => ({
          policy: outcome.policy,
          window: item.window,
          start: item.start,
          percent: outcome.percentOfOnDemand,
        })),
    );
  const summaries = point.policies.flatMap(({ policy, metrics }) => {
    const stats = metrics.percentOfOnDemand;
    if (stats.mean === null) return [];
    return [{ policy, mean: stats.mean, low: stats.ci95?.[0] ?? null, high: stats.ci95?.[1] ?? null }];
  });
  const y = { field: "policy", type: "nominal", sort: policies, title: null } as const;
  const x = { type: "quantitative", title: percentTitle, scale: { zero: false } } as const;
  return {
    width,
    height: { step: 30 },
    layer: [
      {
        data: { values: windows },
        mark: { type: "point", opacity: 0.55, size: 40 },
        encoding: {
          x: { ...x, field: "percent" },
          y,
          color: { field: "policy", type: "nominal", sort: policies, legend: null },
          tooltip: [
            { field: "start", title: "window start" },
            { field: "percent", format: ".1f" },
          ],
        },
      },
      {
        data: { values: summaries.filter((row) => row.low !== null) },
        mark: { type: "rule", strokeWidth: 2, color: "black" },
        encoding: { x: { ...x, field: "low" }, x2: { field: "high" }, y },
      },
      {
        data: { values: summaries },
        mark: { type: "point", shape: "diamond", filled: true, size: 110, color: "black" },
        encoding: { x: { ...x, field: "mean" }, y },
      },
    ],
  } as TopLevelSpec;
}

/** Log scale when the axis spans a factor of 16 or more (memory 1..64 GiB reads badly on a linear one). */
function axisScale(values: readonly SettingValue[]): { type: "log" | "linear" } {
  const numbers = values as readonly number[];
  const low = Math.min(...numbers);
  return low > 0 && Math.max(...numbers) / low >= 16 ? { type: "log" } : { type: "linear" };
}

/** Mean % of on-demand across one varied axis, one line per policy (and per value of the other axes), CI band. */
function axisChart(document: SweepDocument, axis: VaryAxis): TopLevelSpec {
  const numeric = axis.values.every((value) => typeof value === "number");
  const rows = document.points.flatMap((point) => {
    const others = Object.fromEntries(Object.entries(point.varied).filter(([key]) => key !== axis.key));
    const context = Object.keys(others).length === 0 ? "" : ` (${pointLabel(others)})`;
    return point.policies.flatMap(({ policy, metrics }) => {
      const stats = metrics.percentOfOnDemand;
      if (stats.mean === null) return [];
      return [
        {
          series: `${policy}${context}`,
          value: point.varied[axis.key],
          mean: stats.mean,
          low: stats.ci95?.[0] ?? stats.mean,
          high: stats.ci95?.[1] ?? stats.mean,
        },
      ];
    });
  });
  const x = numeric
    ? ({ field: "value", type: "quantitative", title: axis.key, scale: axisScale(axis.values) } as const)
    : ({ field: "value", type: "ordinal", title: axis.key, sort: axis.values } as const);
  const color = { field: "series", type: "nominal", title: "policy" } as const;
  const y = { type: "quantitative", title: `mean ${percentTitle}`, scale: { zero: false } } as const;
  return {
    width,
    height: 280,
    data: { values: rows },
    layer: [
      {
        mark: { type: "area", opacity: 0.18 },
        encoding: { x, y: { ...y, field: "low" }, y2: { field: "high" }, color },
      },
      {
        mark: { type: "line", point: { size: 40 } },
        encoding: {
          x,
          y: { ...y, field: "mean" },
          color,
          tooltip: [
            { field: "series", title: "policy" },
            { field: "value", title: axis.key },
            { field: "mean", format: ".1f" },
            { field: "low", title: "95% CI low", format: ".1f" },
            { field: "high", title: "95% CI high", format: ".1f" },
          ],
        },
      },
    ],
  } as TopLevelSpec;
}

/** Whether any policy at this point has a % of on-demand (none has when no on-demand type fits). */
function hasPercent(point: PointSummary): boolean {
  return point.policies.some(({ metrics }) => metrics.percentOfOnDemand.n > 0);
}

/** The distribution chart of one grid point, or none when it has no % of on-demand to draw. */
export function pointCharts(document: SweepDocument, point: PointSummary): ChartSpec[] {
  if (!hasPercent(point)) return [];
  return [
    {
      id: `p${point.point}-distribution`,
      title: `% of on-demand per window (${pointLabel(point.varied)}): points are windows, ◆ the mean, bar its 95% CI`,
      spec: { ...distributionChart(document, point), config } as TopLevelSpec,
    },
  ];
}

/** One chart per varied axis with two or more values: the mean % of on-demand along it, 95% CI band. */
export function axisCharts(document: SweepDocument): ChartSpec[] {
  if (!document.points.some(hasPercent)) return [];
  return document.config.vary
    .map((axis, index) => ({ axis, index }))
    .filter(({ axis }) => axis.values.length >= 2)
    .map(({ axis, index }) => ({
      id: `axis${index}-percent`,
      title: `Mean % of on-demand across ${axis.key}, shaded: 95% CI`,
      spec: { ...axisChart(document, axis), config } as TopLevelSpec,
    }));
}
