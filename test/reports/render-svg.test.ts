import { describe, expect, it } from "vitest";
import { renderSvg } from "../../src/reports/render-svg.js";

describe("renderSvg", () => {
  it("renders a vega-lite spec to SVG in Node, every id and url(#…) reference under the prefix", async () => {
    const svg = await renderSvg(
      {
        width: 200,
        height: 100,
        data: {
          values: [
            { zone: "us-east-1a", usd: 3 },
            { zone: "us-east-1b", usd: 5 },
          ],
        },
        mark: { type: "bar", clip: true },
        encoding: {
          x: { field: "zone", type: "nominal", title: "zone of the run" },
          y: { field: "usd", type: "quantitative" },
        },
      },
      "chart-7",
    );
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("zone of the run");
    // Two bars, one per row; the clip path (clip: true) is what carries an id and a url(#…) reference.
    expect(svg.match(/aria-roledescription="bar"/g)).toHaveLength(2);
    const ids = [...svg.matchAll(/\bid="([^"]*)"/g)].map((m) => m[1]);
    const refs = [...svg.matchAll(/url\(#([^)]*)\)/g)].map((m) => m[1]);
    expect([ids.length > 0, refs.length > 0]).toEqual([true, true]);
    expect(ids.every((id) => id.startsWith("chart-7-"))).toBe(true);
    expect(refs.every((ref) => ids.includes(ref))).toBe(true);
  });
});
