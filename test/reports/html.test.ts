import { describe, expect, it } from "vitest";
import { RESULTS_SCHEMA, RESULTS_VERSION, type ResultsDocument } from "../../src/results/document.js";
import { renderReport } from "../../src/reports/html.js";
import { handRun } from "./fixtures.js";

function document(start: string): ResultsDocument {
  const run = (policy: string, costUsd: number, outages: number) =>
    handRun({
      policy,
      costUsd,
      outages,
      downtimeSeconds: outages * 40,
      start: `${start}T00:00:00.000Z`,
      end: `${start}T04:00:00.000Z`,
      instances: [
        {
          instanceType: "m4.large",
          lifecycle: "spot",
          start: `${start}T00:00:00.000Z`,
          end: `${start}T04:00:00.000Z`,
          endedBy: "user",
          costUsd,
        },
      ],
      timeline: [
        {
          time: `${start}T00:00:00.000Z`,
          kind: "place",
          instanceType: "m4.large",
          lifecycle: "spot",
          price: 0.03,
          reason: "",
        },
        {
          time: `${start}T00:01:00.000Z`,
          kind: "running",
          instanceType: "m4.large",
          lifecycle: "spot",
          price: 0.03,
          reason: "",
        },
      ],
    });
  return {
    schema: RESULTS_SCHEMA,
    version: RESULTS_VERSION,
    tool: { name: "hotspot", version: "9.9.9" },
    seed: 42,
    trace: {
      path: "traces/t.csv",
      sha256: "c0ffee",
      bytes: 123,
      format: "csv",
      start: `${start}T00:00:00.000Z`,
      end: `${start}T04:00:00.000Z`,
      rowsKept: 4,
      series: 1,
    },
    workUnit: "vcpu",
    configuration: {
      billing: "hourly",
      interruptions: { kind: "bid", bidMultiple: 1 },
      utilisation: "constant 1",
      demandWork: 8,
      targetWorkHours: null,
    },
    runs: [run("spot-stay", 0.12, 0), run("greedy", 0.1, 2)],
    aggregate: [],
  };
}

describe("renderReport (charts rendered to SVG in Node)", () => {
  it("gives the same bytes for the same input", async () => {
    const docs = [document("2016-03-01")];
    expect(await renderReport(docs, { commandLine: "c" })).toBe(
      await renderReport(docs, { commandLine: "c" }),
    );
  });

  it("states trace identity, era, models, seed and tool version", async () => {
    const html = await renderReport([document("2016-03-01"), document("2021-03-01")], { commandLine: "c" });
    expect(html).toContain('<dt>trace sha256</dt><dd><span class="mono">c0ffee</span></dd>');
    expect(html).toContain(
      "<dt>span</dt><dd>2016-03-01T00:00:00.000Z .. 2016-03-01T04:00:00.000Z (4.0 hours)</dd>",
    );
    expect(html).toContain("<dt>era</dt><dd>volatile (bid-driven spot prices, before 2017-11-28)</dd>");
    expect(html).toContain("<dt>era</dt><dd>smoothed (capacity-driven spot prices, from 2017-11-28)</dd>");
    expect(html).toContain("<dt>billing</dt><dd>hourly</dd>");
    expect(html).toContain("<dt>interruptions</dt><dd>kind bid, bidMultiple 1</dd>");
    expect(html).toContain("<dt>workload</dt><dd>constant 1 of 8 vCPU; open-ended</dd>");
    expect(html).toContain("<dt>seed</dt><dd>42</dd>");
    expect(html).toContain("<dt>tool</dt><dd>hotspot 9.9.9</dd>");
  });

  it("draws four charts for a zone with outages, as inline SVG, and loads nothing", async () => {
    const html = await renderReport([document("2016-03-01")], { commandLine: "c" });
    expect([...html.matchAll(/<figure class="chart" id="([^"]+)"/g)].map((m) => m[1])).toEqual([
      "d0-z0-cost",
      "d0-z0-timeline",
      "d0-z0-vs-on-demand",
      "d0-z0-downtime",
    ]);
    expect(html.match(/<svg /g)).toHaveLength(4);
    expect(html).not.toMatch(/\b(?:src|href)=/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
  });
});
