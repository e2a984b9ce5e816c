import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runCli } from "../../support/run-cli.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-local-cli-"));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe("hotspot local: the service's commands when nothing runs, and without root", () => {
  it("down with nothing running says so and exits 0, creating nothing", async () => {
    const stateDir = join(dir, "state");
    const down = await runCli(["local", "down", "--state-dir", stateDir]);
    expect(down.code).toBe(0);
    expect(down.stdout).toBe(`hotspot local: nothing to stop under ${stateDir}\n`);
    expect(await readdir(dir)).toEqual([]);
  });

  it("env and status with nothing running fail, naming the state directory and how to start it", async () => {
    for (const action of ["env", "status"]) {
      const shown = await runCli(["local", action, "--state-dir", dir]);
      expect(shown.code).toBe(1);
      expect(shown.stderr).toContain(dir);
      expect(shown.stderr).toContain("hotspot local up");
    }
  });

  it("up and down as a non-root user (getuid mocked to 1000) refuse, saying root is needed and why", async () => {
    vi.spyOn(process, "getuid").mockReturnValue(1000);
    for (const action of ["up", "down"]) {
      const refused = await runCli(["local", action, "--state-dir", join(dir, "state")]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(
        `hotspot: hotspot local ${action} needs root (it makes network namespaces, veths, loop devices, mounts and iptables rules): found uid 1000; run it with sudo [HOTSPOT_NEEDS_ROOT]\n`,
      );
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it("an unknown action lists the actions", async () => {
    const unknown = await runCli(["local", "start"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('expected one of up, serve, env, status, down, found "start"');
  });
});
