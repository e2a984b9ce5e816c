import {
  AttachNetworkInterfaceCommand,
  AttachVolumeCommand,
  CreateNetworkInterfaceCommand,
  CreateVolumeCommand,
  DescribeNetworkInterfacesCommand,
  DescribeVolumesCommand,
  DetachNetworkInterfaceCommand,
  DetachVolumeCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
  waitUntilInstanceRunning,
  waitUntilVolumeAvailable,
} from "@aws-sdk/client-ec2";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { HotspotError } from "../../../errors.js";
import { startEmulator } from "../emulator.js";
import { migrateContainer, type MigrationMode, type MigrationResult } from "./migrate.js";
import { NamespaceHostBackend } from "./namespace-backend.js";
import { ProbeClient, type ProbeSummary } from "./probe-client.js";
import type { Container, ContainerKind } from "./container.js";
import { LxcContainer } from "./lxc-container.js";
import { PidnsContainer } from "./pidns-container.js";
import { buildCounter } from "./workload.js";

export interface RehearsalOptions {
  /** Tag prefix of the namespaces, interfaces and files the rehearsal creates (cleaned before and after). */
  readonly prefix: string;
  readonly stateDir: string;
  readonly memoryMiB: number;
  readonly mode: MigrationMode;
  /** LXC by default; post-copy needs `pidns` (lxc-checkpoint has no lazy mode). */
  readonly container?: ContainerKind;
  /** Replies the client must see before the migration starts and after it ended. */
  readonly repliesAround?: number;
  /** Emulated cloud latencies as a fraction of the paper's (Table 2). */
  readonly latencyFactor?: number;
}

export interface RehearsalOutcome {
  readonly container: ContainerKind;
  readonly migration: MigrationResult;
  readonly probe: ProbeSummary;
  /** Lines of the container's count log, read from its volume after the move. */
  readonly countLog: readonly string[];
}

const ZONE = "us-east-1c";
const PORT = 7070;
const IMAGE_ID = "ami-0123456789abcdef0";
const PAGE_SERVER_PORT = 27028;
/** Room in the target's memory directory beyond the container's footprint (its own pages, page maps). */
const MEMORY_SLACK_MIB = 64;

