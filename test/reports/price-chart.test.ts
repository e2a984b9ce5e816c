import { describe, expect, it } from "vitest";
import { runStudy } from "../../src/drivers/sim/study.js";
import { instantMigrationModel } from "../../src/engine/migration-model.js";
import { StepPricePath } from "../../src/engine/price-paths.js";
import type { Market } from "../../src/engine/types.js";
import { policies, resolveParams } from "../../src/policies/index.js";
import type { ResultsDocument } from "../../src/results/document.js";
import { zonePrices } from "../../src/results/prices.js";
import { renderReport } from "../../src/reports/html.js";
import { pathPolicies, plotWidth, priceChartSvg } from "../../src/reports/price-chart.js";
import { Random } from "../../src/util/random.js";
import { handResolution, handTrace, simConfig } from "../drivers/sim/fixtures.js";
import { handRun } from "./fixtures.js";

const t0 = Date.parse("2021-03-01T00:00:00Z") / 1000;

/**
 * Three 8 GiB types of 10 work units in one zone over 3 hours (and one too small to show). a.large is
 * cheapest until its price rises at 00:58:20, b.large until its own rises at 01:58:20; c.large is never
 * cheapest. Greedy with instant hops decides every 300 s, so it starts on a.large, hops to b.large at
 * 01:00 and back to a.large at 02:00.
 */
async function tinyDocument(): Promise<ResultsDocument> {
  const trace = handTrace(
    [
      ["z-a", "a.large", t0, 0.1],
      ["z-a", "a.large", t0 + 3500, 0.3],
      ["z-a", "b.large", t0, 0.2],
      ["z-a", "b.large", t0 + 7100, 0.4],
      ["z-a", "c.large", t0, 0.5],
      ["z-a", "tiny.small", t0, 0.001],
    ],
    { start: t0, end: t0 + 10800 },
  );
  const resolution = handResolution([
    { type: "a.large", memoryGiB: 8, work: 10, onDemand: 0.6 },
    { type: "b.large", memoryGiB: 8, work: 10, onDemand: 0.8 },
    { type: "c.large", memoryGiB: 8, work: 10, onDemand: 0.9 },
    { type: "tiny.small", memoryGiB: 4, work: 10, onDemand: 0.01 },
  ]);
  return runStudy({
    trace,
    resolution,
    catalogDescription: "hand-made",
    policies: [{ definition: policies.greedy, params: resolveParams(policies.greedy, {}) }],
    config: simConfig({ migrationModel: instantMigrationModel }),
    workloadDescription: "constant",
    recordPrices: true,
  });
}

