import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  chartFigure,
  definitionList,
  duration,
  reportPage,
  traceIdentityRows,
  writeHtml,
} from "../../src/reports/page.js";

describe("page pieces", () => {
  it("a definition list escapes its terms and keeps the caller's HTML definitions", () => {
    expect(
      definitionList([
        ["a<b", "<i>x</i>"],
        ["c", "d"],
      ]),
    ).toBe('<dl class="identity"><dt>a&lt;b</dt><dd><i>x</i></dd>\n<dt>c</dt><dd>d</dd></dl>');
  });

  it("the trace rows escape the path and say format, size, rows kept and series", () => {
    expect(
      traceIdentityRows({ path: "<t>.csv", sha256: "ab", format: "csv", bytes: 10, rowsKept: 3, series: 2 }),
    ).toEqual([
      ["trace file", '<span class="mono">&lt;t&gt;.csv</span>'],
      ["trace sha256", '<span class="mono">ab</span>'],
      ["trace content", "csv, 10 bytes, 3 rows kept, 2 series"],
    ]);
  });

  it("a duration is in hours below two days, in days from two days on", () => {
    expect([duration(5400), duration(47 * 3600), duration(48 * 3600), duration(90 * 3600)]).toEqual([
      "1.5 hours",
      "47.0 hours",
      "2.0 days",
      "3.8 days",
    ]);
  });

  it("a chart is its SVG in a figure captioned with its escaped title, ids under the chart's", async () => {
    const figure = await chartFigure({
      id: "zone-a-cost",
      title: "Cost <USD>",
      spec: {
        data: { values: [{ x: 1 }] },
        mark: { type: "point", clip: true },
        encoding: { x: { field: "x", type: "quantitative" } },
      },
    });
    expect(figure).toMatch(
      /^<figure class="chart" id="zone-a-cost" data-chart="zone-a-cost"><figcaption>Cost &lt;USD&gt;<\/figcaption><svg[^]*<\/svg><\/figure>$/,
    );
    expect(figure).toContain('id="zone-a-cost-');
  });
});

describe("reportPage", () => {
  const html = reportPage({
    title: "T",
    heading: "H",
    commandLine: "hotspot report a.json --out <r>.html",
    note: "N",
    lead: "<p>L</p>",
    body: "<main>B</main>",
    jsonId: "docs",
    json: { s: "</script>" },
  });

  it("forbids every load and script by CSP, shows the command escaped, and embeds the documents", () => {
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    );
    expect(html).toContain('<pre class="command">hotspot report a.json --out &lt;r&gt;.html</pre>');
    expect(html).toContain("<h1>H</h1>\n<p>L</p>\n");
    expect(html).toContain("<main>B</main>");
    const embedded = /<script type="application\/json" id="docs">(.*)<\/script>/.exec(html)![1];
    expect(embedded).not.toContain("</script>");
    expect(JSON.parse(embedded)).toEqual({ s: "</script>" });
  });

  it("writeHtml writes the page and returns its size in bytes (UTF-8)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hotspot-page-"));
    try {
      const page = `${html}€`;
      expect(await writeHtml(join(dir, "r.html"), page)).toBe(html.length + 3);
      expect(await readFile(join(dir, "r.html"), "utf8")).toBe(page);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
