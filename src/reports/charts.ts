import type { TopLevelSpec } from "vega-lite";
import type { RunDocument } from "../results/document.js";
import { costAboveReference, cumulativeCost, hostingSpans, runEvents } from "./series.js";

/** One chart of a report: a stable id (used for the container element) and its vega-lite spec. */
export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  readonly spec: TopLevelSpec;
}

const width = 640;
/** Market names and measures are long; vega's default legend cuts them at 160 px. */
const config = { legend: { labelLimit: 320, titleLimit: 320 } } as const;
const utcAxis = { format: "%b %d %H:%M", labelAngle: 0, title: "time (UTC)" } as const;

function policyOrder(runs: readonly RunDocument[]): string[] {
  return runs.map((run) => run.policy);
}

/** The run the cost chart is drawn against: the optimum when it ran, else spot-stay, else none. */
export function costReference(runs: readonly RunDocument[]): RunDocument | null {
  return (
    runs.find((run) => run.policy === "optimal") ?? runs.find((run) => run.policy === "spot-stay") ?? null
  );
}

/**
 * Cumulative cost relative to the reference run, on-demand left out (it would flatten the spot
 * policies to a line near zero; its total is stated in the caption). Absolute without a reference.
 */
function cumulativeCostChart(runs: readonly RunDocument[]): TopLevelSpec {
  const reference = costReference(runs);
  const shown = runs.filter((run) => run.policy !== "on-demand" || runs.length === 1);
  const values =
    reference === null
      ? shown.flatMap(cumulativeCost)
      : shown.flatMap((run) => costAboveReference(run, reference));
  return {
    width,
    height: 260,
    data: { values },
    mark: { type: "line", point: { size: 18 } },
    encoding: {
      x: { field: "time", type: "temporal", scale: { type: "utc" }, axis: utcAxis },
      y: {
        field: "usd",
        type: "quantitative",
        title:
          reference === null ? "cumulative cost (USD)" : `cumulative cost above ${reference.policy} (USD)`,
      },
      color: { field: "policy", type: "nominal", sort: policyOrder(shown) },
    },
  };
}

function costTitle(runs: readonly RunDocument[]): string {
  const reference = costReference(runs);
  const onDemand = runs.find((run) => run.policy === "on-demand");
  const base =
    reference === null
      ? "Cumulative cost"
      : `Cumulative cost above ${reference.policy} (0 = as cheap as ${reference.policy} so far)`;
  return onDemand === undefined || runs.length === 1
    ? base
    : `${base}; on-demand, not drawn: $${onDemand.costUsd.toFixed(2)} in total`;
}

const eventShapes = {
  hop: "triangle-up",
  restart: "diamond",
  revoked: "cross",
  notice: "circle",
  "acquire-failed": "square",
  "hop-aborted": "triangle-down",
} as const;

function timelineChart(runs: readonly RunDocument[]): TopLevelSpec {
  const order = policyOrder(runs);
  const events = runs.flatMap(runEvents);
  const y = { field: "policy", type: "nominal", sort: order, title: null } as const;
  return {
    width,
    height: { step: 34 },
    layer: [
      {
        data: { values: runs.flatMap(hostingSpans) },
        mark: { type: "bar", height: 18 },
        encoding: {
          x: { field: "start", type: "temporal", scale: { type: "utc" }, axis: utcAxis },
          x2: { field: "end" },
          y,
          color: { field: "market", type: "nominal", title: "market hosting the container" },
        },
      },
      ...(events.length === 0
        ? []
        : [
            {
              data: { values: events },
              mark: { type: "point", filled: true, size: 90, stroke: "black", strokeWidth: 0.8 },
              encoding: {
                x: { field: "time", type: "temporal" },
                y,
                shape: {
                  field: "kind",
                  type: "nominal",
                  title: "event",
                  scale: { domain: Object.keys(eventShapes), range: Object.values(eventShapes) },
                },
                fill: { value: "white" },
              },
            },
          ]),
    ],
  } as TopLevelSpec;
}

const costMeasures = ["policy's cost", "on-demand cost of the same work"];

function costBarsChart(runs: readonly RunDocument[]): TopLevelSpec {
  const values = runs.flatMap((run) => [
    { policy: run.policy, measure: costMeasures[0], usd: run.costUsd },
    ...(run.onDemandCostUsd === null
      ? []
      : [{ policy: run.policy, measure: costMeasures[1], usd: run.onDemandCostUsd }]),
  ]);
  return {
    width,
    height: { step: 16 },
    data: { values },
    mark: "bar",
    encoding: {
      y: { field: "policy", type: "nominal", sort: policyOrder(runs), title: null },
      yOffset: { field: "measure", type: "nominal", sort: costMeasures },
      x: { field: "usd", type: "quantitative", title: "USD" },
      color: {
        field: "measure",
        type: "nominal",
        title: null,
        scale: { domain: costMeasures },
        legend: { orient: "bottom" },
      },
    },
  };
}

/** Mean and p95 per outage as bars; each outage as a tick where the document lists them. */
function downtimeChart(runs: readonly RunDocument[]): TopLevelSpec {
  const summary = runs.flatMap((run) => [
    {
      policy: run.policy,
      measure: "mean per outage",
      seconds: run.outages === 0 ? 0 : run.downtimeSeconds / run.outages,
    },
    { policy: run.policy, measure: "p95 per outage", seconds: run.downtimeP95Seconds },
  ]);
  const outages = runs.flatMap((run) =>
    (run.outageDowntimesSeconds ?? []).map((seconds) => ({ policy: run.policy, seconds })),
  );
  const y = { field: "policy", type: "nominal", sort: policyOrder(runs), title: null } as const;
  const x = { field: "seconds", type: "quantitative", title: "downtime (s)" } as const;
  const bars = {
    data: { values: summary },
    mark: "bar",
    encoding: {
      y,
      yOffset: { field: "measure", type: "nominal" },
      x,
      color: { field: "measure", type: "nominal", title: null, legend: { orient: "bottom" } },
    },
  } as const;
  if (outages.length === 0) return { width, height: { step: 16 }, ...bars };
  const ticks = {
    data: { values: outages },
    mark: { type: "tick", color: "#222", thickness: 1.5 },
    encoding: { y, x },
  } as const;
  // A fixed height: a step per band would conflict between the offset bars and the ticks.
  return { width, height: 36 * runs.length, layer: [bars, ticks] };
}

/**
 * The charts comparing the policies run on one zone; `key` makes the chart ids unique in a report.
 * The downtime chart is left out when no policy had an outage (the summary table says so).
 */
export function zoneCharts(key: string, runs: readonly RunDocument[]): ChartSpec[] {
  const charts: ChartSpec[] = [
    { id: `${key}-cost`, title: costTitle(runs), spec: cumulativeCostChart(runs) },
    {
      id: `${key}-timeline`,
      title: "Placement timeline: the market hosting the container, hops and revocations marked",
      spec: timelineChart(runs),
    },
    { id: `${key}-vs-on-demand`, title: "Cost vs on-demand for the same work", spec: costBarsChart(runs) },
    ...(runs.some((run) => run.outages > 0)
      ? [{ id: `${key}-downtime`, title: "Downtime per migration or restart", spec: downtimeChart(runs) }]
      : []),
  ];
  return charts.map((chart) => ({ ...chart, spec: { ...chart.spec, config } as TopLevelSpec }));
}