async function pollUntil(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new HotspotError("HOTSPOT_HOST_TIMEOUT", `timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The cloud side of a hop, done the way the live driver does it: through the EC2 API with the real SDK. */
class CloudSteps {
  constructor(private readonly ec2: EC2Client) {}

  private waiter() {
    return { client: this.ec2, maxWaitTime: 30, minDelay: 0.05, maxDelay: 0.2 };
  }

  /** Its id and primary private address. */
  async runInstance(): Promise<{ id: string; privateIp: string }> {
    const out = await this.ec2.send(
      new RunInstancesCommand({
        ImageId: IMAGE_ID,
        InstanceType: "m4.large",
        MinCount: 1,
        MaxCount: 1,
        Placement: { AvailabilityZone: ZONE },
      }),
    );
    const id = out.Instances![0].InstanceId!;
    await waitUntilInstanceRunning(this.waiter(), { InstanceIds: [id] });
    return { id, privateIp: out.Instances![0].PrivateIpAddress! };
  }

  async createVolume(sizeGiB: number): Promise<string> {
    const id = (
      await this.ec2.send(
        new CreateVolumeCommand({ AvailabilityZone: ZONE, Size: sizeGiB, VolumeType: "gp3" }),
      )
    ).VolumeId!;
    await waitUntilVolumeAvailable(this.waiter(), { VolumeIds: [id] });
    return id;
  }

  private async eni(eniId: string) {
    return (await this.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] })))
      .NetworkInterfaces![0];
  }

  async createInterface(subnetId: string): Promise<{ id: string; address: string }> {
    const eni = (await this.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId })))
      .NetworkInterface!;
    const id = eni.NetworkInterfaceId!;
    await pollUntil(async () => (await this.eni(id)).Status === "available", `${id} available`);
    return { id, address: eni.PrivateIpAddress! };
  }

  async attach(volumeId: string, eniId: string, instanceId: string): Promise<void> {
    await this.ec2.send(
      new AttachVolumeCommand({ VolumeId: volumeId, InstanceId: instanceId, Device: "/dev/sdf" }),
    );
    await this.ec2.send(
      new AttachNetworkInterfaceCommand({
        NetworkInterfaceId: eniId,
        InstanceId: instanceId,
        DeviceIndex: 1,
      }),
    );
    await pollUntil(async () => {
      const v = (await this.ec2.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }))).Volumes![0];
      return v.Attachments?.some((a) => a.InstanceId === instanceId && a.State === "attached") ?? false;
    }, `${volumeId} attached to ${instanceId}`);
    await pollUntil(
      async () => (await this.eni(eniId)).Attachment?.Status === "attached",
      `${eniId} attached to ${instanceId}`,
    );
  }

  /** `force`: post-copy leaves the source's frozen tree holding files on the volume until its pages are served. */
  async detach(volumeId: string, eniId: string, instanceId: string, force: boolean): Promise<void> {
    const attachmentId = (await this.eni(eniId)).Attachment!.AttachmentId!;
    await this.ec2.send(
      new DetachVolumeCommand({ VolumeId: volumeId, InstanceId: instanceId, Force: force }),
    );
    await this.ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachmentId }));
    await waitUntilVolumeAvailable(this.waiter(), { VolumeIds: [volumeId] });
    await pollUntil(async () => (await this.eni(eniId)).Attachment === undefined, `${eniId} detached`);
  }

  async terminate(instanceId: string): Promise<void> {
    await this.ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
  }
}

/**
 * One full hop on the local cloud: the EC2 emulator on loopback with the namespace data plane behind
 * it; a container (the counting server) on instance A with its volume and ENI; a client in the
 * fabric namespace (the internet side) holding one TCP connection; instance B acquired; checkpoint on
 * A (stop-and-copy: memory over a page server into B's memory, the rest onto the volume), volume and
 * ENI moved through the API, restore on B; the client keeps counting afterwards.
 * Everything is cleaned up (namespaces, loop devices, processes) whether it succeeds or not.
 */
export async function rehearseMigration(options: RehearsalOptions): Promise<RehearsalOutcome> {
  const around = options.repliesAround ?? 10;
  const backend = new NamespaceHostBackend({ prefix: options.prefix, stateDir: options.stateDir });
  await backend.init();
  const emulator = await startEmulator({ backend, latency: { factor: options.latencyFactor ?? 0.001 } });
  const ec2 = new EC2Client({ region: "us-east-1", endpoint: emulator.endpoint });
  const cloud = new CloudSteps(ec2);
  let container: Container | undefined;
  let client: ProbeClient | undefined;
  try {
    const counter = await buildCounter(options.stateDir);
    const a = (await cloud.runInstance()).id;
    const stopAndCopy = options.mode === "stop-and-copy";
    // Memory never lands on the volume: only the log and the small images (registers, files, sockets).
    const volumeId = await cloud.createVolume(1);
    const eni = await cloud.createInterface(emulator.state.instances.get(a)!.subnetId);
    await cloud.attach(volumeId, eni.id, a);
    const mount = backend.volumes.mountPoint(volumeId);
    const logFile = join(mount, "count.log");
    const spec = {
      netns: backend.instanceNetns(a),
      address: eni.address,
      port: PORT,
      memoryMiB: options.memoryMiB,
      logFile,
    };
    container =
      (options.container ?? "lxc") === "lxc"
        ? await LxcContainer.start(options.stateDir, `${options.prefix}-c-${volumeId}`, counter, spec)
        : await PidnsContainer.start(counter, spec);
    client = new ProbeClient(backend.fabricNetns(), eni.address, PORT, { maxSeconds: 900 });
    await client.waitReplies(around);
    const target = await cloud.runInstance();
    const b = target.id;
    const migration = await migrateContainer({
      container,
      targetNetns: backend.instanceNetns(b),
      address: eni.address,
      // Stop-and-copy: the small images on the volume, memory over a page server into B's memory;
      // post-copy: memory served from A after the restore.
      imagesDir: stopAndCopy ? join(mount, "checkpoint") : join(options.stateDir, "xfer", volumeId),
      mode: options.mode,
      ...(stopAndCopy
        ? {
            memoryTransfer: {
              dir: join(options.stateDir, "xfer", `${volumeId}-memory`),
              sizeBytes: (options.memoryMiB + MEMORY_SLACK_MIB) * 2 ** 20,
              endpoint: { address: target.privateIp, port: PAGE_SERVER_PORT },
            },
          }
        : {}),
      move: async () => {
        await cloud.detach(volumeId, eni.id, a, !stopAndCopy);
        await cloud.attach(volumeId, eni.id, b);
      },
    });
    await client.waitReplies(client.replies().length + around);
    const probe = await client.stop();
    client = undefined;
    const countLog = (await readFile(logFile, "utf8")).trim().split("\n");
    await cloud.terminate(a);
    return { container: container.kind, migration, probe, countLog };
  } finally {
    client?.kill();
    await container?.kill();
    ec2.destroy();
    await emulator.close();
  }
}
