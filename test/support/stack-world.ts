import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateNetworkInterfaceCommand,
  CreateVolumeCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { vi } from "vitest";
import { startEmulator, type Emulator } from "../../src/cloud/local/index.js";
import { TAG_STACK } from "../../src/drivers/live/hop/hop.js";

/** The EC2 emulator (no modelled latency) with a stack's volume and ENI in us-east-1a, and a scratch directory. */
export interface StackWorld {
  readonly emulator: Emulator;
  readonly ec2: EC2Client;
  readonly dir: string;
  readonly volumeId: string;
  readonly subnetId: string;
  readonly eniId: string;
  /** Restores the environment, stops the emulator and removes the directory. */
  close(): Promise<void>;
}

/** Starts the world with dummy credentials named after `name` in the SDK's environment variables. */
export async function startStackWorld(name: string): Promise<StackWorld> {
  vi.stubEnv("AWS_ACCESS_KEY_ID", `AKID${name.toUpperCase()}TEST`);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", `${name}-test-secret`);
  vi.stubEnv("AWS_PROFILE", undefined);
  vi.stubEnv("AWS_SESSION_TOKEN", undefined);
  const emulator = await startEmulator({ latency: { factor: 0 } });
  const ec2 = new EC2Client({ region: "us-east-1", endpoint: emulator.endpoint });
  const dir = await mkdtemp(join(tmpdir(), `hotspot-${name}-`));
  const volumeId = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: "us-east-1a", Size: 8 })))
    .VolumeId!;
  const subnetId = [...emulator.state.subnets.values()].find((s) => s.zone === "us-east-1a")!.id;
  const eniId = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId }))).NetworkInterface!
    .NetworkInterfaceId!;
  return {
    emulator,
    ec2,
    dir,
    volumeId,
    subnetId,
    eniId,
    close: async () => {
      vi.unstubAllEnvs();
      ec2.destroy();
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** An m4.large in us-east-1a with `tags` (none: an instance of nobody's), as a launch would leave it. */
export async function runInstance(
  ec2: EC2Client,
  tags: { Key: string; Value: string }[] = [],
): Promise<string> {
  const out = await ec2.send(
    new RunInstancesCommand({
      ImageId: "ami-0d12a0000000000a2",
      InstanceType: "m4.large",
      MinCount: 1,
      MaxCount: 1,
      Placement: { AvailabilityZone: "us-east-1a" },
      ...(tags.length === 0 ? {} : { TagSpecifications: [{ ResourceType: "instance", Tags: tags }] }),
    }),
  );
  return out.Instances![0].InstanceId!;
}

/** An m4.large in us-east-1a tagged as the stack's ("dry"), as a launch would leave it. */
export function runStackInstance(ec2: EC2Client): Promise<string> {
  return runInstance(ec2, [{ Key: TAG_STACK, Value: "dry" }]);
}
