import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  localCloudEnv,
  localCloudInfo,
  localCloudStatus,
  runningLocalCloud,
  startLocalCloudService,
  stopLocalCloudService,
} from "../../src/api.js";
import { startEmulator, type Emulator } from "../../src/cloud/local/index.js";
import { LOCAL_CREDENTIALS } from "../../src/cloud/local/service.js";
import { HotspotError } from "../../src/errors.js";
import { wallClock } from "../../src/util/clock.js";
import { FakeClock } from "../support/fake-clock.js";

// The service's bookkeeping without root: a stand-in process whose command line reads `local serve`
// (what the api takes for a running service) and a local.json naming it; no namespace is made.
let dir: string;
const children: ChildProcess[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-api-local-"));
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });
});

/** A process alive until killed, whose argv has `local serve` after its script. */
function standIn(): ChildProcess {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", "local", "serve"], {
    stdio: "ignore",
  });
  children.push(child);
  return child;
}

const facts = (pid: number, endpoint = "http://127.0.0.1:1") => ({
  version: 1,
  pid,
  endpoint,
  metadata: "http://127.0.0.1:2",
  region: "us-east-1",
  prefix: "hs",
  hostsDir: join(dir, "hosts"),
  startedAt: "2026-01-01T00:00:00.000Z",
  trace: null,
  speed: 1,
});

describe("the local cloud's info and whether it runs", () => {
  it("no local.json: no info, not running, env and status fail saying how to start it, down has nothing to do", async () => {
    expect(await localCloudInfo(dir)).toBeNull();
    expect(await runningLocalCloud(dir)).toBeNull();
    const notRunning = new HotspotError(
      "HOTSPOT_LOCAL_NOT_RUNNING",
      `the local cloud is not running under ${dir}; start it with \`sudo hotspot local up\``,
    );
    await expect(localCloudEnv(dir)).rejects.toThrow(notRunning);
    await expect(localCloudStatus(dir)).rejects.toThrow(notRunning);
    const told: string[] = [];
    const down = await stopLocalCloudService({
      stateDir: dir,
      clock: new FakeClock(),
      onKill: () => told.push("kill"),
      onGone: () => told.push("gone"),
    });
    expect(down).toBeNull();
    expect(told).toEqual([]);
  });

  it("a local.json whose pid is no service: info, but not running, and env says the pid is gone", async () => {
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    children.push(child);
    await writeFile(join(dir, "local.json"), JSON.stringify(facts(child.pid!)));
    expect((await localCloudInfo(dir))?.pid).toBe(child.pid);
    expect(await runningLocalCloud(dir)).toBeNull();
    await expect(localCloudEnv(dir)).rejects.toThrow(`(pid ${child.pid} is gone:`);
  });

  it("a running service: env gives its facts and the emulator's dummy keys, status its inventory", async () => {
    const emulator: Emulator = await startEmulator({ latency: { factor: 0 } });
    try {
      const child = standIn();
      await writeFile(join(dir, "local.json"), JSON.stringify(facts(child.pid!, emulator.endpoint)));
      expect((await runningLocalCloud(dir))?.pid).toBe(child.pid);
      const env = await localCloudEnv(dir);
      expect(env.info.endpoint).toBe(emulator.endpoint);
      expect(env.credentials).toEqual(LOCAL_CREDENTIALS);
      const status = await localCloudStatus(dir);
      expect(status.inventory.instances).toEqual([]);
      expect(status.inventory.volumes).toEqual([]);
      expect(status.text.split("\n")[0]).toBe(
        `local cloud: pid ${child.pid}, up since 2026-01-01T00:00:00.000Z; EC2 ${emulator.endpoint}; metadata http://127.0.0.1:2`,
      );
    } finally {
      await emulator.close();
    }
  });
});

describe("startLocalCloudService", () => {
  it("returns once the started process has written local.json with its own pid", async () => {
    // The stand-in service writes its facts after a moment, as `local serve` does once it listens.
    const script = join(dir, "serve.mjs");
    await writeFile(
      script,
      `import { renameSync, writeFileSync } from "node:fs";
const [stateDir] = process.argv.slice(2);
const text = JSON.stringify(${JSON.stringify(facts(0))}).replace('"pid":0', '"pid":' + process.pid);
// Written aside and renamed, so the reader never sees half a file.
setTimeout(() => {
  writeFileSync(stateDir + "/local.json.tmp", text);
  renameSync(stateDir + "/local.json.tmp", stateDir + "/local.json");
}, 50);
setInterval(() => {}, 1000);
`,
    );
    const stateDir = join(dir, "state");
    const { info, logPath } = await startLocalCloudService({
      stateDir,
      entry: { node: process.execPath, script },
      serveWords: [stateDir],
      // Real pauses: the child needs real time to start.
      clock: wallClock,
    });
    children.push({ kill: (signal: NodeJS.Signals) => process.kill(info.pid, signal) } as ChildProcess);
    expect(info.endpoint).toBe("http://127.0.0.1:1");
    expect(logPath).toBe(join(stateDir, "local.log"));
  });

  it("a process that exits before writing its facts fails with its log's tail", async () => {
    const script = join(dir, "fail.mjs");
    await writeFile(script, `console.error("cannot bind 127.0.0.1:4566"); process.exit(3);\n`);
    const stateDir = join(dir, "state");
    await expect(
      startLocalCloudService({
        stateDir,
        entry: { node: process.execPath, script },
        serveWords: [],
        clock: wallClock,
      }),
    ).rejects.toThrow(
      new HotspotError(
        "HOTSPOT_LOCAL_START",
        `the local cloud did not start (exit 3); ${join(stateDir, "local.log")} ends:\n  cannot bind 127.0.0.1:4566`,
      ),
    );
  });
});
