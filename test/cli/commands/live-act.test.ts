import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TAG_HOP, TAG_STACK } from "../../../src/drivers/live/hop/hop.js";
import {
  AMI,
  harnessConfig,
  liveHarness,
  STACK,
  ZONE,
  type LiveHarness,
} from "../../support/live-harness.js";
import { runCli } from "../../support/run-cli.js";

let h: LiveHarness;
beforeEach(async () => {
  h = await liveHarness();
});
afterEach(async () => {
  await h.close();
});

describe("hotspot live gc (through main, real SDK against the emulator)", () => {
  it("lists with --dry-run, then terminates, the instance of ours the journal does not account for", async () => {
    const stateDir = dirname(h.journalPath);
    const configPath = join(stateDir, "hotspot.json");
    await writeFile(
      configPath,
      JSON.stringify(harnessConfig(h.resources.volumeId, h.resources.networkInterfaceId)),
    );
    const orphan = (
      await h.compute.runInstance({
        clientToken: "orphan",
        imageId: AMI,
        instanceType: "m4.large",
        zone: ZONE,
        lifecycle: "on-demand",
        tags: { [TAG_STACK]: STACK, [TAG_HOP]: "hop-000042" },
      })
    ).id;
    await h.scheduler.advance(2_000);
    const args = [
      "live",
      "gc",
      "--config",
      configPath,
      "--cloud",
      "local",
      "--endpoint",
      h.emulator.endpoint,
    ];
    const args2 = [...args, "--state-dir", stateDir];

    const dry = await runCli([...args2, "--dry-run"]);
    expect(dry).toEqual({
      code: 0,
      stdout: `would terminate 1 orphan(s): ${orphan}\nkept 1: ${h.source}\n`,
      stderr: "",
    });
    expect(h.emulator.state.instances.get(orphan)!.state).toBe("running");

    const real = await runCli(args2);
    expect(real.stdout).toBe(`terminated 1 orphan(s): ${orphan}\nkept 1: ${h.source}\n`);
    await h.scheduler.advance(5_000);
    expect(h.emulator.state.instances.get(orphan)!.state).toBe("terminated");
    expect(h.emulator.state.instances.get(h.source)!.state).toBe("running");
  });

  it("on EC2 looks for the journal on the container's volume, where acting keeps it (exit 1 when it is not there)", async () => {
    const configPath = join(dirname(h.journalPath), "hotspot.json");
    await writeFile(
      configPath,
      JSON.stringify(harnessConfig(h.resources.volumeId, h.resources.networkInterfaceId)),
    );
    const requests = h.emulator.state.requestLog.length;
    const gc = (more: string[]) =>
      runCli(["live", "gc", "--config", configPath, "--endpoint", h.emulator.endpoint, ...more]);
    const byDefault = await gc([]);
    expect(byDefault.code).toBe(1);
    expect(byDefault.stderr).toContain("/mnt/hotspot/hotspot/journal.json");
    const elsewhere = await gc(["--mount", "/data/hs"]);
    expect(elsewhere.stderr).toContain("/data/hs/hotspot/journal.json");
    // The journal is read before EC2 is asked anything.
    expect(h.emulator.state.requestLog).toHaveLength(requests);
  });

  it("refuses acting-only flags with gc (exit 2)", async () => {
    const { code, stderr } = await runCli(["live", "gc", "--duration", "1h"]);
    expect(code).toBe(2);
    expect(stderr).toContain('--duration: expected not with live gc, found "1h"');
  });
});
