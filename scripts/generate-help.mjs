// The last step of `npm run build`: writes dist/src/cli/help-pages.json, every command's and
// subcommand's --help exactly as the compiled main() prints it at 110 columns in English, which bin.js
// prints without loading yargs. test/cli/help-pages.test.ts checks the file against live output.
import { writeFileSync } from "node:fs";

const cli = new URL("../dist/src/cli/", import.meta.url);
const { HELP_WIDTH, helpEnvironment, helpPagesApply, helpPagesUrl } = await import(
  new URL("prebuilt-help.js", cli)
);
const { helpCommandLines } = await import(new URL("help-pages.js", cli));
const { main } = await import(new URL("main.js", cli));

// Render as bin.js's fast path requires: none of the variables the pages depend on, stdout no terminal.
for (const name of helpEnvironment) delete process.env[name];
if (!helpPagesApply(process.env))
  throw new Error("generate-help: the environment does not give English help");
process.stdout.columns = undefined;

const pages = {};
const write = { stdout: process.stdout.write, stderr: process.stderr.write };
for (const words of await helpCommandLines()) {
  let stdout = "";
  let stderr = "";
  process.stdout.write = (chunk) => ((stdout += String(chunk)), true);
  process.stderr.write = (chunk) => ((stderr += String(chunk)), true);
  const code = await main([...words, "--help"]).finally(() => {
    process.stdout.write = write.stdout;
    process.stderr.write = write.stderr;
  });
  const line = ["hotspot", ...words, "--help"].join(" ");
  if (code !== 0 || stderr !== "") {
    throw new Error(`generate-help: expected ${line} to exit 0 silently, found exit ${code}: ${stderr}`);
  }
  pages[words.join(" ")] = stdout;
}
writeFileSync(helpPagesUrl, JSON.stringify(pages));
process.stdout.write(
  `generate-help: ${Object.keys(pages).length} help pages at ${HELP_WIDTH} columns in ${helpPagesUrl.pathname}\n`,
);