/** Every element of `svg` with class `name`, as its attributes. */
function elements(svg: string, name: string): Record<string, string>[] {
  return [...svg.matchAll(new RegExp(`<(?:path|line) class="${name}"([^>]*)/>`, "g"))].map((match) =>
    Object.fromEntries([...match[1].matchAll(/ ([a-z0-9-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]])),
  );
}

describe("price chart: a zone's markets per unit of work with the container's path", () => {
  it("draws greedy's hand-computed stays, hops and markets on a tiny trace", async () => {
    const document = await tinyDocument();
    const run = document.runs[0];
    const svg = priceChartSvg({ id: "t", prices: document.prices![0], run, workUnit: "ecu" });
    // 640 px for 10,800 s: 01:00 is x 213.3, 02:00 is x 426.7. The axis reaches the on-demand baseline
    // (a.large, $0.6/h = 0.06 per ECU-hour; twice the path's highest, 0.04, is above it), in steps of
    // 0.02: y = 260 − 260 × price / 0.06. a.large's rise at 3,500 s falls in pixel 207.4, so from pixel
    // 208 its line is at 0.03; b.large's at 7,100 s in pixel 420.7, so from 421 at 0.04.
    expect(elements(svg, "stay")).toEqual([
      {
        "data-market": "a.large spot",
        "data-start": "2021-03-01T00:00:00.000Z",
        "data-end": "2021-03-01T01:00:00.000Z",
        stroke: "#1f77b4",
        "stroke-width": "3",
        "stroke-linecap": "round",
        fill: "none",
        d: "M0,216.7H208V130H213.3",
      },
      {
        "data-market": "b.large spot",
        "data-start": "2021-03-01T01:00:00.000Z",
        "data-end": "2021-03-01T02:00:00.000Z",
        stroke: "#d62728",
        "stroke-width": "3",
        "stroke-linecap": "round",
        fill: "none",
        d: "M213.3,173.3H421V86.7H426.7",
      },
      {
        "data-market": "a.large spot",
        "data-start": "2021-03-01T02:00:00.000Z",
        "data-end": "2021-03-01T03:00:00.000Z",
        stroke: "#1f77b4",
        "stroke-width": "3",
        "stroke-linecap": "round",
        fill: "none",
        d: "M426.7,130H640",
      },
    ]);
    // Each hop: a marker on the market reached, joined to the price of the market left.
    expect(
      elements(svg, "hop").map((hop) => [hop["data-time"], hop["data-from"], hop["data-to"], hop.d]),
    ).toEqual([
      ["2021-03-01T01:00:00.000Z", "a.large spot", "b.large spot", "M213.3,167.3l5,9h-10z"],
      ["2021-03-01T02:00:00.000Z", "b.large spot", "a.large spot", "M426.7,124l5,9h-10z"],
    ]);
    expect(elements(svg, "hop-link").map((link) => [link.x1, link.y1, link.y2])).toEqual([
      ["213.3", "130", "173.3"],
      ["426.7", "86.7", "130"],
    ]);
    // c.large (never used) in grey; tiny.small does not fit 8 GiB; unused on-demand markets not drawn.
    expect(elements(svg, "market").map((line) => [line["data-market"], line.d])).toEqual([
      ["c.large spot", "M0,43.3H640"],
    ]);
    expect(elements(svg, "market used").map((line) => line["data-market"])).toEqual([
      "a.large spot",
      "b.large spot",
    ]);
    expect(elements(svg, "baseline").map((line) => [line["data-market"], line.y1])).toEqual([
      ["a.large on-demand", "0"],
    ]);
    expect(elements(svg, "revoked")).toEqual([]);
    const legend = [...svg.matchAll(/<text x="30" y="4">([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(legend).toEqual([
      "a.large spot: 2.0 h in 2 stay(s)",
      "b.large spot: 1.0 h in 1 stay(s)",
      "1 other market(s) of the 3 spot market(s) that fit, not used",
      "on-demand baseline a.large on-demand: $0.0600 per ECU-hour",
      "hop (2); ✕ revoked (0)",
    ]);
    expect(svg).toContain(">0.06</text>");
  });

  it("is placed in the zone's section after the cost and placement charts", async () => {
    const html = await renderReport([await tinyDocument()], { commandLine: "c" });
    expect([...html.matchAll(/<figure class="chart[^"]*" id="([^"]+)"/g)].map((m) => m[1])).toEqual([
      "d0-z0-cost",
      "d0-z0-timeline",
      "d0-z0-prices-0",
      "d0-z0-vs-on-demand",
      "d0-z0-downtime",
    ]);
    expect(html).toContain('data-policy="greedy"');
  });

  it("marks a revocation on the market that was reclaimed", async () => {
    const document = await tinyDocument();
    const run = {
      ...document.runs[0],
      timeline: [
        ...document.runs[0].timeline,
        {
          time: "2021-03-01T02:30:00.000Z",
          kind: "revoked",
          instanceType: "a.large",
          lifecycle: "spot",
          price: 0.3,
          reason: "",
        },
      ],
    };
    const svg = priceChartSvg({ id: "t", prices: document.prices![0], run, workUnit: "ecu" });
    // 02:30 is x 533.3; a.large is at 0.03 there (y 130): a cross of 8 px around it.
    expect(elements(svg, "revoked").map((mark) => [mark["data-market"], mark.d])).toEqual([
      ["a.large spot", "M529.3,126l8,8m0,-8l-8,8"],
    ]);
  });

  it("stays within one step per pixel column for 80 markets of 20,000 price changes each", () => {
    const random = new Random(3);
    const markets: Market[] = [];
    const paths: StepPricePath[] = [];
    for (let id = 0; id < 80; id++) {
      markets.push({
        id,
        zone: "z",
        instanceType: `t${id}.large`,
        lifecycle: "spot",
        vcpu: 2,
        memoryGiB: 8,
        work: 10,
        onDemandUsd: 1,
        architecture: "x86_64",
        cpuVendor: "intel",
      });
      const times = Float64Array.from({ length: 20000 }, (_, i) => t0 + i * 130 + random.integer(0, 120));
      paths.push(
        new StepPricePath(
          times,
          times.map(() => random.uniform(0.05, 0.5)),
        ),
      );
    }
    const prices = zonePrices({
      zone: "z",
      markets,
      paths,
      window: { start: t0, end: t0 + 20000 * 130 },
      memoryGiB: 8,
      demandWork: 10,
    });
    const run = handRun({
      zone: "z",
      onDemandMarket: null,
      start: "2021-03-01T00:00:00.000Z",
      end: "2021-03-31T02:13:20.000Z",
      timeline: [
        {
          time: "2021-03-01T00:00:00.000Z",
          kind: "running",
          instanceType: "t7.large",
          lifecycle: "spot",
          price: 0.1,
          reason: "",
        },
      ],
    });
    const svg = priceChartSvg({ id: "big", prices, run, workUnit: "ecu" });
    const lines = [...elements(svg, "market"), ...elements(svg, "market used")];
    expect(lines).toHaveLength(80);
    for (const line of lines) expect(line.d.match(/H/g)!.length).toBeLessThanOrEqual(plotWidth);
    // 80 lines × 640 columns at about 14 characters a step, plus the axes and legend.
    expect(svg.length).toBeLessThan(80 * plotWidth * 16);
    expect(elements(svg, "stay")).toHaveLength(1);
  });

  it("escapes every name it writes", async () => {
    const document = await tinyDocument();
    const evil = `a.large"><script>x()</script>`;
    const rename = <T extends { instanceType: string }>(entry: T): T =>
      entry.instanceType === "a.large" ? { ...entry, instanceType: evil } : entry;
    const prices = { ...document.prices![0], markets: document.prices![0].markets.map(rename) };
    const run = {
      ...document.runs[0],
      policy: "<b>p</b>",
      zone: "<i>z</i>",
      onDemandMarket: evil,
      timeline: document.runs[0].timeline.map(rename),
    };
    const svg = priceChartSvg({ id: "t", prices, run, workUnit: "<u>unit</u>" });
    expect(svg).not.toMatch(/<(?:script|b|i|u)>/);
    expect(svg).toContain("a.large&quot;&gt;&lt;script&gt;x()&lt;/script&gt; spot: 2.0 h in 2 stay(s)");
    expect(svg).toContain("USD per &lt;u&gt;unit&lt;/u&gt;-hour");
  });
});

describe("pathPolicies: whose path the price charts draw", () => {
  const document = (names: readonly string[], rates: readonly (number | null)[]) =>
    ({
      runs: names.map((policy) => handRun({ policy })),
      aggregate: names.map((policy, i) => ({ ...handRun({ policy, usdPerEcuHour: rates[i] }), zones: [] })),
    }) as unknown as ResultsDocument;

  it("draws every policy that can move when there are at most three", () => {
    expect(
      pathPolicies(document(["on-demand", "spot-stay", "greedy", "optimal"], [1, 0.5, 0.4, 0.3])),
    ).toEqual(["spot-stay", "greedy", "optimal"]);
  });

  it("else the non-optimal policy cheapest per unit of work over all zones; or the one chosen", () => {
    const five = document(
      ["on-demand", "spot-stay", "greedy", "hotspot", "optimal"],
      [1, 0.5, 0.45, 0.4, 0.3],
    );
    expect(pathPolicies(five)).toEqual(["hotspot"]);
    expect(pathPolicies(five, "greedy")).toEqual(["greedy"]);
    const unrated = document(
      ["on-demand", "spot-stay", "greedy", "hotspot", "optimal"],
      [null, null, null, null, null],
    );
    expect(pathPolicies(unrated)).toEqual(["spot-stay"]);
  });
});
