import { join } from "node:path";
import type { Clock } from "../util/clock.js";
import { createContainer, type CopyIn, type CreatedContainer } from "../container/create.js";
import { ensureExt4, withVolumeMounted, type VolumeMachine } from "../container/on-volume.js";
import type { ContainerSource } from "../container/source.js";
import { HotspotError } from "../errors.js";
import type { BindMount } from "../host/lxc.js";
import { run } from "../host/run.js";
import { connectEc2Compute } from "../drivers/live/hop/ec2-compute.js";
import { MetadataClient } from "../drivers/live/observe/metadata-client.js";
import {
  hostRun,
  mountedSource,
  mountVolume,
  unmountVolume,
  waitForVolumeDevice,
} from "../drivers/live/host/machine/volume-device.js";
import { imageIdFor, readLiveConfig, type LiveConfig } from "../setup/config.js";

/** The local cloud a command acts on, as `hotspot local env` named it. */
export interface LocalCloudPlace {
  readonly endpoint: string;
  readonly hostsDir: string;
}

export interface CreateContainerRequest {
  readonly configPath: string;
  /** The local cloud to act on, asked once the config is read; undefined: EC2. */
  readonly local: () => Promise<LocalCloudPlace | undefined>;
  readonly source: ContainerSource;
  /** The application's command line, the container's init. */
  readonly app: string;
  readonly binds: readonly BindMount[];
  readonly copies: readonly CopyIn[];
  /** Replace a container of the same name on the volume. */
  readonly replace: boolean;
  /** Where EC2 instances mount the volume. */
  readonly mount: string;
  /** LXC's container directory; undefined: `lxc` on the volume. */
  readonly lxcPath?: string;
  /** The instance to attach the volume to; undefined: this one (EC2) or a workbench (local cloud). */
  readonly instance?: string;
  readonly device: string;
  /** The workbench's AMI; undefined: the config's. */
  readonly imageId?: string;
  /** Instance metadata base URL (EC2), where this instance's id comes from. */
  readonly metadata: string;
  readonly clock: Clock;
  readonly progress: (line: string) => void;
}

export interface CreateContainerResult extends CreatedContainer {
  readonly config: LiveConfig;
}

/** `hotspot container create`: makes the container on the setup's volume, attaching and mounting it for the job. */
export async function createContainerOnVolume(
  request: CreateContainerRequest,
): Promise<CreateContainerResult> {
  const { clock, progress } = request;
  const config = await readLiveConfig(request.configPath);
  const local = await request.local();
  const connection = connectEc2Compute({ region: config.region, endpoint: local?.endpoint });
  try {
    const machine =
      local !== undefined
        ? localMachine(local, config.volumeId, request.instance)
        : await ec2Machine(request, config.volumeId);
    const created = await withVolumeMounted(
      {
        compute: connection.compute,
        volumeId: config.volumeId,
        device: request.device,
        machine,
        workbench: {
          imageId: imageIdFor(request.imageId, config, local !== undefined),
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
          lxcPath: request.lxcPath ?? join(mountPoint, "lxc"),
          name: config.containerName,
          source: request.source,
          app: request.app,
          binds: request.binds,
          copies: request.copies,
          replace: request.replace,
          workDir: join(mountPoint, ".hotspot-create"),
          run,
          progress,
        }),
    );
    return { ...created, config };
  } finally {
    connection.close();
  }
}

/** On the local cloud the data plane mounts an attached volume itself, at one path on this machine. */
function localMachine(local: LocalCloudPlace, volumeId: string, instance: string | undefined): VolumeMachine {
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
async function ec2Machine(request: CreateContainerRequest, volumeId: string): Promise<VolumeMachine> {
  const self =
    request.instance ??
    (await new MetadataClient({ baseUrl: request.metadata, clock: request.clock }).instanceId());
  return {
    instanceId: self,
    mount: async () => {
      const device = await waitForVolumeDevice(volumeId, request.device);
      await ensureExt4(hostRun, device, request.progress);
      await mountVolume(hostRun, device, request.mount);
      return request.mount;
    },
    unmount: async () => void (await unmountVolume(hostRun, request.mount)),
  };
}
