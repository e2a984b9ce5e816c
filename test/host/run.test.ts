import { describe, expect, it } from "vitest";
import { HostCommandError, run } from "../../src/host/run.js";

describe("host commands", () => {
  it("returns trimmed stdout", async () => {
    expect(await run("printf", ["  a b \\n\\n"])).toBe("a b");
  });
  it("fails with the command, exit code and stderr tail", async () => {
    const error = await run("ls", ["/hotspot-no-such-path"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostCommandError);
    const e = error as HostCommandError;
    expect(e.code).toBe("HOTSPOT_HOST_COMMAND");
    expect(e.command).toEqual(["ls", "/hotspot-no-such-path"]);
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/^ls \/hotspot-no-such-path: exit 2: .*No such file or directory/);
  });
});
