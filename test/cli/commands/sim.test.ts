import yargs from "yargs";
import { describe, expect, it } from "vitest";
import { simCommand } from "../../../src/cli/commands/sim.js";

/** Parses `argv` through sim's builder on a bare yargs root, returning what the handler would get. */
async function parsed(argv: string[]): Promise<Record<string, unknown>> {
  let got: Record<string, unknown> | undefined;
  await yargs(["sim", ...argv])
    .command({ ...simCommand, handler: (args) => void (got = { ...args }) })
    .strict()
    .exitProcess(false)
    .fail((message) => {
      throw new Error(message);
    })
    .parseAsync();
  return got!;
}

describe("hotspot sim's flags (its yargs builder)", () => {
  it("defaults every run setting as the help documents them", async () => {
    const args = await parsed([]);
    expect(args).toMatchObject({
      policy: ["all"],
      interval: "300",
      maxDecisions: "2000000",
      billing: "per-second",
      interruptions: "auto",
      bidMultiple: "1",
      rebalanceLead: "0",
      availabilityReading: "preempted",
      advisorOs: "Linux",
      durations: "mean",
      seed: "1",
      memory: "8",
      cpuCompat: "same-vendor",
      utilisation: "1",
      transfer: "network",
      historyWindow: "1d",
      maxUnpriced: "0.05",
      json: false,
    });
    expect(args.trace).toBeUndefined();
  });

  it("takes --zone for --zones, and repeated --policy and --param as lists", async () => {
    const args = await parsed([
      "--zone",
      "us-east-1a",
      "--policy",
      "greedy",
      "--policy",
      "hotspot",
      "--param",
      "minSaving=0.1",
      "--trace",
      "t.csv",
    ]);
    expect(args.zones).toEqual(["us-east-1a"]);
    expect(args.policy).toEqual(["greedy", "hotspot"]);
    expect(args.param).toEqual(["minSaving=0.1"]);
    expect(args.trace).toBe("t.csv");
  });

  it("refuses an unknown flag", async () => {
    await expect(parsed(["--polcy", "greedy"])).rejects.toThrow("Unknown argument: polcy");
  });
});
