import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateNetworkInterfaceCommand, CreateVolumeCommand, EC2Client } from "@aws-sdk/client-ec2";
import { ManualScheduler } from "../../src/cloud/local/clock.js";
import { startEmulator, type Emulator } from "../../src/cloud/local/emulator.js";
import { MemoryHostBackend } from "../../src/cloud/local/memory-backend.js";
import { emulatorWorld, FakeContainerHost } from "./fake-container-host.js";
import { createEc2Compute, type Ec2Compute, type Lifecycle } from "../../src/drivers/live/hop/ec2-compute.js";
import { HopExecutor, TAG_STACK, type StepHook } from "../../src/drivers/live/hop/hop.js";
import { Journal, type TargetMarket } from "../../src/drivers/live/hop/journal.js";
import type { HopTimeouts, LiveResources } from "../../src/drivers/live/hop/resources.js";
import type { RetryPolicy } from "../../src/drivers/live/retry.js";
import { wallClock, type Clock } from "../../src/util/clock.js";
import type { SpotPriceRecord } from "../../src/cloud/local/spot-prices.js";
import type { LiveConfig } from "../../src/setup/config.js";
import { createCatalog } from "../../src/catalog/catalog.js";
import { createEc2Api } from "../../src/cloud/ec2-client.js";
import type { LiveLogRecord, LiveRunOptions } from "../../src/drivers/live/run.js";
import { defaultMigrationModel } from "../../src/engine/migration-model.js";

export const STACK = "test-stack";
export const ZONE = "us-east-1c";
export const AMI = "ami-0123456789abcdef0";
export const SPOT_TARGET: TargetMarket = { instanceType: "c4.xlarge", zone: ZONE, lifecycle: "spot" };

/** Virtual-time waits: every poll and backoff advances the emulator's ManualScheduler. */
export const TIMEOUTS: Partial<HopTimeouts> = {
  running: 10_000,
  attach: 5_000,
  detach: 2_000,
  forcedDetach: 2_000,
  poll: 100,
};
export const RETRY: RetryPolicy = { attempts: 5, capacityAttempts: 2, baseDelayMs: 200, maxDelayMs: 2_000 };

export interface LiveHarness {
  readonly emulator: Emulator;
  /** Virtual time; in a real-time harness a ManualScheduler nothing runs on. */
  readonly scheduler: ManualScheduler;
  /** Let `ms` pass: virtual time moved, or real time slept. */
  wait(ms: number): Promise<void>;
  readonly ec2: EC2Client;
  readonly compute: Ec2Compute;
  readonly clock: Clock;
  readonly resources: LiveResources;
  readonly source: string;
  readonly host: FakeContainerHost;
  readonly journalPath: string;
  journal: Journal;
  executor(hook?: StepHook): HopExecutor;
  /** Read the journal back from disk, as a restarted controller does. */
  reopen(): Promise<Journal>;
  close(): Promise<void>;
}

/**
 * An emulator on virtual time (latency factor 1/100), the real SDK without its own retries, and a
 * container's home: an on-demand instance of ours with the volume and the ENI attached.
 */
