import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateNetworkInterfaceCommand,
  CreateVolumeCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LOCAL_CLOUD_ENV } from "../../../src/cli/local-env.js";
import { startEmulator, type Emulator } from "../../../src/cloud/local/index.js";
import { OPERATOR_TAGS } from "../../../src/drivers/live/operator.js";
import { TAG_STACK } from "../../../src/drivers/live/hop/hop.js";
import { writeLiveConfig } from "../../../src/setup/config.js";
import { sampleLiveConfig } from "../../support/live-config.js";
import { runCli } from "../../support/run-cli.js";

// status, stop and down through main, reaching the EC2 emulator the way a user's shell does: through
// HOTSPOT_LOCAL_CLOUD naming a state directory whose local.json gives the endpoint.
let emulator: Emulator;
let ec2: EC2Client;
let dir: string;
let configPath: string;
let volumeId: string;
let eniId: string;
beforeEach(async () => {
  vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDOPERATETEST");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "operate-test-secret");
  vi.stubEnv("AWS_PROFILE", undefined);
  vi.stubEnv("AWS_SESSION_TOKEN", undefined);
  emulator = await startEmulator({ latency: { factor: 0 } });
  ec2 = new EC2Client({ region: "us-east-1", endpoint: emulator.endpoint });
  dir = await mkdtemp(join(tmpdir(), "hotspot-operate-"));
  await writeFile(
    join(dir, "local.json"),
    JSON.stringify({
      version: 1,
      pid: process.pid,
      endpoint: emulator.endpoint,
      metadata: emulator.metadataBase,
      region: "us-east-1",
      prefix: "hs",
      hostsDir: join(dir, "hosts"),
    }),
  );
  vi.stubEnv(LOCAL_CLOUD_ENV, dir);
  volumeId = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: "us-east-1a", Size: 8 }))).VolumeId!;
  const subnet = [...emulator.state.subnets.values()].find((s) => s.zone === "us-east-1a")!.id;
  eniId = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnet }))).NetworkInterface!
    .NetworkInterfaceId!;
  configPath = join(dir, "hotspot.json");
  await writeLiveConfig(configPath, sampleLiveConfig({ volumeId, eniId }));
});
afterEach(async () => {
  vi.unstubAllEnvs();
  ec2.destroy();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

async function stackInstance(): Promise<string> {
  const out = await ec2.send(
    new RunInstancesCommand({
      ImageId: "ami-0d12a0000000000a2",
      InstanceType: "m4.large",
      MinCount: 1,
      MaxCount: 1,
      Placement: { AvailabilityZone: "us-east-1a" },
      TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: TAG_STACK, Value: "dry" }] }],
    }),
  );
  return out.Instances![0].InstanceId!;
}

describe("hotspot status", () => {
  it("before any launch: nothing reported, the volume free, no instance of the stack", async () => {
    expect(await runCli(["status", "--config", configPath])).toEqual({
      code: 0,
      stdout: [
        "container web (setup dry, us-east-1a); operator wants: nothing yet (not launched)",
        "controller: none has reported",
        "where: not known yet (no ledger published)",
        "hops: none published",
        "cost: none published",
        "last decision: none yet",
        `volume ${volumeId}: available; ledger not published`,
        "instances of the stack: none",
        "",
      ].join("\n"),
      stderr: "",
    });
  });

  it("--json gives the same view; --ledger fails while no ledger is published", async () => {
    const json = await runCli(["status", "--config", configPath, "--json"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      desired: null,
      controller: null,
      container: null,
      ledger: null,
      volume: { id: volumeId, state: "available", attachedTo: null },
      home: null,
      instances: [],
    });
    expect(await runCli(["status", "--config", configPath, "--ledger"])).toEqual({
      code: 1,
      stdout: "",
      stderr: "hotspot: no ledger published yet: has the container been launched? [HOTSPOT_STATUS]\n",
    });
  });
});

describe("hotspot stop", () => {
  it("asks for stop on the volume's tags and, with no controller running, says it will stop later (exit 1)", async () => {
    expect(await runCli(["stop", "--config", configPath])).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "hotspot: no controller answered within 5m (last: none); it will stop when it next reads the volume's tags [HOTSPOT_STOP]\n",
    });
    expect(emulator.state.volumes.get(volumeId)!.tags.get(OPERATOR_TAGS.desired)).toBe("stop");
  });
});

describe("hotspot down", () => {
  it("terminates the stack's instances, warning that no controller answered, and keeps volume and ENI", async () => {
    const id = await stackInstance();
    const result = await runCli(["down", "--config", configPath, "--timeout", "30s"]);
    expect(result).toEqual({
      code: 0,
      stdout: `down: 1 instance(s) terminated; volume ${volumeId} and interface ${eniId} kept (data safe): \`hotspot launch\` starts the container again, \`hotspot setup --destroy\` removes them\n`,
      stderr: expect.stringContaining(`hotspot down: terminating ${id} (m4.large on-demand)\n`),
    });
    expect(result.stderr).toMatch(
      /^hotspot down: warning: no controller answered within 30s \(last: none\); terminating anyway\n/,
    );
    expect(emulator.state.volumes.get(volumeId)!.tags.get(OPERATOR_TAGS.desired)).toBe("down");
    expect(["shutting-down", "terminated"]).toContain(emulator.state.instances.get(id)!.state);
    expect(emulator.state.volumes.has(volumeId)).toBe(true);
  });

  it("--delete-volume deletes the volume too", async () => {
    expect(await runCli(["down", "--config", configPath, "--delete-volume"])).toEqual({
      code: 0,
      stdout: `down: 0 instance(s) terminated; volume ${volumeId} deleted (its data is gone); interface ${eniId} kept\n`,
      stderr: "",
    });
    expect(["deleting", "deleted", undefined]).toContain(emulator.state.volumes.get(volumeId)?.state);
  });
});
