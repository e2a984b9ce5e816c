import { existsSync } from "node:fs";
import { mkdir, readFile, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { HotspotError } from "../../../errors.js";
import { run } from "../../../host/run.js";

/** The counting TCP server's C source, found from the repository root (works from src/ and dist/). */
function counterSource(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return join(dir, "src/cloud/local/hosts/workload/counter.c");
    const up = dirname(dir);
    if (up === dir)
      throw new HotspotError("HOTSPOT_HOST_SETUP", "cannot find the repository root above the hosts code");
    dir = up;
  }
}

/** Compiles the workload (static, so it needs nothing from the host) unless the binary is newer than its source. */
export async function buildCounter(stateDir: string): Promise<string> {
  const source = counterSource();
  const binary = join(stateDir, "bin", "counter");
  const built = await stat(binary).catch(() => undefined);
  if (built && built.mtimeMs >= (await stat(source)).mtimeMs) return binary;
  await mkdir(dirname(binary), { recursive: true });
  await run("gcc", ["-O2", "-static", "-Wall", "-o", binary, source]);
  return binary;
}

export interface ContainerSpec {
  /** The instance (network namespace) to start in. */
  readonly netns: string;
  readonly address: string;
  readonly port: number;
  readonly memoryMiB: number;
  /** Count log, host path; on the container's volume so the disk moves with it. */
  readonly logFile: string;
}

/** True while `pid` exists (a zombie still counts: its PID is taken). */
export function processExists(pid: number): boolean {
  return existsSync(`/proc/${pid}`);
}

/** Waits until `pid` is gone; PID 1 here may reap late, and a restore must not race the old process. */
export async function waitGone(pid: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (processExists(pid)) {
    if (Date.now() > deadline)
      throw new HotspotError("HOTSPOT_HOST_TIMEOUT", `process ${pid} still exists after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** SIGKILL: the init of a PID namespace ignores other signals sent from outside it. */
export function killProcess(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

/** Waits until the counter wrote its "listening" line, i.e. the container is ready for clients. */
export async function waitListening(
  spec: ContainerSpec,
  failed: () => string | undefined,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const log = await readFile(spec.logFile, "utf8").catch(() => "");
    if (log.includes(`# listening ${spec.address}:${spec.port}`)) return;
    const failure = failed() ?? (Date.now() > deadline ? `not listening after ${timeoutMs} ms` : undefined);
    if (failure !== undefined) {
      throw new HotspotError(
        "HOTSPOT_HOST_SETUP",
        `container in ${spec.netns} on ${spec.address}:${spec.port}: ${failure}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
