import { describe, expect, it } from "vitest";
import { summaryTable, type SummaryRow } from "../../src/reports/summary-table.js";
import { zeroMetrics } from "./fixtures.js";

const rows: SummaryRow[] = [
  { ...zeroMetrics, policy: "a", costUsd: 3, gapToOptimal: null, downtimeSeconds: 40 },
  { ...zeroMetrics, policy: "b", costUsd: 2, gapToOptimal: 0.125, downtimeSeconds: 10 },
  { ...zeroMetrics, policy: "c<i>", costUsd: 2, gapToOptimal: 0, downtimeSeconds: 20 },
];

/** Per row: each cell's key, exact value, shown text and whether it is marked best. */
function cells(html: string) {
  return [...html.matchAll(/<tr data-policy="([^"]*)">(.*?)<\/tr>/g)].map(([, policy, row]) => ({
    policy,
    cells: [...row.matchAll(/<td data-key="(\w+)" data-value="([^"]*)"( class="best"[^>]*)?>([^<]*)/g)].map(
      ([, key, value, best, text]) => ({ key, value, best: best !== undefined, text }),
    ),
  }));
}

describe("summaryTable", () => {
  const html = summaryTable(rows, "ecu");
  const table = cells(html);
  const column = (key: string) => table.map((row) => row.cells.find((cell) => cell.key === key)!);

  it("names the work unit in the headings", () => {
    expect(html).toContain('<th scope="col">$/ECU-hour</th>');
    expect(html).toContain('<th scope="col">lost ECU-hours</th>');
  });

  it("marks the lowest value, every tied one too", () => {
    expect(column("costUsd").map((cell) => [cell.text, cell.best])).toEqual([
      ["3.00", false],
      ["2.00", true],
      ["2.00", true],
    ]);
    expect(column("downtimeSeconds").map((cell) => cell.best)).toEqual([false, true, false]);
  });

  it("marks nothing in a column where all rows tie", () => {
    expect(column("migrations").map((cell) => [cell.text, cell.best])).toEqual([
      ["0", false],
      ["0", false],
      ["0", false],
    ]);
  });

  it("shows a missing value as a dash that is never best, and gaps as percentages", () => {
    expect(column("gapToOptimal").map((cell) => [cell.value, cell.text, cell.best])).toEqual([
      ["null", "—", false],
      ["0.125", "12.5", false],
      ["0", "0.0", true],
    ]);
  });

  it("escapes policy names", () => {
    expect(table.map((row) => row.policy)).toEqual(["a", "b", "c&lt;i&gt;"]);
    expect(html).not.toContain("<i>");
  });
});
