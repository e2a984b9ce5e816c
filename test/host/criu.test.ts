import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CPU_CAP,
  CPUINFO_IMAGE,
  cpuinfoCheck,
  cpuinfoDump,
  criuPath,
  hostArchitecture,
  logTail,
  pathWithCriu,
} from "../../src/host/criu.js";
import { HotspotError } from "../../src/errors.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-criu-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A stand-in for criu: a shell script that writes `log` into its -o file in its -D folder and exits. */
async function fakeCriu(name: string, log: string, exit: number): Promise<string> {
  const path = join(dir, name);
  const script = `#!/bin/sh
while [ $# -gt 0 ]; do case "$1" in -D) d="$2"; shift;; -o) o="$2"; shift;; esac; shift; done
printf '%s' '${log}' > "$d/$o"
echo "fake stderr" >&2
exit ${exit}
`;
  await writeFile(path, script);
  await chmod(path, 0o755);
  return path;
}

describe("where criu is", () => {
  it("HOTSPOT_CRIU wins; PATH gets criu's folder first (none for a bare name)", () => {
    const saved = process.env.HOTSPOT_CRIU;
    process.env.HOTSPOT_CRIU = "/x/criu";
    try {
      expect(criuPath()).toBe("/x/criu");
    } finally {
      if (saved === undefined) delete process.env.HOTSPOT_CRIU;
      else process.env.HOTSPOT_CRIU = saved;
    }
    expect(pathWithCriu("/opt/hotspot/bin/criu")).toBe(`/opt/hotspot/bin${delimiter}${process.env.PATH}`);
    expect(pathWithCriu("criu")).toBe(process.env.PATH ?? "");
    expect(CPU_CAP).toBe("--cpu-cap=fpu,ins");
    expect(hostArchitecture()).toBe(process.arch === "x64" ? "x86_64" : process.arch);
  });
});

describe("logTail", () => {
  it("gives the last 4 error lines of each log, else its last lines, and names logs never written", async () => {
    const logs = await mkdtemp(join(dir, "logs-"));
    await writeFile(
      join(logs, "dump.log"),
      [
        "(0.1) ok",
        "(0.2) Error (a): one",
        "(0.3) RLIMIT_NOFILE error ignored",
        "(0.4) Error (b): two",
        "",
      ].join("\n"),
    );
    await writeFile(join(logs, "lxc.log"), ["line 1", "line 2", "line 3", "line 4", "line 5"].join("\n"));
    await writeFile(join(logs, "empty.log"), "  \n");
    expect(await logTail(logs, "dump.log", "lxc.log", "empty.log", "restore.log")).toBe(
      `dump.log: (0.2) Error (a): one | (0.4) Error (b): two; lxc.log: line 2 | line 3 | line 4 | line 5; no empty.log or restore.log written in ${logs}`,
    );
  });
});

describe("criu cpuinfo (a stand-in criu)", () => {
  it("dump: passes on exit 0, else HOTSPOT_CRIU with the exit code, the log's tail and stderr", async () => {
    const out = await mkdtemp(join(dir, "dump-"));
    await cpuinfoDump(out, { criu: await fakeCriu("ok", "done", 0) });
    const error = await cpuinfoDump(out, {
      criu: await fakeCriu("bad", "Error (cpu.c:1): no xsave", 1),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HotspotError);
    expect([(error as HotspotError).code, (error as Error).message]).toEqual([
      "HOTSPOT_CRIU",
      `criu cpuinfo dump into ${out} failed (exit 1): cpuinfo-dump.log: Error (cpu.c:1): no xsave | fake stderr`,
    ]);
  });

  it("check: compatible on exit 0; CRIU's cpu: error lines are a mismatch; any other failure throws", async () => {
    const out = await mkdtemp(join(dir, "check-"));
    expect(await cpuinfoCheck(out, { criu: await fakeCriu("c-ok", "", 0) })).toEqual({ compatible: true });
    const mismatch = "(0.01) Error (criu/arch/x86/cpu.c:223): cpu: CPU instruction capabilities do not match";
    expect(await cpuinfoCheck(out, { criu: await fakeCriu("c-no", mismatch, 1) })).toEqual({
      compatible: false,
      detail: "Error (criu/arch/x86/cpu.c:223): cpu: CPU instruction capabilities do not match",
    });
    const broken = await cpuinfoCheck(out, {
      criu: await fakeCriu("c-broken", "(0.01) Error (image.c:9): no cpuinfo.img", 1),
    }).catch((e: unknown) => e);
    expect((broken as HotspotError).code).toBe("HOTSPOT_CRIU");
    expect((broken as Error).message).toBe(
      `criu cpuinfo check of ${join(out, CPUINFO_IMAGE)} failed (exit 1): cpuinfo-check.log: (0.01) Error (image.c:9): no cpuinfo.img | fake stderr`,
    );
  });
});
