import type { Argv, CommandModule } from "yargs";
import { readResultsDocument } from "../../reports/read-results.js";
import { shellCommandLine } from "../../reports/command-line.js";
import { writeReport } from "../../reports/write-report.js";

type ReportArgs = { results: string[]; out: string };

function builder(yargs: Argv) {
  return yargs
    .positional("results", {
      type: "string",
      array: true,
      describe: "Results documents (hotspot sim --out FILE or --json), one section each",
    })
    .option("out", {
      alias: "o",
      type: "string",
      demandOption: true,
      describe: "HTML file to write (self-contained: opens offline, from file://)",
    })
    .example("$0 report results.json -o reports/demo.html", "One report from one sim run")
    .example("$0 report 2016.json 2021.json -o reports/eras.html", "Several runs in one report");
}

/** Reads every results document (all checked before anything is written), then writes the report. */
export async function runReportCommand(args: ReportArgs): Promise<void> {
  const documents = [];
  for (const file of args.results) documents.push(await readResultsDocument(file));
  const commandLine = shellCommandLine(["hotspot", "report", ...args.results, "-o", args.out]);
  const bytes = await writeReport(documents, args.out, { commandLine });
  process.stdout.write(`wrote ${args.out} (${bytes} bytes, ${documents.length} results document(s))\n`);
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: "report <results..>",
  describe: "Write a self-contained HTML report comparing the policies of results documents",
  builder: builder as unknown as CommandModule<object, ReportArgs>["builder"],
  handler: runReportCommand,
};
