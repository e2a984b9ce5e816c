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

export async function logTail(imagesDir: string, log: string): Promise<string> {
  const text = await readFile(join(imagesDir, log), "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((l) => l.includes("Error") && !l.includes("RLIMIT_NOFILE"))
    .slice(-4)
    .join(" | ");
}
