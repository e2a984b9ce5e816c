import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { HotspotError } from "../../errors.js";
import type { Trace } from "../../traces/types.js";
import { writeFileAtomic } from "../../util/atomic-write.js";
import { startEmulator, type Emulator } from "./emulator.js";
import { cleanupAll, type CleanupReport } from "./hosts/cleanup.js";
import { NamespaceHostBackend } from "./hosts/namespace-backend.js";
import { recordsFromTrace, type SpotPriceRecord } from "./spot-prices.js";

/** What a running local cloud tells the commands that use it (`<state-dir>/local.json`). */
export interface LocalCloudInfo {
  readonly version: 1;
  readonly pid: number;
  /** EC2 API endpoint (AWS_ENDPOINT_URL_EC2). */
  readonly endpoint: string;
  /** Instance metadata base: each instance's under `<metadata>/<instance-id>`. */
  readonly metadata: string;
  readonly region: string;
  /** Tag prefix of its namespaces, veths and iptables chains. */
  readonly prefix: string;
  /** State directory of the namespace hosts (volume images and mounts, user-data logs). */
  readonly hostsDir: string;
  readonly startedAt: string;
  /** The replayed trace, if any, and how much faster than real time. */
  readonly trace: string | null;
  readonly speed: number;
}

export interface LocalCloudOptions {
  readonly stateDir: string;
  readonly prefix: string;
  readonly region: string;
  readonly port: number;
  readonly metadataPort: number;
  readonly latencyFactor: number;
  readonly seed: number;
  /** Replayed against the wall clock: the trace's first price appears at start. */
  readonly trace?: { readonly path: string; readonly trace: Trace; readonly speed: number };
  readonly nowMs: number;
}

/** The emulator checks only that a request is signed: these dummy keys are no secret. */
export const LOCAL_CREDENTIALS = {
  accessKeyId: "AKIDLOCALCLOUD000000",
  secretAccessKey: "local-cloud-dummy-secret",
} as const;

export const INFO_FILE = "local.json";

export function infoPath(stateDir: string): string {
  return join(stateDir, INFO_FILE);
}

export function hostsDirOf(stateDir: string): string {
  return join(stateDir, "hosts");
}

/**
 * A trace's records moved onto the wall clock: the trace's start plays at `nowMs`, and `speed` trace
 * seconds pass per real second, so a month of history plays in an hour at speed 720.
 */
export function replayRecords(trace: Trace, nowMs: number, speed: number): SpotPriceRecord[] {
  const records = recordsFromTrace(trace);
  const startMs = records.reduce((min, r) => Math.min(min, r.timeMs), Infinity);
  return records.map((r) => ({ ...r, timeMs: nowMs + Math.round((r.timeMs - startMs) / speed) }));
}

/** The local cloud as one service: the EC2 emulator on its namespace data plane, with instance metadata. */
export interface LocalCloud {
  readonly info: LocalCloudInfo;
  readonly emulator: Emulator;
  /** Stops serving and removes everything it made (namespaces, veths, loop devices, mounts, processes). */
  close(): Promise<void>;
}

export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const hostsDir = hostsDirOf(options.stateDir);
  const backend = new NamespaceHostBackend({
    prefix: options.prefix,
    stateDir: hostsDir,
    // What an instance profile gives an EC2 instance: credentials its software finds in the default chain.
    userDataEnv: {
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_REGION: options.region,
    },
  });
  await backend.init();
  let emulator: Emulator;
  try {
    emulator = await startEmulator({
      port: options.port,
      metadataPort: options.metadataPort,
      region: options.region,
      backend,
      latency: { factor: options.latencyFactor, seed: options.seed },
      spotPrices:
        options.trace === undefined
          ? []
          : replayRecords(options.trace.trace, options.nowMs, options.trace.speed),
    });
  } catch (error) {
    await backend.close();
    throw error;
  }
  const info: LocalCloudInfo = {
    version: 1,
    pid: process.pid,
    endpoint: emulator.endpoint,
    metadata: emulator.metadataBase,
    region: options.region,
    prefix: options.prefix,
    hostsDir,
    startedAt: new Date(options.nowMs).toISOString(),
    trace: options.trace?.path ?? null,
    speed: options.trace?.speed ?? 1,
  };
  await writeFileAtomic(infoPath(options.stateDir), [`${JSON.stringify(info, null, 2)}\n`]);
  return {
    info,
    emulator,
    close: async () => {
      try {
        await emulator.close();
      } finally {
        await rm(infoPath(options.stateDir), { force: true });
      }
    },
  };
}

/** The running local cloud's facts, or null when none was started under `stateDir`. */
export async function readLocalCloudInfo(stateDir: string): Promise<LocalCloudInfo | null> {
  const path = infoPath(stateDir);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  let parsed: Partial<LocalCloudInfo>;
  try {
    parsed = JSON.parse(text) as Partial<LocalCloudInfo>;
  } catch {
    throw new HotspotError(
      "HOTSPOT_LOCAL_STATE",
      `${path}: expected the local cloud's JSON facts, found unparsable text`,
    );
  }
  for (const key of ["endpoint", "metadata", "region", "prefix", "hostsDir"] as const) {
    if (typeof parsed[key] !== "string") {
      throw new HotspotError(
        "HOTSPOT_LOCAL_STATE",
        `${path}: expected a string "${key}", found ${JSON.stringify(parsed[key])}`,
      );
    }
  }
  if (parsed.version !== 1 || typeof parsed.pid !== "number") {
    throw new HotspotError(
      "HOTSPOT_LOCAL_STATE",
      `${path}: expected version 1 with a pid, found ${JSON.stringify({ version: parsed.version, pid: parsed.pid })}`,
    );
  }
  return parsed as LocalCloudInfo;
}

/** Removes what a local cloud that died without closing (SIGKILL, a crash) left behind. */
export async function cleanupLocalCloud(stateDir: string, prefix: string): Promise<CleanupReport> {
  const report = await cleanupAll(prefix, hostsDirOf(stateDir));
  await rm(infoPath(stateDir), { force: true });
  return report;
}
