import { describe, expect, it } from "vitest";
import { axisCharts, pointCharts } from "../../src/reports/sweep-charts.js";
import type { PointSummary, SweepDocument } from "../../src/sweep/document.js";
import type { MetricStats, PairedComparison } from "../../src/sweep/stats.js";

const stats = (mean: number | null, ci95: readonly [number, number] | null): MetricStats => ({
  n: 2,
  missing: 0,
  mean,
  sd: null,
  p5: null,
  p50: null,
  p95: null,
  ci95,
});
const comparison = (policy: string, meanSaving: number | null, ci95: readonly [number, number] | null) =>
  ({
    policy,
    baseline: "spot-stay",
    n: 2,
    missing: 0,
    meanSaving,
    ci95,
    wins: 2,
    ties: 0,
    losses: 0,
  }) as PairedComparison;
const outcome = (policy: string, usdPerEcuHour: number | null, gapToOptimal: number | null) => ({
  policy,
  usdPerEcuHour,
  gapToOptimal,
});
const metrics = (gap: MetricStats) =>
  ({ gapToOptimal: gap }) as unknown as PointSummary["policies"][number]["metrics"];

const points: PointSummary[] = [1, 64].map((memory, point) => ({
  point,
  varied: { "memory-gib": memory },
  windows: 2,
  policies: [
    { policy: "greedy", metrics: metrics(stats(0.25, [0.2, 0.3])) },
    { policy: "optimal", metrics: metrics(stats(0, null)) },
  ],
  comparisons: [comparison("greedy", 0.2 + point / 10, [0.1, 0.4]), comparison("optimal", 0.5, null)],
}));
// Point 0's windows: spot-stay at 0.02 and 0.04 $/unit-h; greedy saves 25% and 50%, the optimum 50%.
const document = {
  config: {
    baseline: "spot-stay",
    vary: [
      { key: "memory-gib", values: [1, 64] },
      { key: "seed", values: [1] },
    ],
  },
  points,
  items: [
    {
      point: 0,
      window: 0,
      start: "w0",
      outcomes: [
        outcome("spot-stay", 0.02, 0.5),
        outcome("greedy", 0.015, 0.25),
        outcome("optimal", 0.01, 0),
      ],
    },
    {
      point: 0,
      window: 1,
      start: "w1",
      outcomes: [outcome("spot-stay", 0.04, 1), outcome("greedy", 0.02, 0), outcome("optimal", 0.02, 0)],
    },
    {
      point: 1,
      window: 0,
      start: "w0",
      outcomes: [outcome("spot-stay", 0, null), outcome("greedy", 0.01, null)],
    },
  ],
} as unknown as SweepDocument;

type Layered = { layer: { data?: { values: unknown[] } }[] };

describe("pointCharts", () => {
  it("each window's saving over the baseline and gap to the optimum, with means and CIs in %", () => {
    const [saving, gap] = pointCharts(document, points[0]);
    expect([saving.id, gap.id]).toEqual(["p0-saving", "p0-gap"]);
    expect(saving.title).toContain(
      "Saving over spot-stay per window, % of its $ per unit of work (memory-gib=1)",
    );
    const savingLayers = (saving.spec as unknown as Layered).layer;
    expect(savingLayers[0].data!.values).toEqual([
      { policy: "greedy", window: 0, start: "w0", value: 25 },
      { policy: "optimal", window: 0, start: "w0", value: 50 },
      { policy: "greedy", window: 1, start: "w1", value: 50 },
      { policy: "optimal", window: 1, start: "w1", value: 50 },
    ]);
    // The CI bars only where there is an interval; the means for all.
    expect(savingLayers[1].data!.values).toEqual([{ policy: "greedy", mean: 20, low: 10, high: 40 }]);
    expect(savingLayers[2].data!.values).toEqual([
      { policy: "greedy", mean: 20, low: 10, high: 40 },
      { policy: "optimal", mean: 50, low: null, high: null },
    ]);
    const gapLayers = (gap.spec as unknown as Layered).layer;
    expect(gapLayers[0].data!.values).toEqual([
      { policy: "spot-stay", window: 0, start: "w0", value: 50 },
      { policy: "greedy", window: 0, start: "w0", value: 25 },
      { policy: "spot-stay", window: 1, start: "w1", value: 100 },
      { policy: "greedy", window: 1, start: "w1", value: 0 },
    ]);
    expect(gapLayers[2].data!.values).toEqual([{ policy: "greedy", mean: 25, low: 20, high: 30 }]);
  });

  it("no chart where no window has a value: a baseline at $0 and no optimum", () => {
    expect(pointCharts(document, points[1])).toEqual([]);
  });
});

describe("axisCharts", () => {
  it("one chart per axis of two or more values, log-scaled across a factor of 16, the CI as a band", () => {
    const charts = axisCharts(document);
    expect(charts.map((chart) => chart.id)).toEqual(["axis0-saving"]);
    const spec = charts[0].spec as unknown as {
      data: { values: unknown[] };
      layer: { encoding: { x: { scale?: { type: string } } } }[];
    };
    expect(spec.layer[0].encoding.x.scale).toEqual({ type: "log" });
    expect(spec.data.values).toEqual([
      { series: "greedy", value: 1, mean: 20, low: 10, high: 40 },
      { series: "optimal", value: 1, mean: 50, low: 50, high: 50 },
      { series: "greedy", value: 64, mean: expect.closeTo(30, 9), low: 10, high: 40 },
      { series: "optimal", value: 64, mean: 50, low: 50, high: 50 },
    ]);
    expect(axisCharts({ ...document, points: [{ ...points[0], comparisons: [] }] } as SweepDocument)).toEqual(
      [],
    );
  });
});
