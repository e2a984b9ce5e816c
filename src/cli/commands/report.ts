import type { Argv, CommandModule } from "yargs";
import type { ReportArgs } from "./report-run.js";

function builder(yargs: Argv) {
  return yargs
    .positional("results", {
      type: "string",
      array: true,
      describe:
        "Results documents (hotspot sim --out FILE or --json), one section each; or one sweep results document",
    })
    .option("out", {
      alias: "o",
      type: "string",
      demandOption: true,
      describe: "HTML file to write (self-contained: opens offline, from file://)",
    })
    .option("path-policy", {
      type: "string",
      describe:
        "Policy whose path the zones' price charts draw (default: every policy but on-demand when at most three ran, else the cheapest one but optimal)",
    })
    .example("$0 report results.json -o reports/demo.html", "One report from one sim run")
    .example("$0 report 2016.json 2021.json -o reports/eras.html", "Several runs in one report")
    .example("$0 report sweep-results.json -o reports/sweep.html", "Statistics of a sweep, with 95% CIs");
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: "report <results..>",
  describe: "Write a self-contained HTML report comparing the policies of results documents",
  builder: builder as unknown as CommandModule<object, ReportArgs>["builder"],
  // The renderer (vega) and the document readers load only when a report is written.
  handler: async (args) => (await import("./report-run.js")).runReportCommand(args),
};
