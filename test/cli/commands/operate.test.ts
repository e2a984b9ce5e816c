import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { EC2Client } from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runStackInstance, startStackWorld, type StackWorld } from "../../support/stack-world.js";
import { LOCAL_CLOUD_ENV } from "../../../src/cli/local-env.js";
import { type Emulator } from "../../../src/cloud/local/index.js";
import { OPERATOR_TAGS } from "../../../src/drivers/live/operator.js";
import { writeLiveConfig } from "../../../src/setup/config.js";
import { sampleLiveConfig } from "../../support/live-config.js";
import { runCli } from "../../support/run-cli.js";

// status, stop and down through main, reaching the EC2 emulator the way a user's shell does: through
// HOTSPOT_LOCAL_CLOUD naming a state directory whose local.json gives the endpoint.
let world: StackWorld;
let emulator: Emulator;
let ec2: EC2Client;
let dir: string;
let configPath: string;
let volumeId: string;
let eniId: string;
beforeEach(async () => {
  world = await startStackWorld("operate");
  ({ emulator, ec2, dir, volumeId, eniId } = world);
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
  configPath = join(dir, "hotspot.json");
  await writeLiveConfig(configPath, sampleLiveConfig({ volumeId, eniId }));
});
afterEach(() => world.close());

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
    const id = await runStackInstance(ec2);
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
