import yargs from "yargs";
import { describe, expect, it } from "vitest";
import { sweepCommand } from "../../../src/cli/commands/sweep.js";

/** Parses `argv` through sweep's builder on a bare yargs root, returning what the handler would get. */
async function parsed(argv: string[]): Promise<Record<string, unknown>> {
  let got: Record<string, unknown> | undefined;
  await yargs(["sweep", ...argv])
    .command({ ...sweepCommand, handler: (args) => void (got = { ...args }) })
    .strict()
    .exitProcess(false)
    .fail((message) => {
      throw new Error(message);
    })
    .parseAsync();
  return got!;
}

describe("hotspot sweep's flags (its yargs builder)", () => {
  it("needs --trace, and defaults every sweep setting as the help documents them", async () => {
    await expect(parsed([])).rejects.toThrow("Missing required argument: trace");
    const args = await parsed(["--trace", "t.csv"]);
    expect(args).toMatchObject({
      trace: "t.csv",
      policy: ["all"],
      baseline: "spot-stay",
      windows: "30d",
      starts: "20",
      seed: "1",
      out: "sweep-results.json",
      resume: false,
      interval: "300",
      maxDecisions: "2000000",
      billing: "per-second",
      interruptions: "auto",
      bidMultiple: "1",
      durations: "mean",
      memory: "8",
      utilisation: "1",
      transfer: "network",
      historyWindow: "1d",
      advisorOs: "Linux",
    });
    expect(args.jobs).toBeUndefined();
    expect(args.shard).toBeUndefined();
  });

  it("takes --zone for --zones, and repeated --policy and --vary as lists", async () => {
    const args = await parsed([
      "--trace",
      "t.csv",
      "--zone",
      "us-east-1a",
      "--policy",
      "greedy",
      "--policy",
      "hotspot",
      "--vary",
      "interval=300,600",
    ]);
    expect(args.zones).toEqual(["us-east-1a"]);
    expect(args.policy).toEqual(["greedy", "hotspot"]);
    expect(args.vary).toEqual(["interval=300,600"]);
  });

  it("refuses an unknown flag", async () => {
    await expect(parsed(["--trace", "t.csv", "--polcy", "greedy"])).rejects.toThrow(
      "Unknown argument: polcy",
    );
  });
});
