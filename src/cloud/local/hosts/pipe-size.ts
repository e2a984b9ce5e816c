import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { HotspotError } from "../../../errors.js";
import { processExists } from "./workload.js";

const PIPE_MAX_SIZE = "/proc/sys/fs/pipe-max-size";
const LOCK = "/run/hotspot-pipe-max-size.lock";

async function takeLock(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(LOCK);
      await writeFile(join(LOCK, "pid"), String(process.pid));
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = Number(await readFile(join(LOCK, "pid"), "utf8").catch(() => "0"));
    // A holder that died left the sysctl raised: restore its saved value and take over.
    if (holder > 0 && !processExists(holder)) {
      const saved = await readFile(join(LOCK, "original"), "utf8").catch(() => "");
      if (saved !== "") await writeFile(PIPE_MAX_SIZE, saved);
      await rm(LOCK, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new HotspotError(
        "HOTSPOT_HOST_BUSY",
        `${LOCK} held by process ${holder} for more than ${timeoutMs} ms`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Runs `work` with fs.pipe-max-size at least `bytes` (post-copy keeps dumped pages in pipes until
 * they are served) and puts the machine's value back afterwards. The sysctl is global, so holders
 * on this machine take turns through a lock directory that records the value to restore.
 */
export async function withPipeMaxSize<T>(
  bytes: number,
  work: () => Promise<T>,
  timeoutMs = 600_000,
): Promise<T> {
  await takeLock(timeoutMs);
  const original = (await readFile(PIPE_MAX_SIZE, "utf8")).trim();
  try {
    await writeFile(join(LOCK, "original"), original);
    await writeFile(PIPE_MAX_SIZE, String(Math.max(Number(original), bytes)));
    return await work();
  } finally {
    await writeFile(PIPE_MAX_SIZE, original);
    await rm(LOCK, { recursive: true, force: true });
  }
}
