import type { TopLevelSpec } from "vega-lite";

/** Loaded on first use: importing vega and vega-lite costs ~110 ms, which other commands should not pay. */
let renderers: Promise<[typeof import("vega"), typeof import("vega-lite")]> | null = null;

/**
 * Renders a vega-lite spec to an SVG string in Node (no browser, no network: the data is inline).
 * Element ids are prefixed with `idPrefix` so that several SVGs can live in one HTML page.
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  renderers ??= Promise.all([import("vega"), import("vega-lite")]);
  const [vega, vegaLite] = await renderers;
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: "none" });
  try {
    const svg = await view.toSVG();
    return svg
      .replace(/\bid="([^"]*)"/g, (_, id: string) => `id="${idPrefix}-${id}"`)
      .replace(/url\(#([^)]*)\)/g, (_, id: string) => `url(#${idPrefix}-${id})`);
  } finally {
    view.finalize();
  }
}
