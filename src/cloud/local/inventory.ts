import {
  DescribeAddressesCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeVolumesCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { terminalSafe } from "../../util/terminal.js";
import { LOCAL_CREDENTIALS, type LocalCloudInfo } from "./service.js";

/** What the local cloud holds, as its EC2 API reports it. */
export interface LocalInventory {
  readonly instances: readonly {
    readonly id: string;
    readonly type: string;
    readonly lifecycle: "spot" | "on-demand";
    readonly state: string;
    readonly zone: string;
    readonly imageId: string;
    readonly tags: Readonly<Record<string, string>>;
  }[];
  readonly volumes: readonly {
    readonly id: string;
    readonly state: string;
    readonly sizeGiB: number;
    readonly zone: string;
    readonly attachedTo: string | null;
  }[];
  readonly networkInterfaces: readonly {
    readonly id: string;
    readonly status: string;
    readonly privateIp: string;
    readonly attachedTo: string | null;
  }[];
  readonly addresses: readonly {
    readonly publicIp: string;
    readonly allocationId: string;
    readonly networkInterfaceId: string | null;
  }[];
  /** The account's own images (`hotspot image build`); the public base images are left out. */
  readonly images: readonly {
    readonly id: string;
    readonly name: string;
    readonly state: string;
    readonly architecture: string;
  }[];
}

/** Reads the inventory through the real SDK, as any client of the local cloud would. */
export async function localInventory(info: LocalCloudInfo): Promise<LocalInventory> {
  const ec2 = new EC2Client({
    region: info.region,
    endpoint: info.endpoint,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 2,
  });
  try {
    const [reservations, volumes, interfaces, addresses, images] = await Promise.all([
      ec2.send(new DescribeInstancesCommand({})),
      ec2.send(new DescribeVolumesCommand({})),
      ec2.send(new DescribeNetworkInterfacesCommand({})),
      ec2.send(new DescribeAddressesCommand({})),
      ec2.send(new DescribeImagesCommand({ Owners: ["self"] })),
    ]);
    return {
      instances: (reservations.Reservations ?? [])
        .flatMap((r) => r.Instances ?? [])
        .map((i) => ({
          id: i.InstanceId ?? "",
          type: i.InstanceType ?? "",
          lifecycle: i.InstanceLifecycle === "spot" ? ("spot" as const) : ("on-demand" as const),
          state: i.State?.Name ?? "",
          zone: i.Placement?.AvailabilityZone ?? "",
          imageId: i.ImageId ?? "",
          tags: Object.fromEntries((i.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
        })),
      volumes: (volumes.Volumes ?? []).map((v) => ({
        id: v.VolumeId ?? "",
        state: v.State ?? "",
        sizeGiB: v.Size ?? 0,
        zone: v.AvailabilityZone ?? "",
        attachedTo: v.Attachments?.[0]?.InstanceId ?? null,
      })),
      networkInterfaces: (interfaces.NetworkInterfaces ?? []).map((n) => ({
        id: n.NetworkInterfaceId ?? "",
        status: n.Status ?? "",
        privateIp: n.PrivateIpAddress ?? "",
        attachedTo: n.Attachment?.InstanceId ?? null,
      })),
      addresses: (addresses.Addresses ?? []).map((a) => ({
        publicIp: a.PublicIp ?? "",
        allocationId: a.AllocationId ?? "",
        networkInterfaceId: a.NetworkInterfaceId ?? null,
      })),
      images: (images.Images ?? []).map((i) => ({
        id: i.ImageId ?? "",
        name: i.Name ?? "",
        state: i.State ?? "",
        architecture: i.Architecture ?? "",
      })),
    };
  } finally {
    ec2.destroy();
  }
}

/** The human form of `hotspot local status`. */
export function formatInventory(info: LocalCloudInfo, inventory: LocalInventory): string {
  const live = inventory.instances.filter((i) => i.state !== "terminated");
  const lines = [
    `local cloud: pid ${info.pid}, up since ${info.startedAt}; EC2 ${info.endpoint}; metadata ${info.metadata}`,
    `  prices: ${info.trace === null ? "none served" : `${terminalSafe(info.trace)} at ${info.speed}x`}; namespaces ${info.prefix}-*; state ${info.hostsDir}`,
    `instances (${live.length} not terminated, ${inventory.instances.length - live.length} terminated):`,
    ...live.map((i) => {
      const volumes = inventory.volumes.filter((v) => v.attachedTo === i.id).map((v) => v.id);
      const enis = inventory.networkInterfaces.filter((n) => n.attachedTo === i.id).map((n) => n.id);
      const stack = i.tags["hotspot:stack"];
      return `  ${i.id} ${i.type} ${i.lifecycle} ${i.state} ${i.zone} from ${i.imageId}${stack === undefined ? "" : ` stack ${terminalSafe(stack)}`}; holds ${[...volumes, ...enis].join(", ") || "nothing"}`;
    }),
    `volumes (${inventory.volumes.length}):`,
    ...inventory.volumes.map(
      (v) =>
        `  ${v.id} ${v.sizeGiB} GiB ${v.zone} ${v.state}${v.attachedTo === null ? "" : ` on ${v.attachedTo}`}`,
    ),
    `network interfaces (${inventory.networkInterfaces.length}):`,
    ...inventory.networkInterfaces.map((n) => {
      const eip = inventory.addresses.find((a) => a.networkInterfaceId === n.id);
      return `  ${n.id} ${n.privateIp}${eip === undefined ? "" : ` (Elastic IP ${eip.publicIp})`} ${n.status}${n.attachedTo === null ? "" : ` on ${n.attachedTo}`}`;
    }),
    `images (${inventory.images.length} of this account):`,
    ...inventory.images.map((i) => `  ${i.id} ${terminalSafe(i.name)} ${i.architecture} ${i.state}`),
    "",
  ];
  return lines.join("\n");
}
