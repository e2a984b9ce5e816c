import { report } from "../../api.js";
import { checkOutputPath } from "../../util/output-path.js";
import { shellCommandLine } from "../../util/shell.js";

export type ReportArgs = { results: string[]; out: string; pathPolicy?: string };

/** Checks -o, then writes the report of the results documents (all read and checked first). */
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
  const written = await report({
    results: args.results,
    out: args.out,
    pathPolicy: args.pathPolicy,
    commandLine,
  });
  process.stdout.write(
    written.kind === "sweep"
      ? `wrote ${args.out} (${written.bytes} bytes, sweep results document)\n`
      : `wrote ${args.out} (${written.bytes} bytes, ${written.documents} results document(s))\n`,
  );
}
