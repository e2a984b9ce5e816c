import { join } from "node:path";
import { NamespaceHostBackend } from "../../cloud/local/hosts/namespace-backend.js";
import { lazyContainerHost, type ContainerHost } from "../../drivers/live/container-host.js";
import type { InterfaceNetwork } from "../../drivers/live/ec2-compute.js";
import { LocalContainerHost } from "../../drivers/live/local-container-host.js";
import { MachineContainerHost } from "../../drivers/live/machine/machine-container-host.js";
import type { HopTimeouts } from "../../drivers/live/resources.js";
import { shellCommandLine } from "../../reports/command-line.js";
import { UsageError } from "../../errors.js";
import type { LiveConfig } from "../../setup/config.js";

/** Where `hotspot live` acts: the local cloud's namespace hosts, or the EC2 instance it runs on. */
export type ActCloud =
  | { readonly kind: "local"; readonly hostsDir: string; readonly prefix: string }
  | {
      readonly kind: "aws";
      /** Where every instance mounts the container's volume. */
      readonly mountPoint: string;
      /** LXC's container directory (`-P`), on the volume so the root filesystem travels with it. */
      readonly lxcPath: string;
    };

/** Routing table for the ENI's address on an EC2 host (any number the host's own rules do not use). */
const ENI_ROUTE_TABLE = 142;

/** The config file a target's user data writes before it starts the controller (the volume is not there yet). */
const TARGET_CONFIG = "/run/hotspot/hotspot.json";

/** The cloud-specific side of an acting run. */
export interface CloudSide {
  /** Default state directory: on the container's volume when self-migrating. */
  readonly volumeStateDir: string;
  readonly host: ContainerHost;
  /** Metadata base URL of one instance, as seen from where the controller runs. */
  noticeBase(metadata: string, instanceId: string): string;
  /** User data (base64) that runs `words` (a takeover command line) on a target at boot. */
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
  readonly self?: { readonly instanceId: string; readonly takeover: boolean };
  /** The ENI's address facts, needed on EC2 only (looked up once per run). */
  readonly interfaceNetwork: () => Promise<InterfaceNetwork>;
}

export async function cloudSide(options: CloudSideOptions): Promise<CloudSide> {
  const { cloud, config } = options;
  if (cloud.kind === "local") return localSide(cloud, config, options.self?.takeover === true);
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
    }),
    noticeBase: (metadata) => metadata,
    takeoverUserData: (words, configText) => {
      // systemd-run: the controller outlives cloud-init's final stage and is restarted after a crash
      // (a restarted takeover finds the volume here and resumes from the journal).
      const service = [
        "systemd-run",
        "--unit=hotspot-live",
        "--property=Restart=on-failure",
        "--property=RestartSec=10",
        ...words,
      ];
      const script = [
        "#!/bin/sh",
        "set -eu",
        `mkdir -p ${shellCommandLine([join(TARGET_CONFIG, "..")])}`,
        `printf '%s' ${shellCommandLine([Buffer.from(configText, "utf8").toString("base64")])} | base64 -d > ${shellCommandLine([TARGET_CONFIG])}`,
        `exec ${shellCommandLine(service)}`,
        "",
      ].join("\n");
      return Buffer.from(script, "utf8").toString("base64");
    },
    targetConfigPath: () => TARGET_CONFIG,
    timeouts: {},
  };
}

async function localSide(
  cloud: Extract<ActCloud, { kind: "local" }>,
  config: LiveConfig,
  takeover: boolean,
): Promise<CloudSide> {
  const backend = new NamespaceHostBackend({ prefix: cloud.prefix, stateDir: cloud.hostsDir });
  const findHost = () =>
    LocalContainerHost.find({
      backend,
      stateDir: cloud.hostsDir,
      containerName: config.containerName,
      volumeId: config.volumeId,
      address: config.privateIp,
    });
  return {
    volumeStateDir: join(backend.volumes.mountPoint(config.volumeId), "hotspot"),
    // A target's controller boots while the source may be dumping: LXC is asked on first use.
    host: takeover ? lazyContainerHost(findHost) : await findHost(),
    // The local cloud serves every instance's metadata under its id.
    noticeBase: (metadata, instanceId) => `${metadata}/${instanceId}`,
    takeoverUserData: (words) => {
      // The local cloud names the instance in HOTSPOT_INSTANCE_ID (it has no link-local metadata address).
      const script = `#!/bin/sh\nexec ${shellCommandLine(words)} --instance-id "$HOTSPOT_INSTANCE_ID"\n`;
      return Buffer.from(script, "utf8").toString("base64");
    },
    // Namespace hosts share this machine's files.
    targetConfigPath: (configPath) => configPath,
    // The local cloud settles attachments in milliseconds; EC2's defaults poll every 2 s.
    timeouts: { poll: 100 },
  };
}
