import { writeFileAtomic } from "../util/atomic-write.js";
import type { ResultsDocument } from "./document.js";

/** The document as JSON text; the same document always gives the same bytes. */
export function serializeResults(document: ResultsDocument): string {
  const { prices, ...rest } = document;
  const text = JSON.stringify(rest, null, 2);
  if (prices === undefined) return `${text}\n`;
  // The price summary is most of the document: its number arrays go one to a line, not one number.
  const summary = JSON.stringify(prices, null, 2).replace(/\[(?:[-\d.e+,\s]|null)*\]/g, (array) =>
    array.replace(/\s+/g, ""),
  );
  return `${text.slice(0, -2)},\n  "prices": ${summary.replace(/\n/g, "\n  ")}\n}\n`;
}

/** Writes the document atomically: readers see the old file or the whole new one. */
export async function writeResults(path: string, document: ResultsDocument): Promise<void> {
  await writeFileAtomic(path, [serializeResults(document)]);
}
