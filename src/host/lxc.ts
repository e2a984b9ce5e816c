import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { HotspotError } from "../errors.js";
import { logTail, pathWithCriu } from "./criu.js";

/**
 * What an LXC container needs so CRIU can checkpoint and restore it between hosts, measured here:
 * no ttys, ptys or console (CRIU cannot carry the host's), no AppArmor profile, and network type
 * `none` so the container lives in the instance's network stack and its ENI address moves with it.
 */
const DROPPED_KEYS = [
  "lxc.tty.max",
  "lxc.pty.max",
  "lxc.console.path",
  "lxc.apparmor",
  "lxc.init.cmd",
  "lxc.net.",
];
const CHECKPOINT_LINES = [
  "lxc.net.0.type = none",
  "lxc.tty.max = 0",
  "lxc.pty.max = 0",
  "lxc.console.path = none",
];

/** A host path bind-mounted into the container. */
export interface BindMount {
  readonly host: string;
  /** Absolute path inside the container. */
  readonly container: string;
  readonly kind: "dir" | "file";
}

export interface CheckpointableConfig {
  /** The command LXC starts as the container's init (its application). */
  readonly init: string;
  readonly binds: readonly BindMount[];
}

/** The container's `config` file, rewritten so checkpoint/restore works, with its application and bind mounts. */
export function checkpointableConfig(original: string, options: CheckpointableConfig): string {
  const kept = original
    .split("\n")
    .filter((line) => !DROPPED_KEYS.some((key) => line.trim().startsWith(key)));
  while (kept.length > 0 && kept[kept.length - 1].trim() === "") kept.pop();
  return [
    ...kept,
    ...CHECKPOINT_LINES,
    ...options.binds.map(
      (b) => `lxc.mount.entry = ${b.host} ${b.container.replace(/^\/+/, "")} none bind,create=${b.kind} 0 0`,
    ),
    `lxc.init.cmd = ${options.init}`,
    "",
  ].join("\n");
}

/** Rewrites `<lxcPath>/<name>/config` in place (see `checkpointableConfig`). */
export async function makeCheckpointable(
  lxcPath: string,
  name: string,
  options: CheckpointableConfig,
): Promise<void> {
  const file = join(lxcPath, name, "config");
  await writeFile(file, checkpointableConfig(await readFile(file, "utf8"), options));
}

/**
 * The base configuration of a container whose root filesystem hotspot laid out itself (any source but
 * LXC's busybox template), following what LXC's templates write for a system container.
 */
export function baseConfig(lxcPath: string, name: string): string {
  return [
    `lxc.rootfs.path = dir:${join(lxcPath, name, "rootfs")}`,
    `lxc.uts.name = ${name}`,
    "lxc.autodev = 1",
    "lxc.cap.drop = sys_module mac_admin mac_override sys_time",
    "lxc.mount.auto = cgroup:mixed proc:mixed sys:ro",
    "lxc.mount.entry = shm dev/shm tmpfs defaults,create=dir 0 0",
    "lxc.mount.entry = mqueue dev/mqueue mqueue defaults,optional,create=dir 0 0",
    "",
  ].join("\n");
}

/** One of the `lxc-checkpoint` directions, with what it needs from CRIU's configuration. */
const CHECKPOINT_MODES = {
  dump: { flag: "-s", log: "dump.log", criu: ["tcp-established"] },
  // A dump that leaves the container running: preflight's trial checkpoint.
  trial: { flag: null, log: "dump.log", criu: ["tcp-established"] },
  // mntns-compat-mode for restore only (measured on these machines: LXC restores need it, dumps must not get it).
  restore: { flag: "-r", log: "restore.log", criu: ["tcp-established", "mntns-compat-mode"] },
} as const;

export interface LxcCheckpointOptions {
  readonly lxcPath: string;
  readonly name: string;
  readonly imagesDir: string;
  /** Where to write CRIU's options file (CRIU_CONFIG_FILE): options LXC does not pass itself. */
  readonly configDir: string;
  /** Run inside this network namespace (the local cloud's instances); undefined: this host's. */
  readonly netns?: string;
  /** criu binary lxc-checkpoint is to find on PATH. */
  readonly criu?: string;
  /** More CRIU options, as configuration-file lines (e.g. `dumpToPageServerConfig`'s). */
  readonly criuOptions?: readonly string[];
  /**
   * Where LXC's own log goes (default `imagesDir`). A restored container's monitor keeps it open while
   * the container runs, so images meant to be removed after the restore need it elsewhere.
   */
  readonly lxcLogDir?: string;
}

/** The CRIU configuration file (CRIU_CONFIG_FILE) of a checkpoint `mode`: what it needs, then `criuOptions`. */
export function checkpointCriuConfig(
  mode: keyof typeof CHECKPOINT_MODES,
  criuOptions: readonly string[] = [],
): string {
  return `${[...CHECKPOINT_MODES[mode].criu, ...criuOptions].join("\n")}\n`;
}

/**
 * `lxc-checkpoint -s` (dump, the container stops) or `-r` (restore) of a container, with CRIU's log
 * tail in the error. Streams are ignored: a restored container otherwise keeps the caller's stdout open.
 */
export async function lxcCheckpoint(mode: keyof typeof CHECKPOINT_MODES, options: LxcCheckpointOptions) {
  const { flag, log } = CHECKPOINT_MODES[mode];
  const lxcLogDir = options.lxcLogDir ?? options.imagesDir;
  const configFile = join(options.configDir, `criu-${options.name}-${mode}.conf`);
  await writeFile(configFile, checkpointCriuConfig(mode, options.criuOptions));
  const words = [
    "lxc-checkpoint",
    "-P",
    options.lxcPath,
    "-n",
    options.name,
    ...(flag === null ? [] : [flag]),
    "-D",
    options.imagesDir,
    // LXC's own log: it says why when it refuses before running CRIU (e.g. no cgroup of its own).
    "-o",
    join(lxcLogDir, `lxc-${log}`),
    "-l",
    "INFO",
  ];
  const [file, ...args] =
    options.netns === undefined ? words : ["nsenter", `--net=/run/netns/${options.netns}`, ...words];
  const result = await execa(file, args, {
    env: { CRIU_CONFIG_FILE: configFile, PATH: pathWithCriu(options.criu) },
    stdio: "ignore",
    reject: false,
  });
  if (result.exitCode !== 0) {
    throw new HotspotError(
      "HOTSPOT_CRIU",
      `lxc-checkpoint ${flag ?? "(trial)"} of ${options.name}${options.netns === undefined ? "" : ` in ${options.netns}`} failed (exit ${result.exitCode ?? "none"}): ${lxcLogDir === options.imagesDir ? await logTail(lxcLogDir, log, `lxc-${log}`) : `${await logTail(options.imagesDir, log)}; ${await logTail(lxcLogDir, `lxc-${log}`)}`}`,
    );
  }
}
