import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { commandTable } from "../../src/cli/main.js";

describe("hotspot CLI", () => {
  it("rejects an unknown command with a suggestion and exit code 2", async () => {
    const { code, stderr } = await runCli(["trac", "info"]);
    expect(code).toBe(2);
    expect(stderr).toContain("Did you mean trace?");
  });

  it("rejects an unknown flag with exit code 2 before running anything", async () => {
    const { code, stderr } = await runCli(["trace", "info", "missing-file.csv", "--no-such-flag"]);
    expect(code).toBe(2);
    expect(stderr).toContain("Unknown argument");
    expect(stderr).not.toContain("missing-file.csv: ");
  });

  it("suggests the closest flag for a mistyped one", async () => {
    const { code, stderr } = await runCli(["sim", "--memorry", "8", "--polcy", "greedy"]);
    expect(code).toBe(2);
    expect(stderr).toContain("--memorry: did you mean --memory?");
    expect(stderr).toContain("--polcy: did you mean --policy?");
  });

  it("asks for a command when given none", async () => {
    const { code, stderr } = await runCli([]);
    expect(code).toBe(2);
    expect(stderr).toContain("name a command");
  });

  it("prints help for each command with examples and exits 0", async () => {
    const commands = [
      ["trace", "info"],
      ["trace", "synth"],
      ["trace", "fetch"],
      ["sim"],
      ["report"],
      ["sweep"],
      ["merge"],
      ["setup"],
      ["live"],
    ];
    const root = await runCli(["--help"]);
    expect(root.code).toBe(0);
    for (const command of ["trace", "sim", "report", "sweep", "merge", "setup", "live"])
      expect(root.stdout).toContain(`hotspot ${command}`);
    for (const argv of commands) {
      const { code, stdout } = await runCli([...argv, "--help"]);
      expect(code, argv.join(" ")).toBe(0);
      expect(stdout, argv.join(" ")).toContain("Examples:");
    }
  });

  it("lists each command, before loading it, with its module's own name and description", async () => {
    for (const [name, entry] of Object.entries(commandTable)) {
      const module = await entry.load();
      expect(module.command, name).toBe(entry.command);
      expect(module.describe, name).toBe(entry.describe);
    }
  });

  it("reports a missing trace file as a failed run (exit 1) naming the file", async () => {
    const { code, stderr } = await runCli(["trace", "info", "does-not-exist.csv", "--no-cache"]);
    expect(code).toBe(1);
    expect(stderr).toContain("does-not-exist.csv");
  });
});
