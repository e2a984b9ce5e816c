import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AllocateAddressCommand,
  CreateNetworkInterfaceCommand,
  CreateVolumeCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { startEmulator, type Emulator } from "../../src/cloud/local/emulator.js";
import { cleanupAll } from "../../src/cloud/local/hosts/cleanup.js";
import { LxcContainer } from "../../src/cloud/local/hosts/lxc-container.js";
import { NamespaceHostBackend } from "../../src/cloud/local/hosts/namespace-backend.js";
import { ProbeClient } from "../../src/cloud/local/hosts/probe-client.js";
import { buildCounter } from "../../src/cloud/local/hosts/workload.js";
import type { SpotPriceRecord } from "../../src/cloud/local/spot-prices.js";
import { createEc2Compute, type Ec2Compute } from "../../src/drivers/live/hop/ec2-compute.js";
import { TAG_STACK } from "../../src/drivers/live/hop/hop.js";
import { LocalContainerHost } from "../../src/cloud/local/local-container-host.js";
import type { LiveResources } from "../../src/drivers/live/hop/resources.js";
import type { LiveConfig } from "../../src/setup/config.js";

export const ZONE = "us-east-1c";
export const AMI = "ami-0123456789abcdef0";
const PORT = 7070;

/** The local cloud with one real LXC container on its home instance and a TCP client counting with it. */
export interface LocalWorld {
  readonly stateDir: string;
  readonly prefix: string;
  readonly backend: NamespaceHostBackend;
  readonly emulator: Emulator;
  readonly ec2: EC2Client;
  readonly compute: Ec2Compute;
  readonly resources: LiveResources;
  readonly home: string;
  readonly container: LxcContainer;
  readonly host: LocalContainerHost;
  readonly client: ProbeClient;
  /** The counter's log on the volume: one line per count the container answered. */
  readonly logFile: string;
  /** hotspot.json for this world, ids from the emulator. */
  readonly config: LiveConfig;
  close(): Promise<void>;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Namespace hosts behind the EC2 emulator (real time), an on-demand home of our stack with the
 * container's volume and ENI attached, the counter container on it, and a probe client connected.
 */
export async function startLocalWorld(options: {
  readonly prefix: string;
  readonly stack: string;
  readonly homeType: string;
  readonly memoryMiB: number;
  readonly spotPrices?: readonly SpotPriceRecord[];
  readonly instanceTypes?: readonly string[];
}): Promise<LocalWorld> {
  process.env.AWS_ACCESS_KEY_ID = "AKIDLOCALCLOUDTEST";
  process.env.AWS_SECRET_ACCESS_KEY = "local-cloud-test-secret";
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  const { prefix, stack } = options;
  const stateDir = await mkdtemp(join(tmpdir(), `hotspot-${stack}-`));
  const backend = new NamespaceHostBackend({ prefix, stateDir });
  await backend.init();
  const emulator = await startEmulator({
    backend,
    latency: { factor: 0.001, seed: 11 },
    spotPrices: options.spotPrices,
  });
  const ec2 = new EC2Client({ region: "us-east-1", endpoint: emulator.endpoint, maxAttempts: 1 });
  const compute = createEc2Compute(ec2, "us-east-1");
  const home = await compute.runInstance({
    clientToken: `${stack}-home`,
    imageId: AMI,
    instanceType: options.homeType,
    zone: ZONE,
    lifecycle: "on-demand",
    tags: { [TAG_STACK]: stack },
  });
  await until(async () => (await compute.describeInstance(home.id))?.state === "running", "home running");
  const subnetId = emulator.state.instances.get(home.id)!.subnetId;
  const volumeId = (
    await ec2.send(new CreateVolumeCommand({ AvailabilityZone: ZONE, Size: 1, VolumeType: "gp3" }))
  ).VolumeId!;
  const eni = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId }))).NetworkInterface!;
  const eniId = eni.NetworkInterfaceId!;
  const resources: LiveResources = {
    imageId: AMI,
    subnetId,
    volumeId,
    volumeDevice: "/dev/sdf",
    networkInterfaceId: eniId,
    deviceIndex: 1,
  };
  await until(
    async () =>
      (await compute.describeVolume(volumeId)).state === "available" &&
      (await compute.describeInterface(eniId)).status === "available",
    "volume and ENI available",
  );
  await compute.attachVolume(volumeId, home.id, "/dev/sdf");
  await compute.attachInterface(eniId, home.id, 1);
  await until(
    async () =>
      (await compute.describeVolume(volumeId)).attachment?.state === "attached" &&
      (await compute.describeInterface(eniId)).attachment?.state === "attached",
    "volume and ENI attached to home",
  );
  const address = eni.PrivateIpAddress!;
  const logFile = join(backend.volumes.mountPoint(volumeId), "count.log");
  const containerName = `${prefix}-c-${volumeId}`;
  const container = await LxcContainer.start(stateDir, containerName, await buildCounter(stateDir), {
    netns: backend.instanceNetns(home.id),
    address,
    port: PORT,
    memoryMiB: options.memoryMiB,
    logFile,
  });
  const host = new LocalContainerHost({ backend, container, stateDir, volumeId, address });
  const client = new ProbeClient(backend.fabricNetns(), address, PORT, { intervalMs: 20, maxSeconds: 600 });
  await client.waitReplies(10);

  const subnet = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }))).Subnets![0];
  const group = (
    await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [subnet.VpcId!] }] }),
    )
  ).SecurityGroups![0];
  const eip = await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
  const config: LiveConfig = {
    version: 1,
    name: stack,
    region: "us-east-1",
    zone: ZONE,
    vpcId: subnet.VpcId!,
    subnetId,
    securityGroupId: group.GroupId!,
    eniId,
    privateIp: address,
    allocationId: eip.AllocationId!,
    publicIp: eip.PublicIp!,
    volumeId,
    containerName,
    instanceTypes: [...(options.instanceTypes ?? [options.homeType])],
    policy: { name: "greedy", params: { minSaving: 0 }, inputs: {} },
  };
  return {
    stateDir,
    prefix,
    backend,
    emulator,
    ec2,
    compute,
    resources,
    home: home.id,
    container,
    host,
    client,
    logFile,
    config,
    close: async () => {
      // A launch that ended in Server.InternalError says why only here.
      for (const e of emulator.state.backendErrors)
        console.log(`local world ${prefix}: backend ${e.operation} ${e.resourceId} failed: ${e.message}`);
      client.kill();
      ec2.destroy();
      await emulator.close();
      await cleanupAll(prefix, stateDir);
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
