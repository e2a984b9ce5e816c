import type { TopLevelSpec } from "vega-lite";
import type { PointSummary, SweepDocument } from "../sweep/document.js";
import type { SettingValue, VaryAxis } from "../sweep/settings.js";
import { pointLabel } from "../sweep/table.js";
import type { ChartSpec } from "./charts.js";

const width = 640;
/** Policy names and series labels are long; vega's default legend cuts them at 160 px. */
const config = { legend: { labelLimit: 320, titleLimit: 320 } } as const;

export { pointLabel };

interface WindowValue {
  readonly policy: string;
  readonly window: number;
  readonly start: string;
  readonly value: number;
}

interface MeanInterval {
  readonly policy: string;
  readonly mean: number;
  readonly low: number | null;
  readonly high: number | null;
}

/** Per window, each policy's saving over the baseline in % of the baseline's $ per unit of work. */
function windowSavings(document: SweepDocument, point: PointSummary): WindowValue[] {
  const baseline = document.config.baseline;
  return document.items
    .filter((item) => item.point === point.point)
    .flatMap((item) => {
      const base = item.outcomes.find((outcome) => outcome.policy === baseline)?.usdPerEcuHour ?? null;
      if (base === null || !(base > 0)) return [];
      return item.outcomes
        .filter((outcome) => outcome.policy !== baseline && outcome.usdPerEcuHour !== null)
        .map((outcome) => ({
          policy: outcome.policy,
          window: item.window,
          start: item.start,
          value: (1 - outcome.usdPerEcuHour! / base) * 100,
        }));
    });
}

/** Per window, each policy's gap to the optimum in %. */
function windowGaps(document: SweepDocument, point: PointSummary): WindowValue[] {
  return document.items
    .filter((item) => item.point === point.point)
    .flatMap((item) =>
      item.outcomes
        .filter((outcome) => outcome.policy !== "optimal" && outcome.gapToOptimal !== null)
        .map((outcome) => ({
          policy: outcome.policy,
          window: item.window,
          start: item.start,
          value: outcome.gapToOptimal! * 100,
        })),
    );
}

/** One grid point: every window's value per policy (points), the mean (◆) and its 95% CI (bar). */
function distributionChart(
  windows: readonly WindowValue[],
  summaries: readonly MeanInterval[],
  policies: readonly string[],
  title: string,
): TopLevelSpec {
  const y = { field: "policy", type: "nominal", sort: policies, title: null } as const;
  const x = { type: "quantitative", title, scale: { zero: true } } as const;
  return {
    width,
    height: { step: 30 },
    layer: [
      {
        data: { values: windows },
        mark: { type: "point", opacity: 0.55, size: 40 },
        encoding: {
          x: { ...x, field: "value" },
          y,
          color: { field: "policy", type: "nominal", sort: policies, legend: null },
          tooltip: [
            { field: "start", title: "window start" },
            { field: "value", format: ".1f" },
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

const percentOf = (value: number | null) => (value === null ? null : value * 100);

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
    return point.comparisons.flatMap((comparison) => {
      if (comparison.meanSaving === null) return [];
      const mean = comparison.meanSaving * 100;
      return [
        {
          series: `${comparison.policy}${context}`,
          value: point.varied[axis.key],
          mean,
          low: percentOf(comparison.ci95?.[0] ?? null) ?? mean,
          high: percentOf(comparison.ci95?.[1] ?? null) ?? mean,
        },
      ];
    });
  });
  const x = numeric
    ? ({ field: "value", type: "quantitative", title: axis.key, scale: axisScale(axis.values) } as const)
    : ({ field: "value", type: "ordinal", title: axis.key, sort: axis.values } as const);
  const color = { field: "series", type: "nominal", title: "policy" } as const;
  const y = {
    type: "quantitative",
    title: `mean saving over ${document.config.baseline} per unit of work, %`,
    scale: { zero: true },
  } as const;
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

/**
 * A grid point's charts, both relative: each window's saving over the baseline, and each window's gap
 * to the optimum (when it ran); absolute costs would be dominated by the dearest policy.
 */
export function pointCharts(document: SweepDocument, point: PointSummary): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const baseline = document.config.baseline;
  const savings = windowSavings(document, point);
  if (baseline !== null && savings.length > 0) {
    const policies = point.comparisons.map((comparison) => comparison.policy);
    const summaries = point.comparisons.flatMap((comparison) =>
      comparison.meanSaving === null
        ? []
        : [
            {
              policy: comparison.policy,
              mean: comparison.meanSaving * 100,
              low: percentOf(comparison.ci95?.[0] ?? null),
              high: percentOf(comparison.ci95?.[1] ?? null),
            },
          ],
    );
    charts.push({
      id: `p${point.point}-saving`,
      title: `Saving over ${baseline} per window, % of its $ per unit of work (${pointLabel(point.varied)}): points are windows, ◆ the mean, bar its 95% bootstrap CI; right of 0 is cheaper`,
      spec: {
        ...distributionChart(savings, summaries, policies, `saving over ${baseline}, %`),
        config,
      } as TopLevelSpec,
    });
  }
  const gaps = windowGaps(document, point);
  if (gaps.length > 0) {
    const summaries = point.policies.flatMap(({ policy, metrics }) => {
      const stats = metrics.gapToOptimal;
      if (policy === "optimal" || stats.mean === null) return [];
      return [
        {
          policy,
          mean: stats.mean * 100,
          low: percentOf(stats.ci95?.[0] ?? null),
          high: percentOf(stats.ci95?.[1] ?? null),
        },
      ];
    });
    charts.push({
      id: `p${point.point}-gap`,
      title: `% above the optimum per window in $ per unit of work (${pointLabel(point.varied)}): points are windows, ◆ the mean, bar its 95% bootstrap CI; 0 is the optimum`,
      spec: {
        ...distributionChart(
          gaps,
          summaries,
          summaries.map((row) => row.policy),
          "% above the optimum",
        ),
        config,
      } as TopLevelSpec,
    });
  }
  return charts;
}

/** One chart per varied axis with two or more values: the mean paired saving along it, 95% CI band. */
export function axisCharts(document: SweepDocument): ChartSpec[] {
  if (!document.points.some((point) => point.comparisons.some((c) => c.meanSaving !== null))) return [];
  return document.config.vary
    .map((axis, index) => ({ axis, index }))
    .filter(({ axis }) => axis.values.length >= 2)
    .map(({ axis, index }) => ({
      id: `axis${index}-saving`,
      title: `Mean saving over ${document.config.baseline} per unit of work across ${axis.key}, shaded: 95% bootstrap CI`,
      spec: { ...axisChart(document, axis), config } as TopLevelSpec,
    }));
}
