import { stat } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { wallClock, type Clock } from "../../util/clock.js";
import { createContainer, type BindMount, type CopyIn } from "../../api.js";
import { parseSource, sourceKinds } from "../../container/source.js";
import { UsageError } from "../../errors.js";
import { localCloudFromEnv } from "../local-env.js";
import { metadataBaseFromEnv } from "../live-env.js";

interface ContainerArgs {
  action?: string;
  config: string;
  from?: string;
  app?: string;
  bind?: string[];
  copy?: string[];
  replace: boolean;
  mount: string;
  "lxc-path"?: string;
  instance?: string;
  device: string;
  "image-id"?: string;
  metadata?: string;
}

function builder(yargs: Argv) {
  return yargs
    .positional("action", { type: "string", describe: "create: make the container on the setup's volume" })
    .option("config", {
      type: "string",
      default: "hotspot.json",
      describe: "Config written by hotspot setup",
    })
    .option("from", {
      type: "string",
      describe: `The root filesystem: ${Object.values(sourceKinds).join("; ")}`,
    })
    .option("app", {
      type: "string",
      describe:
        "The application, started by LXC as the container's init (an absolute path inside it, and its arguments)",
    })
    .option("bind", {
      type: "string",
      array: true,
      describe: "HOST:CONTAINER: bind-mount a host directory or file into the container (repeatable)",
    })
    .option("copy", {
      type: "string",
      array: true,
      describe: "HOST:CONTAINER: copy a host file or directory into the root filesystem (repeatable)",
    })
    .option("replace", {
      type: "boolean",
      default: false,
      describe: "Replace a container of the same name already on the volume (its files are lost)",
    })
    .option("mount", {
      type: "string",
      default: "/mnt/hotspot",
      describe:
        "Where the volume is mounted, the same on every instance (EC2; the local cloud mounts it itself)",
    })
    .option("lxc-path", {
      type: "string",
      describe: "LXC's container directory (default <mount>/lxc, on the volume)",
    })
    .option("instance", {
      type: "string",
      describe:
        "The instance to attach the volume to (default: on EC2 this instance, from its metadata; on the local cloud a workbench instance launched for the job and terminated after)",
    })
    .option("device", {
      type: "string",
      default: "/dev/sdf",
      describe: "Device name to attach the volume as",
    })
    .option("image-id", {
      type: "string",
      describe: "AMI of the local cloud's workbench (default: the config's image)",
    })
    .option("metadata", {
      type: "string",
      describe:
        "Instance metadata base URL (EC2; default AWS_EC2_METADATA_SERVICE_ENDPOINT or http://169.254.169.254)",
    })
    .example(
      '$0 container create --from busybox --copy ./counter:/bin/counter --app "/bin/counter 0.0.0.0 7070 16 /data/count.log" --bind /mnt/hotspot/data:/data',
      "a busybox container running a TCP counter",
    )
    .example(
      "$0 container create --from rootfs.tar.zst --app /usr/bin/myapp --replace",
      "from a tarball, replacing the old one",
    );
}

/** `HOST:CONTAINER` with an existing host path and an absolute container path. */
function parsePair(flag: string, raw: string): { host: string; container: string } {
  const at = raw.lastIndexOf(":");
  const host = at <= 0 ? "" : raw.slice(0, at);
  const container = at <= 0 ? "" : raw.slice(at + 1);
  if (host === "" || !isAbsolute(container) || container === "/") {
    throw new UsageError(
      flag,
      "HOST:CONTAINER with an absolute path other than / inside the container",
      JSON.stringify(raw),
    );
  }
  return { host: resolve(host), container };
}

async function hostKind(flag: string, raw: string, path: string): Promise<"dir" | "file"> {
  const info = await stat(path).catch(() => null);
  if (info === null)
    throw new UsageError(
      flag,
      "a host path that exists",
      `${JSON.stringify(raw)} (${path}: no such file or directory)`,
    );
  return info.isDirectory() ? "dir" : "file";
}

export async function runContainerCommand(args: ContainerArgs, clock: Clock = wallClock): Promise<void> {
  if (args.action !== "create") {
    throw new UsageError(
      "action",
      "create",
      args.action === undefined ? "none" : JSON.stringify(args.action),
    );
  }
  const source = await parseSource(args.from);
  if (args.app === undefined || args.app.trim() === "" || /[\n\r]/.test(args.app)) {
    throw new UsageError(
      "--app",
      "the application's command line on one line",
      JSON.stringify(args.app ?? null),
    );
  }
  const binds: BindMount[] = [];
  for (const raw of args.bind ?? []) {
    const pair = parsePair("--bind", raw);
    binds.push({ ...pair, kind: await hostKind("--bind", raw, pair.host) });
  }
  const copies: CopyIn[] = [];
  for (const raw of args.copy ?? []) {
    const pair = parsePair("--copy", raw);
    await hostKind("--copy", raw, pair.host);
    copies.push(pair);
  }
  if (!isAbsolute(args.mount) || args.mount === "/") {
    throw new UsageError("--mount", "an absolute directory other than /", JSON.stringify(args.mount));
  }
  const created = await createContainer({
    configPath: args.config,
    local: localCloudFromEnv,
    source,
    app: args.app,
    binds,
    copies,
    replace: args.replace,
    mount: args.mount,
    lxcPath: args["lxc-path"],
    instance: args.instance,
    device: args.device,
    imageId: args["image-id"],
    metadata: metadataBaseFromEnv(args.metadata),
    clock,
    progress: (line) => process.stderr.write(`hotspot container: ${line}\n`),
  });
  process.stdout.write(
    `created container ${created.config.containerName} on volume ${created.config.volumeId}${created.replaced ? " (replacing the old one)" : ""}: ${created.path}; next: hotspot launch\n`,
  );
}

export const containerCommand: CommandModule<object, ContainerArgs> = {
  command: "container <action>",
  describe:
    "Create the container on the setup's volume: root filesystem, app, and the LXC settings checkpointing needs",
  builder: builder as unknown as CommandModule<object, ContainerArgs>["builder"],
  handler: (args) => runContainerCommand(args),
};
