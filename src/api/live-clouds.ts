import { join } from "node:path";
import { NamespaceHostBackend } from "../cloud/local/hosts/namespace-backend.js";
import { lazyContainerHost, type ContainerHost } from "../drivers/live/host/container-host.js";
import type { Ec2Compute, InterfaceNetwork } from "../drivers/live/hop/ec2-compute.js";
import type { Clock } from "../util/clock.js";
import { awaitVerdict } from "../drivers/live/host/cpu-check.js";
import { LocalContainerHost } from "../cloud/local/local-container-host.js";
import { MachineContainerHost } from "../drivers/live/host/machine/machine-container-host.js";
import type { HopTimeouts } from "../drivers/live/hop/resources.js";
import {
  ec2UserData,
  localUserData,
  TARGET_CONFIG_PATH,
  type ActCloud,
} from "../drivers/live/host/controller.js";
import { UsageError } from "../errors.js";
import type { LiveConfig } from "../setup/config.js";

/** A target boots, starts node and runs criu within minutes; spot acquisition alone took up to 167 s. */
const CPU_VERDICT_TIMEOUT_MS = 600_000;

/** Routing table for the ENI's address on an EC2 host (any number the host's own rules do not use). */
const ENI_ROUTE_TABLE = 142;

/** The cloud-specific side of an acting run. */
export interface CloudSide {
  /** Default state directory: on the container's volume when self-migrating. */
  readonly volumeStateDir: string;
  readonly host: ContainerHost;
  /** Metadata base URL of one instance, as seen from where the controller runs. */
  noticeBase(metadata: string, instanceId: string): string;
  /** User data (base64) that runs `words` (a controller's command line) on an instance at boot. */
  takeoverUserData(words: readonly string[], configText: string): string;
  /** Words that replace the config path and the cloud in a target's command line. */
  readonly targetConfigPath: (configPath: string) => string;
  readonly timeouts: Partial<HopTimeouts>;
}

export interface CloudSideOptions {
  readonly cloud: ActCloud;
  readonly config: LiveConfig;
  readonly device: string;
  /** This controller's instance when self-migrating. */
  readonly self?: { readonly instanceId: string; readonly takeover: boolean; readonly boot?: boolean };
  /** The ENI's address facts, needed on EC2 only (looked up once per run). */
  readonly interfaceNetwork: () => Promise<InterfaceNetwork>;
  /** EC2, where the home reads a target's CPU verdict from its tags. */
  readonly compute: Ec2Compute;
  readonly clock: Clock;
}

export async function cloudSide(options: CloudSideOptions): Promise<CloudSide> {
  const { cloud, config } = options;
  if (cloud.kind === "local") {
    return localSide(cloud, config, options.self?.takeover === true || options.self?.boot === true);
  }
  const self = options.self;
  if (self === undefined) {
    throw new UsageError(
      "--cloud",
      "aws acting to be self-migrating, on the instance that holds the volume",
      "no instance",
    );
  }
  const eni = await options.interfaceNetwork();
  return {
    volumeStateDir: join(cloud.mountPoint, "hotspot"),
    host: new MachineContainerHost({
      self: self.instanceId,
      containerName: config.containerName,
      lxcPath: cloud.lxcPath,
      volume: { volumeId: config.volumeId, deviceName: options.device, mountPoint: cloud.mountPoint },
      network: { mac: eni.mac, address: eni.privateIp, subnetCidr: eni.subnetCidr, table: ENI_ROUTE_TABLE },
      // The target's controller publishes its verdict once it booted: as long as a takeover may wait.
      cpuVerdict: (target) =>
        awaitVerdict(
          target,
          async (id) => (await options.compute.describeInstance(id))?.tags ?? null,
          options.clock,
          { timeoutMs: CPU_VERDICT_TIMEOUT_MS, pollMs: 5_000 },
        ),
    }),
    noticeBase: (metadata) => metadata,
    takeoverUserData: ec2UserData,
    targetConfigPath: () => TARGET_CONFIG_PATH,
    timeouts: {},
  };
}

async function localSide(
  cloud: Extract<ActCloud, { kind: "local" }>,
  config: LiveConfig,
  lazy: boolean,
): Promise<CloudSide> {
  const backend = new NamespaceHostBackend({ prefix: cloud.prefix, stateDir: cloud.hostsDir });
  const findHost = () =>
    LocalContainerHost.find({
      backend,
      stateDir: cloud.hostsDir,
      containerName: config.containerName,
      volumeId: config.volumeId,
      address: config.privateIp,
      lxcPath: cloud.lxcPath,
    });
  return {
    volumeStateDir: join(backend.volumes.mountPoint(config.volumeId), "hotspot"),
    // A target's controller boots while the source may be dumping, a home's before its volume came:
    // LXC is asked on first use.
    host: lazy ? lazyContainerHost(findHost) : await findHost(),
    // The local cloud serves every instance's metadata under its id.
    noticeBase: (metadata, instanceId) => `${metadata}/${instanceId}`,
    takeoverUserData: localUserData,
    // Namespace hosts share this machine's files.
    targetConfigPath: (configPath) => configPath,
    // The local cloud settles attachments in milliseconds; EC2's defaults poll every 2 s.
    timeouts: { poll: 100 },
  };
}
