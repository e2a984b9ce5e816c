import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { summarizedMetrics, type SweepDocument } from "../../src/sweep/document.js";
import {
  renderSweepReport,
  statValue,
  sweepMetricDigits,
  sweepStatColumns,
  writeSweepReport,
} from "../../src/reports/sweep-html.js";
import { demoSweep } from "./sweep-fixture.js";

let dir: string;
let sweep: SweepDocument;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-sweep-report-"));
  sweep = await demoSweep(join(dir, "sweep.json"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every `<tr data-policy data-metric>` of one grid point's section, cells as [key, value, text]. */
function tableOf(html: string, point: number): Map<string, [string, string, string][]> {
  const section = new RegExp(`<section class="point" data-point="${point}">([\\s\\S]*?)</section>`).exec(
    html,
  );
  expect(section, `section of point ${point}`).not.toBeNull();
  const rows = new Map<string, [string, string, string][]>();
  for (const row of section![1].matchAll(/<tr data-policy="([^"]*)" data-metric="([^"]*)">(.*?)<\/tr>/g)) {
    const cells = [...row[3].matchAll(/<td data-key="([^"]*)" data-value="([^"]*)">([^<]*)<\/td>/g)];
    rows.set(
      `${row[1]}/${row[2]}`,
      cells.map((cell) => [cell[1], cell[2], cell[3]]),
    );
  }
  return rows;
}

describe("renderSweepReport", () => {
  it("runs the demo sweep the report is tested on: 2 points × 2 windows, every policy with values", () => {
    expect(sweep.complete).toBe(true);
    expect(sweep.points.map((point) => point.varied)).toEqual([{ "memory-gib": 1 }, { "memory-gib": 64 }]);
    for (const point of sweep.points)
      for (const { metrics } of point.policies) expect(metrics.percentOfOnDemand.n).toBe(2);
  });

  it("shows in every table cell exactly the document's statistic, rounded for display", async () => {
    const html = await renderSweepReport(sweep, { commandLine: "hotspot sweep --report r.html" });
    let checked = 0;
    for (const point of sweep.points) {
      const table = tableOf(html, point.point);
      expect([...table.keys()]).toEqual(
        point.policies.flatMap(({ policy }) => summarizedMetrics.map((metric) => `${policy}/${metric}`)),
      );
      for (const { policy, metrics } of point.policies) {
        for (const metric of summarizedMetrics) {
          const cells = table.get(`${policy}/${metric}`)!;
          expect(cells.map(([key]) => key)).toEqual([...sweepStatColumns]);
          for (const [key, value, text] of cells) {
            const exact = statValue(metrics[metric], key as (typeof sweepStatColumns)[number]);
            if (exact === null) {
              expect([value, text]).toEqual(["null", "—"]);
            } else {
              expect(Number(value)).toBe(exact);
              const digits = key === "n" || key === "missing" ? 0 : sweepMetricDigits[metric];
              expect(text).toBe(exact.toFixed(digits));
            }
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(2 * 4 * 6 * 9);
  });

  it("opens with a headline per point built from the paired numbers, and shows them in a paired table", async () => {
    const html = await renderSweepReport(sweep, { commandLine: "hotspot sweep" });
    const lead = /<h1>[^<]*<\/h1>\n(<p class="headline"[\s\S]*?)\n<p>Reproduce with/.exec(html)![1];
    const point = sweep.points[0];
    const greedy = point.comparisons.find((comparison) => comparison.policy === "greedy")!;
    // Two windows: the savings are 1 − greedy / spot-stay per window, the bootstrap interval their range.
    const savings = sweep.items
      .filter((item) => item.point === 0)
      .map((item) => {
        const rate = (name: string) =>
          item.outcomes.find((outcome) => outcome.policy === name)!.usdPerEcuHour!;
        return 1 - rate("greedy") / rate("spot-stay");
      });
    expect(greedy.meanSaving).toBeCloseTo((savings[0] + savings[1]) / 2, 12);
    expect(greedy.ci95).toEqual([Math.min(...savings), Math.max(...savings)]);
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    const featured = point.comparisons
      .filter((comparison) => comparison.policy !== "optimal")
      .reduce((best, next) => (next.meanSaving! > best.meanSaving! ? next : best));
    expect(lead).toContain(
      `memory-gib=1: ${featured.policy} saved ${pct(featured.meanSaving!)} [${pct(featured.ci95![0])}, ${pct(featured.ci95![1])}] per unit of work over spot-stay (mean of 2 paired window(s), 95% bootstrap CI), cheaper in ${featured.wins} of 2 windows`,
    );
    expect(lead).toContain("of the optimum.");
    const section = /<section class="point" data-point="0">([\s\S]*?)<\/section>/.exec(html)![1];
    const row = /<tr data-policy="greedy"><th scope="row">greedy<\/th>(.*?)<\/tr>/.exec(section)![1];
    const cells = Object.fromEntries(
      [...row.matchAll(/<td data-key="([^"]*)" data-value="([^"]*)">/g)].map((cell) => [
        cell[1],
        Number(cell[2]),
      ]),
    );
    expect(cells).toEqual({
      n: 2,
      missing: 0,
      meanSaving: greedy.meanSaving,
      ci95Low: greedy.ci95![0],
      ci95High: greedy.ci95![1],
      wins: greedy.wins,
      ties: greedy.ties,
      losses: greedy.losses,
    });
  });

  it("shows the mean of the windows' % of on-demand and, from two windows, a bootstrap CI that is their range", async () => {
    const html = await renderSweepReport(sweep, { commandLine: "hotspot sweep" });
    const values = sweep.items
      .filter((item) => item.point === 1)
      .map((item) => item.outcomes.find((outcome) => outcome.policy === "hotspot")!.percentOfOnDemand!);
    const mean = (values[0] + values[1]) / 2;
    const sd = Math.abs(values[0] - values[1]) / Math.SQRT2;
    const cells = new Map(
      tableOf(html, 1)
        .get("hotspot/percentOfOnDemand")!
        .map(([k, v]) => [k, Number(v)]),
    );
    expect(cells.get("n")).toBe(2);
    expect(cells.get("mean")).toBeCloseTo(mean, 9);
    expect(cells.get("sd")).toBeCloseTo(sd, 9);
    // Resampling two values gives means v0, (v0 + v1) / 2 or v1, the extremes each with chance 1/4.
    expect(cells.get("ci95Low")).toBe(Math.min(...values));
    expect(cells.get("ci95High")).toBe(Math.max(...values));
  });

  it("states the sweep's identity in the header", async () => {
    const html = await renderSweepReport(sweep, { commandLine: "hotspot sweep --seed 3" });
    expect(html).toContain(`<span class="mono">${sweep.config.trace.sha256}</span>`);
    expect(html).toContain("<dd>memory-gib = 1, 64</dd>");
    expect(html).toContain("<dd>3</dd>");
    expect(html).toContain(`<dd>hotspot ${sweep.tool.version}</dd>`);
    expect(html).toContain("<dd>whole sweep, 4 of 4 items, complete</dd>");
    expect(html).toContain('<pre class="command">hotspot sweep --seed 3</pre>');
    const starts = sweep.config.windows.map(({ start }) => new Date(start * 1000).toISOString());
    for (const start of starts) expect(html).toContain(start);
  });

  it("states the sweep's warnings and the types it left out, and has neither row when there are none", async () => {
    const plain = await renderSweepReport(sweep, { commandLine: "hotspot sweep" });
    expect(plain).not.toContain("<dt>warnings</dt>");
    expect(plain).not.toContain("lacking catalog data");
    const warned: SweepDocument = {
      ...sweep,
      config: {
        ...sweep.config,
        warnings: ["skipped 2 bad row(s) of the trace under --skip-bad-rows (2 price)", "a <b> warning"],
        catalog: { ...sweep.config.catalog, skippedTypes: [{ type: "zz9.large", missing: "spec" }] },
      },
    };
    const html = await renderSweepReport(warned, { commandLine: "hotspot sweep" });
    expect(html).toContain(
      "<dt>warnings</dt><dd>skipped 2 bad row(s) of the trace under --skip-bad-rows (2 price); a &lt;b&gt; warning</dd>",
    );
    expect(html).toContain(
      `<dd>${sweep.config.catalog.description}; work unit ECU; left out 1 type(s) lacking catalog data: zz9.large (spec) (--skip-unknown-types)</dd>`,
    );
  });

  it("draws per grid point the savings over the baseline and the gaps to the optimum, and one chart along memory-gib", async () => {
    const html = await renderSweepReport(sweep, { commandLine: "hotspot sweep" });
    const charts = [...html.matchAll(/<figure class="chart" id="([^"]*)"/g)].map((match) => match[1]);
    expect(charts).toEqual(["axis0-saving", "p0-saving", "p0-gap", "p1-saving", "p1-gap"]);
  });

  it("draws a named varied setting (billing) on an ordinal axis with a band and a line per policy", async () => {
    const billing = ["per-second", "per-hour"];
    const relabelled: SweepDocument = {
      ...sweep,
      config: { ...sweep.config, vary: [{ key: "billing", values: billing }] },
      points: sweep.points.map((point) => ({ ...point, varied: { billing: billing[point.point] } })),
    };
    const html = await renderSweepReport(relabelled, { commandLine: "hotspot sweep" });
    const axis = /<figure class="chart" id="axis0-saving"[\s\S]*?<\/figure>/.exec(html)![0];
    expect(axis).toContain("Mean saving over spot-stay per unit of work across billing");
    expect(axis.match(/<g class="mark-area role-mark/g)).toHaveLength(3);
    expect(axis.match(/<g class="mark-line role-mark/g)).toHaveLength(3);
    for (const label of billing) expect(axis).toContain(`>${label}</text>`);
    expect(html).toContain("<h3>Grid point 1: billing=per-hour</h3>");
  });

  it("renders a <script> zone, trace file name and command line as text (hostile input)", async () => {
    const zone = "us-east-1a<script>window.__pwned=1</script>";
    const path = "/tmp/<img src=x onerror=alert(1)>.csv";
    const hostile: SweepDocument = {
      ...sweep,
      config: { ...sweep.config, zones: [zone], trace: { ...sweep.config.trace, path } },
    };
    const html = await renderSweepReport(hostile, { commandLine: "hotspot report '<b>x</b>.json'" });
    const embedded = /<script type="application\/json" id="hotspot-sweep">(.*?)<\/script>/s.exec(html)!;
    const outside = html.replace(embedded[0], "");
    expect(outside).not.toContain("<script");
    expect(outside).not.toContain("<img");
    expect(outside).not.toContain("<b>");
    expect(outside).toContain("us-east-1a&lt;script&gt;window.__pwned=1&lt;/script&gt;");
    expect(outside).toContain("/tmp/&lt;img src=x onerror=alert(1)&gt;.csv");
    expect(outside).toContain("hotspot report &#39;&lt;b&gt;x&lt;/b&gt;.json&#39;");
    expect(JSON.parse(embedded[1])).toEqual(hostile);
  });

  it("says so when the document is incomplete and leaves out charts of points with no windows", async () => {
    const partial: SweepDocument = {
      ...sweep,
      complete: false,
      items: sweep.items.filter((item) => item.point === 0),
      points: [
        sweep.points[0],
        { ...sweep.points[1], windows: 0, policies: emptyPolicies(), comparisons: [] },
      ],
    };
    const html = await renderSweepReport(partial, { commandLine: "hotspot sweep" });
    expect(html).toContain(
      "<dd>whole sweep, 2 of 4 items, INCOMPLETE: statistics cover only the items present</dd>",
    );
    const charts = [...html.matchAll(/<figure class="chart" id="([^"]*)"/g)].map((match) => match[1]);
    expect(charts).toEqual(["axis0-saving", "p0-saving", "p0-gap"]);
    expect(
      tableOf(html, 1)
        .get("greedy/percentOfOnDemand")!
        .map(([, value]) => value),
    ).toEqual(["0", "0", ...Array(7).fill("null")]);
  });

  it("writes the report atomically and returns its size in bytes", async () => {
    const file = join(dir, "report.html");
    const bytes = await writeSweepReport(sweep, file, { commandLine: "hotspot sweep" });
    const written = await readFile(file);
    expect(bytes).toBe(written.length);
    expect(written.toString("utf8")).toBe(await renderSweepReport(sweep, { commandLine: "hotspot sweep" }));
  });
});

function emptyPolicies(): SweepDocument["points"][number]["policies"] {
  const none = { n: 0, missing: 0, mean: null, sd: null, p5: null, p50: null, p95: null, ci95: null };
  return ["spot-stay", "greedy", "hotspot", "optimal"].map((policy) => ({
    policy,
    metrics: Object.fromEntries(summarizedMetrics.map((metric) => [metric, none])) as never,
  }));
}
