import type { ResultsDocument } from "../results/document.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { renderReport, type ReportOptions } from "./html.js";

/** Renders the report and writes it atomically; returns its size in bytes. */
export async function writeReport(
  documents: readonly ResultsDocument[],
  path: string,
  options: ReportOptions,
): Promise<number> {
  const html = await renderReport(documents, options);
  await writeFileAtomic(path, [html]);
  return Buffer.byteLength(html);
}
