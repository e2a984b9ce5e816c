import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { HotspotError, UsageError } from "../errors.js";
import { HostCommandError } from "../host/run.js";
import { baseConfig, makeCheckpointable, type BindMount } from "../host/lxc.js";
import type { HostRunner as Runner } from "../drivers/live/host/machine/volume-device.js";
import { describeSource, type ContainerSource } from "./source.js";

/** A host file copied into the container's root filesystem. */
export interface CopyIn {
  readonly host: string;
  /** Absolute path inside the container. */
  readonly container: string;
}

export interface CreateContainerOptions {
  /** LXC's container directory (`-P`), on the mounted volume. */
  readonly lxcPath: string;
  readonly name: string;
  readonly source: ContainerSource;
  /** The application: LXC starts it as the container's init, so it runs in the container's cgroups. */
  readonly app: string;
  readonly binds: readonly BindMount[];
  readonly copies: readonly CopyIn[];
  /** Replace a container of that name already on the volume. */
  readonly replace: boolean;
  /** Scratch directory off the volume (LXC's creation config). */
  readonly workDir: string;
  readonly run: Runner;
  readonly progress: (line: string) => void;
}

export interface CreatedContainer {
  readonly path: string;
  readonly rootfs: string;
  readonly replaced: boolean;
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}

async function requireProgram(run: Runner, program: string, install: string): Promise<void> {
  try {
    await run("sh", ["-c", 'command -v "$1"', "sh", program]);
  } catch (error) {
    if (error instanceof HostCommandError) {
      throw new HotspotError("HOTSPOT_MISSING_PROGRAM", `${program} is not installed here: ${install}`);
    }
    throw error;
  }
}

/** Lays the root filesystem out under `<lxcPath>/<name>/rootfs`, as the source says. */
async function layRootfs(
  options: CreateContainerOptions,
  dir: string,
  rootfs: string,
): Promise<"template" | "own"> {
  const { source, run, lxcPath, name } = options;
  if (source.kind === "busybox") {
    await requireProgram(run, "busybox", "apt-get install busybox-static");
    const conf = join(options.workDir, "lxc-create.conf");
    await writeFile(conf, "lxc.net.0.type = none\n");
    await run("lxc-create", ["-P", lxcPath, "-n", name, "-f", conf, "-t", "busybox"]);
    return "template";
  }
  if (source.kind === "oci") {
    await requireProgram(run, "umoci", "apt-get install umoci (LXC's oci template unpacks images with it)");
    await run("lxc-create", [
      "-P",
      lxcPath,
      "-n",
      name,
      "-t",
      "oci",
      "--",
      "--url",
      `oci:${source.path}:${source.tag}`,
    ]);
    return "template";
  }
  await mkdir(rootfs, { recursive: true });
  if (source.kind === "tarball") {
    // GNU tar recognises gzip, xz, zstd and bzip2 by content when it reads a file.
    await run("tar", ["-xpf", source.path, "-C", rootfs, "--numeric-owner"]);
  } else if (source.kind === "dir") {
    await run("cp", ["-a", `${source.path}/.`, rootfs]);
  } else {
    await requireProgram(run, "debootstrap", "apt-get install debootstrap");
    await run("debootstrap", ["--variant=minbase", source.suite, rootfs]);
  }
  await writeFile(join(dir, "config"), baseConfig(lxcPath, name));
  return "own";
}

/** The application's program must be an absolute path that exists in the root filesystem. */
async function checkApp(app: string, rootfs: string): Promise<void> {
  const program = app.trim().split(/\s+/)[0] ?? "";
  if (!program.startsWith("/")) {
    throw new UsageError(
      "--app",
      "a command line whose program is an absolute path inside the container, e.g. /bin/counter",
      JSON.stringify(app),
    );
  }
  if (!(await exists(join(rootfs, program)))) {
    throw new UsageError(
      "--app",
      `a program that exists in the container's root filesystem (copy one in with --copy HOST:${program})`,
      `${program}: not found under ${rootfs}`,
    );
  }
}

/**
 * Creates the container on the mounted volume: root filesystem from the source, files copied in, the
 * LXC configuration checkpoint/restore needs, its bind mounts and its application as init. A failure
 * removes what it made; a container already there is refused unless `replace`.
 */
export async function createContainer(options: CreateContainerOptions): Promise<CreatedContainer> {
  const { lxcPath, name, progress } = options;
  const path = join(lxcPath, name);
  const rootfs = join(path, "rootfs");
  const replaced = await exists(path);
  if (replaced && !options.replace) {
    throw new HotspotError(
      "HOTSPOT_CONTAINER_EXISTS",
      `the volume already holds a container ${name} at ${path}: expected none; pass --replace to replace it (its files are lost)`,
    );
  }
  if (replaced) {
    progress(`removing the container ${name} already at ${path} (--replace)`);
    await rm(path, { recursive: true, force: true });
  }
  await mkdir(lxcPath, { recursive: true });
  await mkdir(options.workDir, { recursive: true });
  try {
    progress(`laying out the root filesystem from ${describeSource(options.source)} in ${rootfs}`);
    await layRootfs(options, path, rootfs);
    for (const copy of options.copies) {
      const target = join(rootfs, copy.container);
      await mkdir(dirname(target), { recursive: true });
      await options.run("cp", ["-a", copy.host, target]);
      progress(`copied ${copy.host} to ${copy.container}`);
    }
    await checkApp(options.app, rootfs);
    await makeCheckpointable(lxcPath, name, { init: options.app, binds: options.binds });
    progress(`configured for checkpoint/restore (network none, no tty or console), init: ${options.app}`);
    return { path, rootfs, replaced };
  } catch (error) {
    await rm(path, { recursive: true, force: true });
    throw error;
  }
}
