import { existsSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { HotspotError } from "../../../errors.js";
import { HostCommandError, runIn } from "../../../host/run.js";
import { criuPath, logTail } from "../../../host/criu.js";
import { dumpToPageServerArgs, type PageServerEndpoint } from "./page-server.js";

async function criuIn(netns: string, args: string[], imagesDir: string, log: string): Promise<void> {
  try {
    await runIn(netns, criuPath(), args);
  } catch (err) {
    const detail = err instanceof HostCommandError ? await logTail(imagesDir, log) : "";
    throw new HotspotError("HOTSPOT_CRIU", `criu ${args[0]} in ${netns} failed: ${detail || String(err)}`, {
      cause: err,
    });
  }
}

/**
 * Stop-and-copy dump of the process tree rooted at `pid` into `imagesDir`; established TCP
 * connections are kept in repair mode. criu runs in the tree's network namespace so the namespace
 * itself is not dumped (it stays with the instance; the ENI carries the address). With `pageServer`,
 * memory goes there instead of `imagesDir`.
 */
export async function dump(
  netns: string,
  pid: number,
  imagesDir: string,
  pageServer?: PageServerEndpoint,
): Promise<void> {
  await criuIn(
    netns,
    [
      "dump",
      "-t",
      String(pid),
      "-D",
      imagesDir,
      "--tcp-established",
      ...(pageServer === undefined ? [] : dumpToPageServerArgs(pageServer)),
      "-o",
      "dump.log",
      "-v2",
    ],
    imagesDir,
    "dump.log",
  );
}

/** Restores the tree from `imagesDir` inside `netns`, detached; returns the restored root's host PID. */
export async function restore(
  netns: string,
  imagesDir: string,
  options: { lazy?: boolean } = {},
): Promise<number> {
  const pidFile = join(imagesDir, "restored.pid");
  const args = [
    "restore",
    "-D",
    imagesDir,
    "--tcp-established",
    "-d",
    "--pidfile",
    pidFile,
    "-o",
    "restore.log",
    "-v2",
  ];
  if (options.lazy) args.push("--lazy-pages");
  await criuIn(netns, args, imagesDir, "restore.log");
  return Number((await readFile(pidFile, "utf8")).trim());
}

/** Bytes of the checkpoint images (pages dominate). */
export async function imagesSize(imagesDir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(imagesDir)) {
    if (name.endsWith(".img")) total += (await stat(join(imagesDir, name))).size;
  }
  return total;
}

/** A lazy (post-copy) dump in progress: its page server serves memory until the restored side has it all. */
export interface LazyDump {
  /** Resolves when every page was transferred and the source tree is gone. */
  readonly finished: Promise<void>;
}

function spawnCriuIn(netns: string, args: string[]): ResultPromise {
  return execa("nsenter", [`--net=/run/netns/${netns}`, criuPath(), ...args], {
    stdio: "ignore",
    reject: false,
  });
}

async function finishedOk(proc: ResultPromise, what: string, imagesDir: string, log: string): Promise<void> {
  const result = await proc;
  if (result.exitCode !== 0) {
    throw new HotspotError(
      "HOTSPOT_CRIU",
      `${what} failed (exit ${result.exitCode}): ${await logTail(imagesDir, log)}`,
    );
  }
}

/**
 * Post-copy dump: writes everything but memory to `imagesDir`, then serves pages on
 * 127.0.0.1:`port` of the source namespace. Resolves once the images are written (downtime so far).
 */
export async function dumpLazy(
  netns: string,
  pid: number,
  imagesDir: string,
  port: number,
  timeoutMs = 600_000,
): Promise<LazyDump> {
  const proc = spawnCriuIn(netns, [
    "dump",
    "-t",
    String(pid),
    "-D",
    imagesDir,
    "--tcp-established",
    "--lazy-pages",
    "--address",
    "127.0.0.1",
    "--port",
    String(port),
    "-o",
    "dump.log",
    "-v3",
  ]);
  const finished = finishedOk(proc, "lazy criu dump", imagesDir, "dump.log");
  finished.catch(() => undefined);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const log = await readFile(join(imagesDir, "dump.log"), "utf8").catch(() => "");
    if (log.includes("Starting lazy pages server")) return { finished };
    if (proc.nodeChildProcess.exitCode !== null || Date.now() > deadline) {
      await finished;
      throw new HotspotError("HOTSPOT_CRIU", `lazy criu dump in ${netns} ended before serving pages`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The lazy-pages daemon: fetches pages from the source's page server and feeds the restored tree's
 * page faults. It runs in the source namespace to reach the page server on its loopback (the two
 * instances share this machine); it talks to the restore through a socket in `imagesDir`.
 */
export function startLazyPagesDaemon(sourceNetns: string, imagesDir: string, port: number): Promise<void> {
  const proc = spawnCriuIn(sourceNetns, [
    "lazy-pages",
    "--page-server",
    "--address",
    "127.0.0.1",
    "--port",
    String(port),
    "-D",
    imagesDir,
    "-o",
    "lazy-pages.log",
    "-v2",
  ]);
  return finishedOk(proc, "criu lazy-pages", imagesDir, "lazy-pages.log");
}

/** Waits until the lazy-pages daemon's socket exists, so a restore can connect to it. */
export async function waitLazySocket(imagesDir: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(join(imagesDir, "lazy-pages.socket"))) {
    if (Date.now() > deadline)
      throw new HotspotError("HOTSPOT_CRIU", "criu lazy-pages daemon did not open its socket");
    await new Promise((r) => setTimeout(r, 20));
  }
}
