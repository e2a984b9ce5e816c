import yargs from "yargs";
import { describe, expect, it } from "vitest";
import { reportCommand } from "../../../src/cli/commands/report.js";
import type { ReportArgs } from "../../../src/cli/commands/report-run.js";

/** Parses `argv` through report's builder on a bare yargs root, returning what the handler would get. */
async function parsed(argv: string[]): Promise<ReportArgs> {
  let got: ReportArgs | undefined;
  await yargs(["report", ...argv])
    .command({ ...reportCommand, handler: (args) => void (got = args) })
    .strict()
    .exitProcess(false)
    .fail((message) => {
      throw new Error(message);
    })
    .parseAsync();
  return got!;
}

describe("hotspot report's flags (its yargs builder)", () => {
  it("takes one or more results documents, -o/--out and --path-policy", async () => {
    expect(await parsed(["a.json", "b.json", "-o", "r.html", "--path-policy", "greedy"])).toMatchObject({
      results: ["a.json", "b.json"],
      out: "r.html",
      pathPolicy: "greedy",
    });
    const plain = await parsed(["a.json", "--out", "r.html"]);
    expect(plain).toMatchObject({ results: ["a.json"], out: "r.html" });
    expect(plain.pathPolicy).toBeUndefined();
  });

  it("needs -o and at least one document", async () => {
    await expect(parsed(["a.json"])).rejects.toThrow("Missing required argument: out");
    await expect(parsed(["-o", "r.html"])).rejects.toThrow("Not enough non-option arguments");
  });
});
