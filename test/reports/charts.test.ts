import { describe, expect, it } from "vitest";
import { costReference, zoneCharts } from "../../src/reports/charts.js";
import { handRun } from "./fixtures.js";

const onDemand = handRun({ policy: "on-demand", costUsd: 12.345, onDemandCostUsd: 12.345 });
const stay = handRun({ policy: "spot-stay", costUsd: 4, onDemandCostUsd: 12 });
const greedy = handRun({
  policy: "greedy",
  costUsd: 3,
  onDemandCostUsd: null,
  outages: 2,
  downtimeSeconds: 90,
  downtimeP95Seconds: 60,
  outageDowntimesSeconds: [30, 60],
});
const optimal = handRun({ policy: "optimal", costUsd: 2 });

/** A spec's top-level values (the charts here have one data set or layers of them). */
const valuesOf = (spec: unknown) => (spec as { data: { values: unknown[] } }).data.values;

describe("costReference", () => {
  it("is the optimum when it ran, else spot-stay, else none", () => {
    expect(costReference([stay, optimal, greedy])).toBe(optimal);
    expect(costReference([greedy, stay])).toBe(stay);
    expect(costReference([greedy, onDemand])).toBeNull();
  });
});

describe("zoneCharts", () => {
  it("cost, timeline and cost-vs-on-demand, plus downtime when a policy had outages, ids under the key", () => {
    const charts = zoneCharts("z0", [onDemand, stay, greedy]);
    expect(charts.map((chart) => [chart.id, chart.title])).toEqual([
      [
        "z0-cost",
        "Cumulative cost above spot-stay (0 = as cheap as spot-stay so far); on-demand, not drawn: $12.35 in total",
      ],
      ["z0-timeline", "Placement timeline: the market hosting the container, hops and revocations marked"],
      ["z0-vs-on-demand", "Cost vs on-demand for the same work"],
      ["z0-downtime", "Downtime per migration or restart"],
    ]);
    expect(zoneCharts("z1", [stay]).map((chart) => chart.id)).toEqual([
      "z1-cost",
      "z1-timeline",
      "z1-vs-on-demand",
    ]);
    for (const chart of charts)
      expect(chart.spec.config).toEqual({ legend: { labelLimit: 320, titleLimit: 320 } });
  });

  it("the cost chart leaves on-demand out, and says absolute cost without a reference", () => {
    const [cost] = zoneCharts("z", [onDemand, stay, greedy]);
    const policies = new Set((valuesOf(cost.spec) as { policy: string }[]).map((v) => v.policy));
    expect(policies.has("on-demand")).toBe(false);
    const [absolute] = zoneCharts("z", [greedy]);
    expect(absolute.title).toBe("Cumulative cost");
    expect((absolute.spec as { encoding: { y: { title: string } } }).encoding.y.title).toBe(
      "cumulative cost (USD)",
    );
  });

  it("bars each policy's cost beside the on-demand cost of its work where known", () => {
    const bars = zoneCharts("z", [stay, greedy])[2];
    expect(valuesOf(bars.spec)).toEqual([
      { policy: "spot-stay", measure: "policy's cost", usd: 4 },
      { policy: "spot-stay", measure: "on-demand cost of the same work", usd: 12 },
      { policy: "greedy", measure: "policy's cost", usd: 3 },
    ]);
  });

  it("downtime: mean (90 s / 2 outages = 45 s) and p95 per policy, and a tick per listed outage", () => {
    const downtime = zoneCharts("z", [stay, greedy])[3].spec as unknown as {
      height: number;
      layer: { data: { values: unknown[] } }[];
    };
    expect(downtime.height).toBe(72);
    expect(downtime.layer[0].data.values).toEqual([
      { policy: "spot-stay", measure: "mean per outage", seconds: 0 },
      { policy: "spot-stay", measure: "p95 per outage", seconds: 0 },
      { policy: "greedy", measure: "mean per outage", seconds: 45 },
      { policy: "greedy", measure: "p95 per outage", seconds: 60 },
    ]);
    expect(downtime.layer[1].data.values).toEqual([
      { policy: "greedy", seconds: 30 },
      { policy: "greedy", seconds: 60 },
    ]);
  });
});
