import yargs from "yargs";
import { describe, expect, it } from "vitest";
import { mergeCommand } from "../../../src/cli/commands/merge.js";
import type { MergeArgs } from "../../../src/cli/commands/merge-run.js";

/** Parses `argv` through merge's builder on a bare yargs root, returning what the handler would get. */
async function parsed(argv: string[]): Promise<MergeArgs> {
  let got: MergeArgs | undefined;
  await yargs(["merge", ...argv])
    .command({ ...mergeCommand, handler: (args) => void (got = args) })
    .strict()
    .exitProcess(false)
    .fail((message) => {
      throw new Error(message);
    })
    .parseAsync();
  return got!;
}

describe("hotspot merge's flags (its yargs builder)", () => {
  it("takes one or more shard files and -o/--out", async () => {
    expect(await parsed(["a.json", "b.json", "-o", "all.json"])).toMatchObject({
      shards: ["a.json", "b.json"],
      out: "all.json",
    });
    expect(await parsed(["a.json", "--out", "all.json"])).toMatchObject({
      shards: ["a.json"],
      out: "all.json",
    });
  });

  it("needs -o and at least one shard", async () => {
    await expect(parsed(["a.json"])).rejects.toThrow("Missing required argument: out");
    await expect(parsed(["-o", "all.json"])).rejects.toThrow("Not enough non-option arguments");
  });
});
