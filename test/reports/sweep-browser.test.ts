import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { summarizedMetrics, type SweepDocument } from "../../src/sweep/document.js";
import { statValue, sweepStatColumns, writeSweepReport } from "../../src/reports/sweep-html.js";
import { launchChromium, openOffline, type Visit } from "../support/browser.js";
import { demoSweep } from "./sweep-fixture.js";

let dir: string;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let sweep: SweepDocument;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-sweep-browser-"));
  sweep = await demoSweep(join(dir, "sweep.json"));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Opens the report from file://, blocking and recording every request but the file itself. */
const open = (file: string): Promise<Visit> => openOffline(browser.context, file);

describe("sweep HTML report in headless Chromium (Debian's chromium via playwright-core)", () => {
  it("loads offline with no console errors and no request but the file itself", async () => {
    const file = join(dir, "offline.html");
    await writeSweepReport(sweep, file, { commandLine: "hotspot sweep --report offline.html" });
    const { page, consoleErrors, requests } = await open(file);
    try {
      expect(consoleErrors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(file).href]);
    } finally {
      await page.close();
    }
  });

  it("draws every layer's marks: windows, CI bars and means per point; band and lines along memory", async () => {
    const file = join(dir, "marks.html");
    await writeSweepReport(sweep, file, { commandLine: "hotspot sweep" });
    const { page } = await open(file);
    try {
      const charts = await page.$$eval("figure.chart", (figures) =>
        figures.map((figure) => {
          const count = (selector: string) => figure.querySelectorAll(`svg ${selector}`).length;
          return {
            id: figure.id,
            symbols: count("g.mark-symbol.role-mark path"),
            rules: count("g.mark-rule.role-mark line"),
            areas: count("g.mark-area.role-mark path"),
            lines: count("g.mark-line.role-mark path"),
          };
        }),
      );
      // Per point, savings: 3 policies against spot-stay × 2 windows + 3 means as symbols, 3 CI bars;
      // gaps: the 3 policies other than the optimum likewise. Along memory: a band and a line per
      // policy paired with spot-stay, each line with a point per memory value.
      const distribution = { symbols: 9, rules: 3, areas: 0, lines: 0 };
      expect(charts).toEqual([
        { id: "axis0-saving", symbols: 6, rules: 0, areas: 3, lines: 3 },
        { id: "p0-saving", ...distribution },
        { id: "p0-gap", ...distribution },
        { id: "p1-saving", ...distribution },
        { id: "p1-gap", ...distribution },
      ]);
    } finally {
      await page.close();
    }
  });

  it("shows in every table exactly the numbers of the sweep document, also as embedded", async () => {
    const file = join(dir, "table.html");
    await writeSweepReport(sweep, file, { commandLine: "hotspot sweep" });
    const { page } = await open(file);
    try {
      const seen = await page.$$eval("section[data-point]", (sections) =>
        sections.map((section) => ({
          point: Number(section.getAttribute("data-point")),
          rows: [...section.querySelectorAll("table.summary.sweep tbody tr")].map((row) => ({
            policy: row.getAttribute("data-policy")!,
            metric: row.getAttribute("data-metric")!,
            cells: [...row.querySelectorAll("td")].map((cell) => [
              cell.getAttribute("data-key")!,
              cell.getAttribute("data-value")!,
            ]),
          })),
        })),
      );
      const embedded = JSON.parse(
        (await page.$eval("#hotspot-sweep", (element) => element.textContent))!,
      ) as SweepDocument;
      expect(embedded).toEqual(sweep);
      expect(seen.map((section) => section.point)).toEqual([0, 1]);
      let checked = 0;
      for (const section of seen) {
        const point = sweep.points[section.point];
        expect(section.rows.map((row) => `${row.policy}/${row.metric}`)).toEqual(
          point.policies.flatMap(({ policy }) => summarizedMetrics.map((metric) => `${policy}/${metric}`)),
        );
        for (const row of section.rows) {
          const stats = point.policies.find((p) => p.policy === row.policy)!.metrics[
            row.metric as (typeof summarizedMetrics)[number]
          ];
          expect(row.cells.map(([key]) => key)).toEqual([...sweepStatColumns]);
          for (const [key, value] of row.cells) {
            const exact = statValue(stats, key as (typeof sweepStatColumns)[number]);
            expect(value === "null" ? null : Number(value)).toBe(exact);
            checked++;
          }
        }
      }
      expect(checked).toBe(2 * 4 * 6 * 9);
    } finally {
      await page.close();
    }
  });

  it("renders markup in zone and trace file names as text and runs no script (hostile input)", async () => {
    const zone = "us-east-1a<script>window.__pwned=1</script>";
    const path = "/tmp/<img src=x onerror=window.__pwned=2>.csv";
    const hostile: SweepDocument = {
      ...sweep,
      config: { ...sweep.config, zones: [zone], trace: { ...sweep.config.trace, path } },
    };
    const file = join(dir, "hostile.html");
    await writeSweepReport(hostile, file, { commandLine: "hotspot report '<b>x</b>.json' -o x.html" });
    const { page, consoleErrors, requests } = await open(file);
    try {
      expect(consoleErrors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(file).href]);
      expect(await page.evaluate("window.__pwned ?? null")).toBeNull();
      expect(await page.$$eval("script", (scripts) => scripts.map((script) => script.id))).toEqual([
        "hotspot-sweep",
      ]);
      expect(await page.$$eval("img, b", (elements) => elements.length)).toBe(0);
      expect(await page.$eval("section.document h2", (h2) => h2.textContent)).toBe(`Sweep of ${path}`);
      expect(await page.$eval("pre.command", (pre) => pre.textContent)).toBe(
        "hotspot report '<b>x</b>.json' -o x.html",
      );
      const terms = await page.$$eval("dl.identity dd", (dds) => dds.map((dd) => dd.textContent));
      expect(terms).toContain(`${zone} (region us-east-1); a policy's outcome totals them`);
    } finally {
      await page.close();
    }
  });
});
