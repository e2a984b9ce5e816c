import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import type { Readable } from "node:stream";
import { HotspotError, InputFormatError, shown } from "../../../errors.js";
import { criuPath, logTail } from "../../../host/criu.js";

/** Where a CRIU page server listens: the target instance's private address and a TCP port. */
export interface PageServerEndpoint {
  readonly address: string;
  readonly port: number;
}

/** The page server's log, in the directory it writes pages to. */
export const PAGE_SERVER_LOG = "page-server.log";

/** Descriptor on which `criu page-server --status-fd` says it listens (the child's fourth stdio slot). */
const STATUS_FD = 3;

function checkedEndpoint(endpoint: PageServerEndpoint): PageServerEndpoint {
  const octets = endpoint.address.split(".");
  if (octets.length !== 4 || octets.some((o) => !/^\d{1,3}$/.test(o) || Number(o) > 255)) {
    throw new InputFormatError("page server address", "an IPv4 address a.b.c.d", shown(endpoint.address));
  }
  if (!Number.isInteger(endpoint.port) || endpoint.port < 1 || endpoint.port > 65535) {
    throw new InputFormatError("page server port", "an integer 1..65535", String(endpoint.port));
  }
  return endpoint;
}

/**
 * `criu page-server` arguments: receive one dump's memory (pagemap and pages images) into `imagesDir`
 * on `endpoint`, say so on STATUS_FD once listening, and exit when the dump closes the connection.
 */
export function pageServerArgs(imagesDir: string, endpoint: PageServerEndpoint): string[] {
  const { address, port } = checkedEndpoint(endpoint);
  return [
    "page-server",
    "-D",
    imagesDir,
    "--address",
    address,
    "--port",
    String(port),
    "--status-fd",
    String(STATUS_FD),
    "-o",
    PAGE_SERVER_LOG,
    "-v2",
  ];
}

/** What `criu dump` adds so memory goes to the page server at `endpoint` instead of its images directory. */
export function dumpToPageServerArgs(endpoint: PageServerEndpoint): string[] {
  const { address, port } = checkedEndpoint(endpoint);
  return ["--page-server", "--address", address, "--port", String(port)];
}

/**
 * The same as lines of a CRIU configuration file (CRIU_CONFIG_FILE), for dumps run by lxc-checkpoint,
 * which passes no criu arguments of ours.
 */
export function dumpToPageServerConfig(endpoint: PageServerEndpoint): string[] {
  const { address, port } = checkedEndpoint(endpoint);
  return ["page-server", `address ${address}`, `port ${port}`];
}

/** A page server started on the target, receiving one dump. */
export interface PageServer {
  /** Resolves when the server exited after a whole dump session; rejects with HOTSPOT_CRIU otherwise. */
  readonly finished: Promise<void>;
  /** Kills it if it still runs and waits for its exit (cleanup after a failed dump). Idempotent. */
  stop(): Promise<void>;
}

/** Resolves once `criu page-server` wrote its readiness byte; rejects if the stream ends without one. */
function ready(status: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    status.once("data", () => resolve());
    status.once("end", () => reject(new Error("closed without a readiness byte")));
    status.once("error", reject);
  });
}

/**
 * Starts `criu page-server` inside the target instance's namespace (`netns`), writing into `imagesDir`;
 * resolves once it listens on `endpoint`. A server that exits first is reaped and reported with its
 * log's tail (HOTSPOT_CRIU), so nothing is left running.
 */
export async function startPageServer(
  netns: string,
  imagesDir: string,
  endpoint: PageServerEndpoint,
): Promise<PageServer> {
  const proc: ChildProcess = spawn(
    "nsenter",
    [`--net=/run/netns/${netns}`, criuPath(), ...pageServerArgs(imagesDir, endpoint)],
    { stdio: ["ignore", "ignore", "ignore", "pipe"] },
  );
  const exited = once(proc, "close").then(
    ([code, signal]) => ({ code: code as number | null, signal: signal as string | null }),
    (error: unknown) => ({ code: null, signal: `spawn error ${String(error)}` }),
  );
  const where = `on ${endpoint.address}:${endpoint.port} in ${netns}`;
  const finished = (async () => {
    const { code, signal } = await exited;
    if (code !== 0) {
      throw new HotspotError(
        "HOTSPOT_CRIU",
        `criu page-server ${where}: expected exit 0 after the dump, found ${code === null ? `signal ${signal ?? "none"}` : `exit ${code}`}: ${await logTail(imagesDir, PAGE_SERVER_LOG)}`,
      );
    }
  })();
  finished.catch(() => undefined);
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
    await exited;
  };
  const status = proc.stdio[STATUS_FD] as Readable;
  try {
    await ready(status);
  } catch (error) {
    await stop();
    const { code, signal } = await exited;
    throw new HotspotError(
      "HOTSPOT_CRIU",
      `criu page-server ${where}: expected it to listen, found it ended (${code === null ? `signal ${signal ?? "none"}` : `exit ${code}`}): ${await logTail(imagesDir, PAGE_SERVER_LOG)}`,
      { cause: error },
    );
  }
  status.destroy();
  return { finished, stop };
}
