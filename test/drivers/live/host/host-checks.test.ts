import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HostCommandError } from "../../../../src/host/run.js";
import {
  criuCheck,
  lxcCgroupCheck,
  trialCheckpoint,
  writableCheck,
} from "../../../../src/drivers/live/host/host-checks.js";
import { cgroupPaths } from "../../../../src/drivers/live/host/cgroup-usage.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-host-checks-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("the container hosts' preflight checks (this machine's real /proc, cgroups and filesystem)", () => {
  it("a process outside LXC's cgroups (this test) fails the cgroup check, naming where it is", async () => {
    const paths = [...new Set((await cgroupPaths(process.pid))!.values())].join(", ");
    expect(await lxcCgroupCheck(process.pid, "app")).toEqual({
      check: "container in LXC's cgroups",
      ok: false,
      detail: `expected init ${process.pid} of app in cgroup lxc.payload.app (started by lxc-start), found ${paths}`,
    });
    expect((await lxcCgroupCheck(2 ** 22 + 1, "app")).detail).toBe(
      `expected the init process of app alive, found no process ${2 ** 22 + 1}`,
    );
  });

  it("the volume writable: a file written, synced and removed; nothing mounted fails", async () => {
    expect(await writableCheck(dir, true)).toEqual({
      check: "volume mounted and writable",
      ok: true,
      detail: `${dir} mounted, a file written and synced`,
    });
    expect(await readdir(dir)).toEqual([]);
    expect((await writableCheck(join(dir, "missing"), true)).ok).toBe(false);
    expect((await writableCheck(dir, false)).detail).toBe(
      `expected the volume mounted at ${dir}, found nothing mounted there`,
    );
  });

  it("the trial checkpoint: the image's bytes summed over its files, then removed; a failed dump is a failed check", async () => {
    const images = join(dir, "checkpoint-trial");
    const ok = await trialCheckpoint(images, async () => {
      await writeFile(join(images, "pages-1.img"), Buffer.alloc(3 * 4096));
      await writeFile(join(images, "core-1.img"), Buffer.alloc(100));
    });
    expect(ok.trial!.imageBytes).toBe(3 * 4096 + 100);
    expect(ok.trial!.seconds).toBeGreaterThanOrEqual(0);
    expect(ok.check.ok).toBe(true);
    expect(await readdir(dir)).toEqual([]);
    const bad = await trialCheckpoint(images, async () => {
      throw new Error("lxc-checkpoint  of app failed: lxc-dump.log: ERROR criu - dump failed");
    });
    expect(bad).toEqual({
      check: {
        check: "trial checkpoint",
        ok: false,
        detail:
          "expected a checkpoint that leaves the container running, found lxc-checkpoint  of app failed: lxc-dump.log: ERROR criu - dump failed",
      },
      trial: null,
    });
  });

  it("criu check: its complaint is the detail", async () => {
    const failure = new HostCommandError(
      ["criu", "check"],
      1,
      "Error (criu/kerndat.c:1615): kerndat_vdso_fill_symtable failed when initializing kerndat.",
    );
    expect(await criuCheck(() => Promise.reject(failure))).toEqual({
      check: "criu check",
      ok: false,
      detail:
        "expected criu check to pass on this kernel, found criu check: exit 1: Error (criu/kerndat.c:1615): kerndat_vdso_fill_symtable failed when initializing kerndat.",
    });
    expect((await criuCheck(async () => "Looks good.")).ok).toBe(true);
  });
});
