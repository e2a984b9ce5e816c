import { writeFileAtomic } from "../util/atomic-write.js";
import type { ResultsDocument } from "./document.js";

/** The document as JSON text; the same document always gives the same bytes. */
export function serializeResults(document: ResultsDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Writes the document atomically: readers see the old file or the whole new one. */
export async function writeResults(path: string, document: ResultsDocument): Promise<void> {
  await writeFileAtomic(path, [serializeResults(document)]);
}
