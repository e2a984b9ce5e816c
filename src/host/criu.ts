import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { delimiter, dirname, join } from "node:path";

/** The criu chosen by scripts/install-local-cloud.sh (the one that passed `criu check`), else PATH's. */
export function criuPath(): string {
  const fromEnv = process.env.HOTSPOT_CRIU;
  if (fromEnv) return fromEnv;
  return existsSync("/opt/hotspot/bin/criu") ? "/opt/hotspot/bin/criu" : "criu";
}

/** PATH with `criu`'s directory first, so lxc-checkpoint (which finds criu on PATH) runs that one. */
export function pathWithCriu(criu: string = criuPath()): string {
  const dir = dirname(criu);
  return [...(dir === "." ? [] : [dir]), process.env.PATH ?? ""].join(delimiter);
}

/** Seconds since `start` (a process.hrtime.bigint() reading). */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/**
 * The tail of the logs CRIU (`Error` lines) and LXC (`ERROR` lines) wrote in `imagesDir`, never empty:
 * without error lines, the last lines; without any log, which logs were missing (LXC refused before
 * it ran CRIU, and wrote nothing of its own).
 */
export async function logTail(imagesDir: string, ...logs: string[]): Promise<string> {
  const parts: string[] = [];
  const missing: string[] = [];
  for (const log of logs) {
    const text = await readFile(join(imagesDir, log), "utf8").catch(() => null);
    if (text === null || text.trim() === "") {
      missing.push(log);
      continue;
    }
    const lines = text.split("\n").filter((l) => l.trim() !== "" && !l.includes("RLIMIT_NOFILE"));
    const errors = lines.filter((l) => /\berror\b/i.test(l));
    parts.push(`${log}: ${(errors.length > 0 ? errors : lines).slice(-4).join(" | ")}`);
  }
  if (missing.length > 0) parts.push(`no ${missing.join(" or ")} written in ${imagesDir}`);
  return parts.join("; ");
}
