import { readFile } from "node:fs/promises";
import { UsageError } from "../../errors.js";
import { writeSweepReport } from "../../reports/sweep-html.js";
import { readSweep, SWEEP_SCHEMA } from "../../sweep/document.js";
import { readResultsDocument } from "../../reports/read-results.js";
import { checkOutputPath } from "../../util/output-path.js";
import { shellCommandLine } from "../../util/shell.js";
import { writeReport } from "../../reports/write-report.js";

export type ReportArgs = { results: string[]; out: string; pathPolicy?: string };

/** A JSON file's `schema` field; undefined when unreadable (the document's reader then names the problem). */
async function schemaOf(file: string): Promise<unknown> {
  try {
    return (JSON.parse(await readFile(file, "utf8")) as { schema?: unknown } | null)?.schema;
  } catch {
    return undefined;
  }
}

/** Checks -o, reads every results document (all checked before anything is written), then writes the report. */
export async function runReportCommand(args: ReportArgs): Promise<void> {
  await checkOutputPath("-o/--out", args.out);
  const commandLine = shellCommandLine([
    "hotspot",
    "report",
    ...args.results,
    "-o",
    args.out,
    ...(args.pathPolicy === undefined ? [] : ["--path-policy", args.pathPolicy]),
  ]);
  const schemas = await Promise.all(args.results.map(schemaOf));
  if (schemas.includes(SWEEP_SCHEMA)) {
    if (args.results.length !== 1) {
      throw new UsageError(
        "results",
        "one sweep results document, or sim results documents",
        args.results.join(" "),
      );
    }
    const bytes = await writeSweepReport(await readSweep(args.results[0]), args.out, { commandLine });
    process.stdout.write(`wrote ${args.out} (${bytes} bytes, sweep results document)\n`);
    return;
  }
  const documents = [];
  for (const file of args.results) documents.push(await readResultsDocument(file));
  const { pathPolicy } = args;
  if (pathPolicy !== undefined) {
    for (const [index, document] of documents.entries()) {
      const ran = [...new Set(document.runs.map((run) => run.policy))];
      if (!ran.includes(pathPolicy)) {
        throw new UsageError(
          "--path-policy",
          `a policy of ${args.results[index]} (${ran.join(", ")})`,
          pathPolicy,
        );
      }
    }
  }
  const bytes = await writeReport(documents, args.out, { commandLine, pathPolicy });
  process.stdout.write(`wrote ${args.out} (${bytes} bytes, ${documents.length} results document(s))\n`);
}
