import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { delimiter, dirname, join } from "node:path";
import { execa } from "execa";
import { HotspotError } from "../errors.js";

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

/** The CPU description `criu cpuinfo dump` writes (and `cpuinfo check` reads) in its directory. */
export const CPUINFO_IMAGE = "cpuinfo.img";

/**
 * What `criu cpuinfo check` compares (criu/arch/x86/cpu.c): `fpu` the FPU/xsave features and sizes,
 * `ins` that the target has every instruction feature the image names (more is fine). The strict
 * default (`cpu`, every capability bit equal) would refuse any newer CPU. The `=` is needed: the
 * option's argument is optional, so `--cpu-cap ins` would pass no argument and check everything.
 */
export const CPU_CAP = "--cpu-cap=fpu,ins";

/** The architecture of this process's machine, as the catalog names it (x86_64, arm64), else Node's name. */
export function hostArchitecture(): string {
  return process.arch === "x64" ? "x86_64" : process.arch;
}

/** Where a criu command runs: this host's namespaces, or inside a network namespace (the local cloud's instances). */
export interface CriuPlace {
  readonly netns?: string;
  readonly criu?: string;
}

/** `file args` on this host or inside `place.netns`; streams captured, a non-zero exit returned, not thrown. */
async function criuIn(place: CriuPlace, args: readonly string[]) {
  const criu = place.criu ?? criuPath();
  const [file, ...rest] =
    place.netns === undefined
      ? [criu, ...args]
      : ["nsenter", `--net=/run/netns/${place.netns}`, criu, ...args];
  return execa(file, rest, { reject: false, stdin: "ignore" });
}

/**
 * `criu cpuinfo dump` into `dir` (its log `cpuinfo-dump.log` beside it): the description of this CPU a
 * target's `cpuinfo check` compares against. Throws HotspotError HOTSPOT_CRIU with the log's tail.
 */
export async function cpuinfoDump(dir: string, place: CriuPlace = {}): Promise<void> {
  const result = await criuIn(place, ["cpuinfo", "dump", "-D", dir, "-o", "cpuinfo-dump.log"]);
  if (result.exitCode !== 0 || result.failed) {
    throw new HotspotError(
      "HOTSPOT_CRIU",
      `criu cpuinfo dump into ${dir} failed (exit ${result.exitCode ?? "none"}): ${await logTail(dir, "cpuinfo-dump.log")}${result.stderr ? ` | ${String(result.stderr).trim()}` : ""}`,
    );
  }
}

/** Whether a CPU can run a process started on the reference CPU; `detail` says why not (CRIU's own words). */
export type CpuVerdict =
  { readonly compatible: true } | { readonly compatible: false; readonly detail: string };

/**
 * `criu cpuinfo check` (CPU_CAP) of the image in `dir` on this CPU (its log `cpuinfo-check.log` beside it).
 * A mismatch is a verdict: CRIU's `cpu:` error lines. Any other failure (no image, criu missing or
 * broken) throws HotspotError HOTSPOT_CRIU with the log's tail: the check was not made.
 */
export async function cpuinfoCheck(dir: string, place: CriuPlace = {}): Promise<CpuVerdict> {
  const log = "cpuinfo-check.log";
  const result = await criuIn(place, ["cpuinfo", "check", CPU_CAP, "-D", dir, "-o", log]);
  if (result.exitCode === 0 && !result.failed) return { compatible: true };
  const text = await readFile(join(dir, log), "utf8").catch(() => "");
  // CRIU prefixes what arch/x86/cpu.c reports with "cpu: "; anything else means the check itself failed.
  const mismatch = text.split("\n").filter((l) => /\bError\b.*\bcpu: /.test(l));
  if (mismatch.length > 0) {
    return { compatible: false, detail: mismatch.map((l) => l.replace(/^\([\d.]+\)\s*/, "")).join(" | ") };
  }
  throw new HotspotError(
    "HOTSPOT_CRIU",
    `criu cpuinfo check of ${join(dir, CPUINFO_IMAGE)} failed (exit ${result.exitCode ?? "none"}): ${await logTail(dir, log)}${result.stderr ? ` | ${String(result.stderr).trim()}` : ""}`,
  );
}
