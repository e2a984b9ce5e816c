import { describe, expect, it } from "vitest";
import type { PointSummary, PolicySummary, SweepDocument } from "../../src/sweep/document.js";
import type { MetricStats, PairedComparison } from "../../src/sweep/stats.js";
import {
  featuredComparison,
  formatSweepTable,
  headline,
  pointLabel,
  savingText,
} from "../../src/sweep/table.js";

const stats = (
  mean: number | null,
  ci95: readonly [number, number] | null = null,
  sd: number | null = null,
): MetricStats => ({
  n: 4,
  missing: 0,
  mean,
  sd,
  p5: null,
  p50: null,
  p95: null,
  ci95,
});

const comparison = (
  policy: string,
  meanSaving: number | null,
  ci95: readonly [number, number] | null,
): PairedComparison => ({
  policy,
  baseline: "spot-stay",
  n: 4,
  missing: 0,
  meanSaving,
  ci95,
  wins: 3,
  ties: 1,
  losses: 0,
});

const summary = (policy: string, cost: number, gap: MetricStats): PolicySummary => ({
  policy,
  metrics: {
    costUsd: stats(cost, [cost - 0.5, cost + 0.25], 0.75),
    percentOfOnDemand: stats(40),
    usdPerEcuHour: stats(0.0123),
    migrationsPerZoneDay: stats(2.5),
    downtimeSecondsPerZoneDay: stats(61),
    gapToOptimal: gap,
  },
});

const point: PointSummary = {
  point: 0,
  varied: { "memory-gib": 16 },
  windows: 4,
  policies: [summary("greedy", 3, stats(0.05, [0.01, 0.1])), summary("optimal", 2, stats(0))],
  comparisons: [
    comparison("greedy", 0.234, [0.181, 0.28]),
    comparison("optimal", 0.5, null),
    comparison("hotspot", null, null),
  ],
};

describe("sentences of a grid point", () => {
  it("labels a point by its varied settings, or as the base settings", () => {
    expect(pointLabel({ "memory-gib": 16, billing: "per-hour" })).toBe("memory-gib=16 billing=per-hour");
    expect(pointLabel({})).toBe("base settings");
  });

  it("features the largest mean saving, never the optimum's, and words savings and losses", () => {
    expect(featuredComparison(point)?.policy).toBe("greedy");
    expect(featuredComparison({ ...point, comparisons: [comparison("optimal", 0.5, null)] })).toBeNull();
    expect(savingText(comparison("greedy", 0.234, [0.181, 0.28]))).toBe("saved 23.4% [18.1%, 28.0%]");
    expect(savingText(comparison("greedy", -0.03, [-0.05, -0.01]))).toBe(
      "cost 3.0% more (saving [-5.0%, -1.0%])",
    );
    expect(savingText(comparison("greedy", 0, null))).toBe("saved 0.0%");
  });

  it("says the featured saving with its CI, wins/ties/losses and the gap to the optimum, or why there is none", () => {
    expect(headline(point)).toBe(
      "greedy saved 23.4% [18.1%, 28.0%] per unit of work over spot-stay (mean of 4 paired window(s), 95% bootstrap CI), cheaper in 3 of 4 windows (1 tied, 0 dearer); it stayed within 5.0% [1.0%, 10.0%] of the optimum.",
    );
    expect(headline({ ...point, comparisons: [] })).toBe(
      "No paired comparison: the sweep has no baseline policy (--baseline).",
    );
    expect(headline({ ...point, comparisons: [comparison("greedy", null, null)] })).toBe(
      "No paired comparison: no window had a value for both a policy and the baseline.",
    );
  });
});

describe("formatSweepTable", () => {
  it("headlines, the paired table, the means table, left-out zones, warnings", () => {
    const document = {
      config: { baseline: "spot-stay", warnings: ["2 bad rows skipped"], catalog: {} },
      points: [{ ...point, comparisons: [comparison("greedy", 0.234, [0.181, 0.28])] }],
      items: [{ excludedZones: ["us-east-1e"] }, { excludedZones: [] }],
    } as unknown as SweepDocument;
    expect(formatSweepTable(document).split("\n")).toEqual([
      "memory-gib=16: greedy saved 23.4% [18.1%, 28.0%] per unit of work over spot-stay (mean of 4 paired window(s), 95% bootstrap CI), cheaper in 3 of 4 windows (1 tied, 0 dearer); it stayed within 5.0% [1.0%, 10.0%] of the optimum.",
      "",
      "paired against spot-stay per window (saving in $ per unit of work; wins/ties/losses):",
      "point          policy  n  mean saving          95% CI  W/T/L",
      "memory-gib=16  greedy  4        23.4%  [18.1%, 28.0%]  3/1/0",
      "",
      "means over windows (cost totals the zones; % on-demand, $/unit-h and gap are means over zones):",
      "point          policy   n  cost $/window        95% CI    sd  % on-demand  $/unit-h  gap to opt  migr/zone-day  down s/zone-day",
      "memory-gib=16  greedy   4           3.00  [2.50, 3.25]  0.75         40.0   0.01230        5.0%           2.50               61",
      "memory-gib=16  optimal  4           2.00  [1.50, 2.25]  0.75         40.0   0.01230        0.0%           2.50               61",
      "",
      "left out as empty (nothing fits the container) in some window: us-east-1e",
      "warning: 2 bad rows skipped",
      "",
    ]);
  });
});
