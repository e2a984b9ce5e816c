import type { ResultsDocument } from "../results/document.js";
import { renderReport } from "./html.js";
import { writeHtml, type ReportOptions } from "./page.js";

/** Renders the report and writes it atomically; returns its size in bytes. */
export async function writeReport(
  documents: readonly ResultsDocument[],
  path: string,
  options: ReportOptions,
): Promise<number> {
  return writeHtml(path, await renderReport(documents, options));
}