export async function liveHarness(
  options: {
    readonly homeLifecycle?: Lifecycle;
    /** Real time (wall clock, emulator latencies × 1/1000) instead of virtual time. */
    readonly realTime?: boolean;
    readonly spotPrices?: readonly SpotPriceRecord[];
    readonly homeType?: string;
    /** Emulator latencies' scale in real time (default 1/1000). */
    readonly latencyFactor?: number;
  } = {},
): Promise<LiveHarness> {
  process.env.AWS_ACCESS_KEY_ID = "AKIDLOCALCLOUDTEST";
  process.env.AWS_SECRET_ACCESS_KEY = "local-cloud-test-secret";
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  const scheduler = new ManualScheduler(Date.UTC(2026, 0, 1));
  const emulator = await startEmulator({
    scheduler: options.realTime ? undefined : scheduler,
    backend: new MemoryHostBackend(),
    latency: { factor: options.realTime ? (options.latencyFactor ?? 0.001) : 0.01, seed: 7 },
    spotPrices: options.spotPrices,
  });
  const ec2 = new EC2Client({ region: "us-east-1", endpoint: emulator.endpoint, maxAttempts: 1 });
  const compute = createEc2Compute(ec2, "us-east-1");
  const clock: Clock = options.realTime
    ? wallClock
    : { now: () => scheduler.now(), sleep: (ms) => scheduler.advance(ms) };
  const wait = (ms: number) => (options.realTime ? wallClock.sleep(ms / 20) : scheduler.advance(ms));
  const waitFor = async (what: string, check: () => Promise<boolean>) => {
    for (let i = 0; !(await check()); i++) {
      if (i === 400) throw new Error(`harness: timed out waiting for ${what}`);
      await wait(500);
    }
  };

  const home = await compute.runInstance({
    clientToken: "home",
    imageId: AMI,
    instanceType: options.homeType ?? "m4.large",
    zone: ZONE,
    lifecycle: options.homeLifecycle ?? "on-demand",
    tags: { [TAG_STACK]: STACK },
  });
  const world = emulator.state;
  const volumeId = (
    await ec2.send(
      new CreateVolumeCommand({ AvailabilityZone: ZONE, Size: 16, VolumeType: "gp3", Encrypted: true }),
    )
  ).VolumeId!;
  const subnet = world.instances.get(home.id)!.subnetId;
  const eni = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnet }))).NetworkInterface!
    .NetworkInterfaceId!;
  await waitFor("home, volume and ENI", async () => {
    const ready = [(await compute.describeInstance(home.id))?.state === "running"];
    ready.push((await compute.describeVolume(volumeId)).state === "available");
    ready.push((await compute.describeInterface(eni)).status === "available");
    return ready.every(Boolean);
  });
  const resources: LiveResources = {
    imageId: AMI,
    volumeId,
    volumeDevice: "/dev/sdf",
    networkInterfaceId: eni,
    deviceIndex: 1,
  };
  await compute.attachVolume(volumeId, home.id, "/dev/sdf");
  await compute.attachInterface(eni, home.id, 1);
  await waitFor("volume and ENI attached", async () => {
    const volume = (await compute.describeVolume(volumeId)).attachment?.state;
    return volume === "attached" && (await compute.describeInterface(eni)).attachment?.state === "attached";
  });

  const dir = await mkdtemp(join(tmpdir(), "hotspot-live-"));
  const journalPath = join(dir, "journal.json");
  const journal = await Journal.create(journalPath, STACK, home.id);
  const host = new FakeContainerHost(emulatorWorld(emulator, resources), home.id);
  const h: LiveHarness = {
    emulator,
    scheduler,
    wait,
    ec2,
    compute,
    clock,
    resources,
    source: home.id,
    host,
    journalPath,
    journal,
    executor: (hook) =>
      new HopExecutor({
        compute,
        host,
        journal: h.journal,
        clock,
        resources,
        retry: RETRY,
        timeouts: TIMEOUTS,
        hook,
      }),
    reopen: async () => {
      h.journal = await Journal.open(journalPath);
      return h.journal;
    },
    close: async () => {
      ec2.destroy();
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** What the invariants are checked on, after terminations had time to finish. */
export interface WorldSummary {
  /** Our instances in pending or running. */
  readonly oursRunning: string[];
  /** Instances in pending or running without our tag. */
  readonly untagged: string[];
  readonly volumeOn: string[];
  readonly eniOn: string | null;
}

export async function settleAndSummarize(h: LiveHarness): Promise<WorldSummary> {
  await h.wait(5_000);
  const world = h.emulator.state;
  const live = [...world.instances.values()].filter((i) => i.state === "pending" || i.state === "running");
  const volume = world.volumes.get(h.resources.volumeId)!;
  return {
    oursRunning: live.filter((i) => i.tags.get(TAG_STACK) === STACK).map((i) => i.id),
    untagged: live.filter((i) => !i.tags.has(TAG_STACK)).map((i) => i.id),
    volumeOn: volume.attachment ? [volume.attachment.instanceId] : [],
    eniOn: world.interfaces.get(h.resources.networkInterfaceId)!.attachment?.instanceId ?? null,
  };
}

/** One spot price change of the zone, as the emulator serves it. */
export function spotPrice(instanceType: string, timeMs: number, price: number): SpotPriceRecord {
  return { availabilityZone: ZONE, instanceType, productDescription: "Linux/UNIX", price, timeMs };
}

/** hotspot.json for the harness's stack, volume and ENI (the other ids are never looked up). */
export function harnessConfig(volumeId: string, eniId: string): LiveConfig {
  return {
    version: 1,
    name: STACK,
    region: "us-east-1",
    zone: ZONE,
    vpcId: "vpc-0123456789abcdef0",
    subnetId: "subnet-0123456789abcdef0",
    securityGroupId: "sg-0123456789abcdef0",
    eniId,
    privateIp: "10.0.1.10",
    allocationId: "eipalloc-0123456789abcdef0",
    publicIp: "203.0.113.7",
    volumeId,
    containerName: "app",
    instanceTypes: ["m4.large", "c4.large"],
    policy: { name: "greedy", params: { minSaving: 0 }, inputs: {} },
  };
}

/** Where a runLive of these tests keeps its journal: beside the harness's own. */
export const runJournalPath = (harness: LiveHarness) =>
  harness.journalPath.replace("journal.json", "run-journal.json");

/**
 * runLive's options for greedy on the harness (real SDK, emulator endpoint, 4 ECU on 0.5 GiB,
 * decisions every second, 8 s), logging into `log`; tests override what they vary.
 */
export async function liveRunOptions(harness: LiveHarness, log: LiveLogRecord[]): Promise<LiveRunOptions> {
  const { resources } = harness;
  return {
    config: harnessConfig(resources.volumeId, resources.networkInterfaceId),
    ec2: createEc2Api({ region: "us-east-1", endpoint: harness.emulator.endpoint, maxAttempts: 1 }),
    compute: harness.compute,
    host: harness.host,
    resources,
    catalog: await createCatalog(),
    workUnit: "ecu",
    skipUnknownTypes: false,
    policy: { name: "greedy", params: { minSaving: 0 }, inputs: {} },
    intervalSeconds: 1,
    billing: "per-second",
    memoryGiB: 0.5,
    demandWork: 4,
    utilisation: 1,
    historyWindowSeconds: 3600,
    migrationModel: defaultMigrationModel,
    pricePollSeconds: 60,
    cooldownSeconds: 600,
    journalPath: runJournalPath(harness),
    resume: false,
    durationSeconds: 8,
    clock: harness.clock,
    retry: { attempts: 4, capacityAttempts: 2, baseDelayMs: 20, maxDelayMs: 200 },
    timeouts: { running: 20_000, attach: 10_000, detach: 5_000, forcedDetach: 5_000, poll: 20 },
    log: (record) => log.push(record),
  };
}
