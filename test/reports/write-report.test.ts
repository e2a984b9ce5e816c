import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import type { ResultsDocument } from "../../src/results/document.js";
import { writeReport } from "../../src/reports/write-report.js";
import { launchChromium, openOffline, type Visit } from "../support/browser.js";
import { policyNames } from "../../src/policies/names.js";

let dir: string;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let demo: ResultsDocument;

const hostileZone = "us-east-1a<script>window.__pwned=1</script>";
const hostileType = "m4.large</script><script>window.__pwned=2</script>";
const hostilePath = "/tmp/<img src=x onerror=window.__pwned=3>.csv";

/** The demo results with every input string an attacker could choose replaced by markup. */
function hostile(document: ResultsDocument): ResultsDocument {
  const renameType = <T extends { instanceType: string }>(entry: T): T =>
    entry.instanceType === "m4.xlarge" ? { ...entry, instanceType: hostileType } : entry;
  const renameZone = (zone: string) => (zone === "us-east-1a" ? hostileZone : zone);
  return {
    ...document,
    trace: { ...document.trace, path: hostilePath },
    runs: document.runs.map((run) => ({
      ...run,
      zone: renameZone(run.zone),
      timeline: run.timeline.map(renameType),
      instances: run.instances.map(renameType),
    })),
    aggregate: document.aggregate.map((row) => ({ ...row, zones: row.zones.map(renameZone) })),
    prices: document.prices?.map((zone) => ({
      ...zone,
      zone: renameZone(zone.zone),
      markets: zone.markets.map(renameType),
    })),
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-report-browser-"));
  const out = join(dir, "demo.json");
  const spy = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  try {
    expect(await main(["sim", "--out", out])).toBe(0);
  } finally {
    spy.mockRestore();
  }
  demo = JSON.parse(await readFile(out, "utf8")) as ResultsDocument;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Opens the report from file://, blocking and recording every request but the file itself. */
const open = (file: string): Promise<Visit> => openOffline(browser.context, file);

describe("HTML report in headless Chromium (Debian's chromium via playwright-core)", () => {
  it("loads offline with no console errors and no request but the file itself", async () => {
    const file = join(dir, "demo.html");
    await writeReport([demo], file, { commandLine: "hotspot sim --out demo.json" });
    const { page, consoleErrors, requests } = await open(file);
    try {
      expect(consoleErrors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(file).href]);
    } finally {
      await page.close();
    }
  });

  it("draws data marks in every chart: 5 per zone with outages, 4 per zone without", async () => {
    const file = join(dir, "marks.html");
    await writeReport([demo], file, { commandLine: "hotspot sim" });
    const { page } = await open(file);
    try {
      const charts = await page.$$eval("figure.chart", (figures) =>
        figures.map((figure) => ({
          id: figure.id,
          marks: figure.querySelectorAll(
            "svg g.role-mark path, svg g.role-mark rect, svg g.role-mark line, svg g.role-mark circle, svg g.lines path",
          ).length,
        })),
      );
      // us-east-1a: greedy and hotspot hop (outages); us-east-1b: nobody moves.
      expect(charts.map((chart) => chart.id)).toEqual([
        "d0-z0-cost",
        "d0-z0-timeline",
        "d0-z0-prices-0",
        "d0-z0-vs-on-demand",
        "d0-z0-downtime",
        "d0-z1-cost",
        "d0-z1-timeline",
        "d0-z1-prices-0",
        "d0-z1-vs-on-demand",
      ]);
      for (const chart of charts) expect(chart.marks, chart.id).toBeGreaterThan(0);
    } finally {
      await page.close();
    }
  });

  it("draws each zone's prices: a line per spot market that fits, the path bold and visible, a marker per hop", async () => {
    const file = join(dir, "prices.html");
    await writeReport([demo], file, { commandLine: "hotspot sim" });
    const { page, consoleErrors } = await open(file);
    try {
      expect(consoleErrors).toEqual([]);
      const charts = await page.$$eval("figure.price-path", (figures) =>
        figures.map((figure) => {
          const svg = figure.querySelector("svg")!.getBoundingClientRect();
          const legend = figure.querySelector("g.legend")!.getBoundingClientRect();
          return {
            zone: figure.closest("section.zone")!.getAttribute("data-zone"),
            policy: figure.getAttribute("data-policy"),
            width: svg.width,
            height: svg.height,
            legendInside: legend.bottom <= svg.bottom + 0.5 && legend.right <= svg.right + 0.5,
            lines: [...figure.querySelectorAll("path.market")].map((line) =>
              line.getAttribute("data-market"),
            ),
            stays: [...figure.querySelectorAll("path.stay")].map(
              (stay) => stay.getBoundingClientRect().width,
            ),
            hops: figure.querySelectorAll("path.hop").length,
            legendText: [...figure.querySelectorAll("g.legend text")].map((text) => text.textContent),
          };
        }),
      );
      expect(charts.map((chart) => chart.zone)).toEqual(["us-east-1a", "us-east-1b"]);
      for (const chart of charts) {
        const run = demo.runs.find((r) => r.zone === chart.zone && r.policy === chart.policy)!;
        const spot = demo
          .prices!.find((zone) => zone.zone === chart.zone)!
          .markets.filter((m) => m.lifecycle === "spot");
        expect(chart.width).toBeGreaterThan(600);
        expect(chart.height).toBeGreaterThan(300);
        expect(chart.legendInside).toBe(true);
        expect([...chart.lines].sort()).toEqual(spot.map((m) => `${m.instanceType} spot`).sort());
        expect(chart.stays.length).toBeGreaterThan(0);
        for (const width of chart.stays) expect(width).toBeGreaterThan(0);
        // Every completed hop ends one stay where the next begins.
        expect(chart.hops).toBe(run.migrations);
        expect(chart.legendText.at(-1)).toBe(`hop (${run.migrations}); ✕ revoked (${run.revocations})`);
      }
    } finally {
      await page.close();
    }
  });

  it("shows in every summary table exactly the numbers of the results document", async () => {
    const file = join(dir, "table.html");
    await writeReport([demo], file, { commandLine: "hotspot sim" });
    const { page } = await open(file);
    try {
      const tables = await page.$$eval("section[data-zone]", (sections) =>
        sections.map((section) => ({
          zone: section.getAttribute("data-zone"),
          rows: [...section.querySelectorAll("table.summary tbody tr")].map((row) => ({
            policy: row.getAttribute("data-policy"),
            cells: [...row.querySelectorAll("td")].map((cell) => ({
              key: cell.getAttribute("data-key")!,
              value: cell.getAttribute("data-value")!,
              text: cell.textContent!.replace("★", "").trim(),
            })),
          })),
        })),
      );
      expect(tables.map((table) => table.zone)).toEqual(["*", "us-east-1a", "us-east-1b"]);
      const shown: Record<string, (value: number) => string> = {
        costUsd: (v) => v.toFixed(2),
        percentOfOnDemand: (v) => v.toFixed(1),
        usdPerEcuHour: (v) => v.toFixed(5),
        workEcuHours: (v) => v.toFixed(1),
        migrations: (v) => v.toFixed(0),
        revocations: (v) => v.toFixed(0),
        downtimeSeconds: (v) => v.toFixed(0),
        downtimeP95Seconds: (v) => v.toFixed(1),
        lostWorkEcuHours: (v) => v.toFixed(2),
        gapToOptimal: (v) => (v * 100).toFixed(1),
      };
      let checked = 0;
      for (const table of tables) {
        const expected =
          table.zone === "*" ? demo.aggregate : demo.runs.filter((run) => run.zone === table.zone);
        expect(table.rows.map((row) => row.policy)).toEqual(expected.map((run) => run.policy));
        table.rows.forEach((row, r) => {
          expect(row.cells.map((cell) => cell.key)).toEqual(Object.keys(shown));
          for (const cell of row.cells) {
            const value = expected[r][cell.key as keyof (typeof expected)[number]] as number | null;
            if (value === null) {
              expect(cell).toEqual({ key: cell.key, value: "null", text: "—" });
            } else {
              expect(Number(cell.value)).toBe(value);
              expect(cell.text).toBe(shown[cell.key](value));
            }
            checked++;
          }
        });
      }
      // 3 tables (all zones and two zones) × every policy × 10 numbers per row.
      expect(checked).toBe(3 * policyNames.length * 10);
    } finally {
      await page.close();
    }
  });

  it("renders markup in zone, instance type and file names as text, runs no script (hostile input)", async () => {
    const file = join(dir, "hostile.html");
    const attacked = hostile(demo);
    await writeReport([attacked], file, { commandLine: "hotspot report '<b>x</b>.json' -o x.html" });
    const { page, consoleErrors, requests } = await open(file);
    try {
      expect(consoleErrors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(file).href]);
      const text = (selector: string) => page.$eval(selector, (element) => element.textContent);
      const seen = {
        pwned: await page.evaluate("window.__pwned ?? null"),
        scripts: await page.$$eval("script", (scripts) => scripts.map((script) => script.id)),
        images: await page.$$eval("img", (images) => images.length),
        bold: await page.$$eval("b", (bold) => bold.length),
        zoneHeading: await text("section.zone h3"),
        documentHeading: await text("section.document h2"),
        command: await text("pre.command"),
        svgText: await page.$$eval("figure.chart svg text", (texts) => texts.map((t) => t.textContent)),
        priceLines: await page.$$eval("figure.price-path path.market", (lines) =>
          lines.map((line) => line.getAttribute("data-market")),
        ),
        embedded: (await text("#hotspot-results"))!,
      };
      expect(seen.pwned).toBeNull();
      expect(seen.scripts).toEqual(["hotspot-results"]);
      expect(seen.images).toBe(0);
      expect(seen.bold).toBe(0);
      expect(seen.zoneHeading).toBe(`Zone ${hostileZone}`);
      expect(seen.documentHeading).toBe(`Trace ${hostilePath}`);
      expect(seen.command).toBe("hotspot report '<b>x</b>.json' -o x.html");
      // The legend shortens long labels with an ellipsis; the markup is there as text.
      expect(seen.svgText.some((text) => text!.startsWith("m4.large</script><script>"))).toBe(true);
      expect(seen.priceLines).toContain(`${hostileType} spot`);
      expect(JSON.parse(seen.embedded)).toEqual([attacked]);
    } finally {
      await page.close();
    }
  });
});
