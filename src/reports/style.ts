/** The report's stylesheet: screen layout plus print rules (no backgrounds needed, charts fit the page). */
export const reportStyle = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1d2330;
  margin: 0 auto; max-width: 1100px; padding: 16px 24px 48px; }
h1 { font-size: 1.6em; margin: 0.4em 0 0.2em; }
h2 { font-size: 1.3em; border-bottom: 2px solid #c9d1dc; padding-bottom: 2px; margin-top: 1.6em; }
h3 { font-size: 1.1em; margin: 1.4em 0 0.4em; }
h4 { font-size: 1em; margin: 1.2em 0 0.2em; }
code, .mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.92em; word-break: break-all; }
pre.command { background: #f2f4f7; border: 1px solid #d8dde5; padding: 8px 10px; white-space: pre-wrap; word-break: break-all; }
dl.identity { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0.6em 0; }
dl.identity dt { font-weight: 600; color: #44516a; }
dl.identity dd { margin: 0; }
table.summary { border-collapse: collapse; margin: 0.4em 0 0.8em; font-variant-numeric: tabular-nums; }
table.summary th, table.summary td { border: 1px solid #d8dde5; padding: 3px 8px; text-align: right; }
table.summary td, table.summary tbody th { white-space: nowrap; }
table.summary thead th { background: #eef1f5; font-weight: 600; vertical-align: bottom; }
table.summary tbody th { text-align: left; }
td.best { background: #dff3e2; font-weight: 700; }
.star { color: #1f7a33; }
.headline { font-size: 1.15em; font-weight: 600; background: #eef6ff; border-left: 4px solid #3a6fb0; padding: 6px 10px; margin: 0.5em 0; }
.note { color: #55607a; font-size: 0.92em; }
figure.chart { margin: 0.8em 0 1.2em; break-inside: avoid; page-break-inside: avoid; }
figure.chart figcaption { font-weight: 600; margin-bottom: 4px; }
figure.chart svg { max-width: 100%; height: auto; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  section.document + section.document { break-before: page; page-break-before: always; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  table.summary { font-size: 8.5pt; break-inside: avoid; page-break-inside: avoid; }
  td.best { background: none; text-decoration: underline; }
  pre.command { background: none; }
}
`;
