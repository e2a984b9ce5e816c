import { stat } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { wallClock, type Clock } from "../../util/clock.js";
import { createContainer, type CopyIn } from "../../container/create.js";
import { ensureExt4, withVolumeMounted, type VolumeMachine } from "../../container/on-volume.js";
import { parseSource, sourceKinds } from "../../container/source.js";
import { HotspotError, UsageError } from "../../errors.js";
import type { BindMount } from "../../host/lxc.js";
import { run } from "../../host/run.js";
import { mountedSource } from "../../drivers/live/host/machine/volume-device.js";
import { readLiveConfig } from "../../setup/config.js";
import { loadComputeClient } from "../cloud-clients.js";
import { localCloudFromEnv, type LocalCloudFacts } from "../local-env.js";
import { imageIdFor, metadataBaseFromEnv } from "../live-env.js";

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
  const config = await readLiveConfig(args.config);
  const local = await localCloudFromEnv();
  const progress = (line: string) => process.stderr.write(`hotspot container: ${line}\n`);
  const { connectEc2Compute } = await loadComputeClient();
  const connection = connectEc2Compute({ region: config.region, endpoint: local?.endpoint });
  try {
    const machine =
      local !== undefined
        ? localMachine(local, config.volumeId, args.instance)
        : await ec2Machine(args, config.volumeId, progress);
    const created = await withVolumeMounted(
      {
        compute: connection.compute,
        volumeId: config.volumeId,
        device: args.device,
        machine,
        workbench: {
          imageId: imageIdFor(args["image-id"], config, local !== undefined),
          instanceType: config.instanceTypes[0],
          zone: config.zone,
          subnetId: config.subnetId,
          tags: { "hotspot:setup": config.name },
          clientToken: `hotspot-workbench-${config.volumeId}-${clock.now()}`,
        },
        clock,
        progress,
      },
      (mountPoint) =>
        createContainer({
          lxcPath: args["lxc-path"] ?? join(mountPoint, "lxc"),
          name: config.containerName,
          source,
          app: args.app!,
          binds,
          copies,
          replace: args.replace,
          workDir: join(mountPoint, ".hotspot-create"),
          run,
          progress,
        }),
    );
    process.stdout.write(
      `created container ${config.containerName} on volume ${config.volumeId}${created.replaced ? " (replacing the old one)" : ""}: ${created.path}; next: hotspot launch\n`,
    );
  } finally {
    connection.close();
  }
}

/** On the local cloud the data plane mounts an attached volume itself, at one path on this machine. */
function localMachine(local: LocalCloudFacts, volumeId: string, instance: string | undefined): VolumeMachine {
  const mountPoint = join(local.hostsDir, "mnt", volumeId);
  return {
    instanceId: instance ?? null,
    mount: async () => {
      if ((await mountedSource(run, mountPoint)) === null) {
        throw new HotspotError(
          "HOTSPOT_HOST_STATE",
          `volume ${volumeId} is attached but the local cloud has not mounted it at ${mountPoint}`,
        );
      }
      return mountPoint;
    },
    unmount: async () => undefined,
  };
}

/** On EC2 the command runs on an instance in the zone and attaches the volume to itself. */
async function ec2Machine(
  args: ContainerArgs,
  volumeId: string,
  progress: (line: string) => void,
): Promise<VolumeMachine> {
  const { MetadataClient } = await import("../../drivers/live/observe/metadata-client.js");
  const { waitForVolumeDevice, mountVolume, unmountVolume, hostRun } =
    await import("../../drivers/live/host/machine/volume-device.js");
  const self =
    args.instance ??
    (await new MetadataClient({
      baseUrl: metadataBaseFromEnv(args.metadata),
      clock: wallClock,
    }).instanceId());
  return {
    instanceId: self,
    mount: async () => {
      const device = await waitForVolumeDevice(volumeId, args.device);
      await ensureExt4(hostRun, device, progress);
      await mountVolume(hostRun, device, args.mount);
      return args.mount;
    },
    unmount: async () => void (await unmountVolume(hostRun, args.mount)),
  };
}

export const containerCommand: CommandModule<object, ContainerArgs> = {
  command: "container <action>",
  describe:
    "Create the container on the setup's volume: root filesystem, app, and the LXC settings checkpointing needs",
  builder: builder as unknown as CommandModule<object, ContainerArgs>["builder"],
  handler: (args) => runContainerCommand(args),
};
