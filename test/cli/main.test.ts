import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";

let stdout: string;
let stderr: string;
beforeEach(() => {
  stdout = "";
  stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("hotspot CLI", () => {
  it("rejects an unknown command with a suggestion and exit code 2", async () => {
    expect(await main(["trac", "info"])).toBe(2);
    expect(stderr).toContain("Did you mean trace?");
  });

  it("rejects an unknown flag with exit code 2 before running anything", async () => {
    expect(await main(["trace", "info", "missing-file.csv", "--no-such-flag"])).toBe(2);
    expect(stderr).toContain("Unknown argument");
    expect(stderr).not.toContain("missing-file.csv: ");
  });

  it("asks for a command when given none", async () => {
    expect(await main([])).toBe(2);
    expect(stderr).toContain("name a command");
  });

  it("prints help for each command with examples and exits 0", async () => {
    for (const argv of [
      ["--help"],
      ["trace", "info", "--help"],
      ["trace", "synth", "--help"],
      ["trace", "fetch", "--help"],
      ["sim", "--help"],
    ]) {
      stdout = "";
      expect(await main(argv)).toBe(0);
      expect(stdout).toContain("hotspot");
      if (argv.length > 1) expect(stdout, argv.join(" ")).toContain("Examples:");
    }
  });

  it("reports a missing trace file as a failed run (exit 1) naming the file", async () => {
    expect(await main(["trace", "info", "does-not-exist.csv", "--no-cache"])).toBe(1);
    expect(stderr).toContain("does-not-exist.csv");
  });
});
