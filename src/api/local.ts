import { spawn } from "node:child_process";
import { mkdir, open, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Clock } from "../util/clock.js";
import { HotspotError } from "../errors.js";
import { loadTrace } from "../traces/load.js";
import type { ControllerEntry } from "../drivers/live/host/controller.js";
import {
  cleanupLocalCloud,
  LOCAL_CREDENTIALS,
  readLocalCloudInfo,
  startLocalCloud,
  type LocalCloud,
  type LocalCloudInfo,
  type LocalCloudOptions,
} from "../cloud/local/service.js";
import { validatePrefix } from "../cloud/local/hosts/names.js";
import { formatInventory, localInventory, type LocalInventory } from "../cloud/local/inventory.js";

/**
 * The local cloud as a service (`hotspot local up/serve/env/status/down`): a `hotspot local serve`
 * process that writes its endpoints to `<state>/local.json` and removes what it made when it ends.
 */

/** Whether `pid` is a local cloud service (a `hotspot local serve` process) still alive. */
async function isService(pid: number): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  const words = cmdline.split("\0");
  const at = words.indexOf("local");
  return at >= 0 && words[at + 1] === "serve";
}

/** What `local.json` under `stateDir` says, whether or not its service still runs; null: none. */
export async function localCloudInfo(stateDir: string): Promise<LocalCloudInfo | null> {
  return readLocalCloudInfo(stateDir);
}

/** The local cloud whose service runs under `stateDir`; null when none does. */
export async function runningLocalCloud(stateDir: string): Promise<LocalCloudInfo | null> {
  const info = await readLocalCloudInfo(stateDir);
  return info !== null && (await isService(info.pid)) ? info : null;
}

/** The running local cloud under `stateDir`, or an error saying how to start it (or clean up after it). */
async function requireRunning(stateDir: string): Promise<LocalCloudInfo> {
  const info = await readLocalCloudInfo(stateDir);
  if (info === null || !(await isService(info.pid))) {
    throw new HotspotError(
      "HOTSPOT_LOCAL_NOT_RUNNING",
      `the local cloud is not running under ${stateDir}${info === null ? "" : ` (pid ${info.pid} is gone: \`sudo hotspot local down\` removes what it left)`}; start it with \`sudo hotspot local up\``,
    );
  }
  return info;
}

/** `hotspot local env`: the running local cloud and the dummy keys its emulator takes. */
export async function localCloudEnv(
  stateDir: string,
): Promise<{ readonly info: LocalCloudInfo; readonly credentials: typeof LOCAL_CREDENTIALS }> {
  return { info: await requireRunning(stateDir), credentials: LOCAL_CREDENTIALS };
}

/** `hotspot local status`: what the running local cloud holds, with its human form. */
export async function localCloudStatus(stateDir: string): Promise<{
  readonly info: LocalCloudInfo;
  readonly inventory: LocalInventory;
  readonly text: string;
}> {
  const info = await requireRunning(stateDir);
  const inventory = await localInventory(info);
  return { info, inventory, text: formatInventory(info, inventory) };
}

export interface StartServiceRequest {
  readonly stateDir: string;
  /** A trace to replay, read here first so a bad one fails before anything starts. */
  readonly tracePath?: string;
  /** The program and the words that run `hotspot local serve` with the service's flags. */
  readonly entry: ControllerEntry;
  readonly serveWords: readonly string[];
  readonly clock: Clock;
}

/** `hotspot local up`: starts the service in the background and waits until it has written its endpoints. */
export async function startLocalCloudService(
  request: StartServiceRequest,
): Promise<{ readonly info: LocalCloudInfo; readonly logPath: string }> {
  const { stateDir, clock } = request;
  if (request.tracePath !== undefined) await loadTrace(request.tracePath);
  await mkdir(stateDir, { recursive: true });
  const logPath = join(stateDir, "local.log");
  const log = await open(logPath, "a");
  let exited: string | null = null;
  try {
    const child = spawn(request.entry.node, [request.entry.script, ...request.serveWords], {
      detached: true,
      stdio: ["ignore", log.fd, log.fd],
    });
    child.on("exit", (code, signal) => (exited = signal ?? `exit ${code}`));
    child.unref();
    const deadline = clock.now() + 60_000;
    for (;;) {
      const info = await readLocalCloudInfo(stateDir);
      if (info !== null && info.pid === child.pid) return { info, logPath };
      if (exited !== null || clock.now() > deadline) {
        const tail = (await readFile(logPath, "utf8").catch(() => ""))
          .trim()
          .split("\n")
          .slice(-5)
          .join("\n  ");
        throw new HotspotError(
          "HOTSPOT_LOCAL_START",
          `the local cloud did not start (${exited ?? "no answer in 60 s"}); ${logPath} ends:\n  ${tail}`,
        );
      }
      await clock.sleep(100);
    }
  } finally {
    await log.close();
  }
}

/** What `startLocalCloud` takes, with the trace as a path (loaded here) and the clock for its start. */
export interface ServeRequest extends Omit<LocalCloudOptions, "trace" | "nowMs"> {
  /** A trace replayed `speed` times faster than the wall clock from its first price. */
  readonly trace?: { readonly path: string; readonly speed: number };
  readonly clock: Clock;
}

/** `hotspot local serve`: runs the local cloud here until its `close()`. */
export async function serveLocalCloud(request: ServeRequest): Promise<LocalCloud> {
  const trace =
    request.trace === undefined
      ? undefined
      : { path: request.trace.path, trace: await loadTrace(request.trace.path), speed: request.trace.speed };
  const { clock, ...options } = request;
  return startLocalCloud({
    ...options,
    prefix: validatePrefix(request.prefix),
    trace,
    nowMs: clock.now(),
  });
}

export interface StopServiceRequest {
  readonly stateDir: string;
  readonly clock: Clock;
  /** The service outlived SIGTERM by a minute: it gets SIGKILL. */
  readonly onKill: (pid: number) => void;
  /** The service was already gone: what it left is removed. */
  readonly onGone: (pid: number) => void;
}

/** `hotspot local down`: stops the service and removes what it made; null when nothing was there. */
export async function stopLocalCloudService(request: StopServiceRequest) {
  const { stateDir, clock } = request;
  const info = await readLocalCloudInfo(stateDir);
  if (info === null) return null;
  if (await isService(info.pid)) {
    process.kill(info.pid, "SIGTERM");
    const deadline = clock.now() + 60_000;
    while ((await isService(info.pid)) && clock.now() < deadline) await clock.sleep(100);
    if (await isService(info.pid)) {
      request.onKill(info.pid);
      process.kill(info.pid, "SIGKILL");
    }
  } else {
    request.onGone(info.pid);
  }
  const report = await cleanupLocalCloud(stateDir, info.prefix);
  return { info, report };
}
