import { DescribeSpotPriceHistoryCommand, DescribeVolumesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { execa } from "execa";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { emulatorOptions } from "../../../src/cli/commands/local.js";
import { BIN, requireBuiltCli } from "../../support/live-cli.js";
import { runCli } from "../../support/run-cli.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-local-cli-"));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe("hotspot local: the service's commands when nothing runs, and without root", () => {
  it("down with nothing running says so and exits 0, creating nothing", async () => {
    const stateDir = join(dir, "state");
    const down = await runCli(["local", "down", "--state-dir", stateDir]);
    expect(down.code).toBe(0);
    expect(down.stdout).toBe(`hotspot local: nothing to stop under ${stateDir}\n`);
    expect(await readdir(dir)).toEqual([]);
  });

  it("env and status with nothing running fail, naming the state directory and how to start it", async () => {
    for (const action of ["env", "status"]) {
      const shown = await runCli(["local", action, "--state-dir", dir]);
      expect(shown.code).toBe(1);
      expect(shown.stderr).toContain(dir);
      expect(shown.stderr).toContain("hotspot local up");
    }
  });

  it("up and down as a non-root user (getuid mocked to 1000) refuse, saying root is needed and why", async () => {
    vi.spyOn(process, "getuid").mockReturnValue(1000);
    for (const action of ["up", "down"]) {
      const refused = await runCli(["local", action, "--state-dir", join(dir, "state")]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(
        `hotspot: hotspot local ${action} needs root (it makes network namespaces, veths, loop devices, mounts and iptables rules): found uid 1000; run it with sudo [HOTSPOT_NEEDS_ROOT]\n`,
      );
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it("an unknown action lists the actions", async () => {
    const unknown = await runCli(["local", "start"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('expected one of up, serve, emulator, env, status, down, found "start"');
  });
});

describe("hotspot local emulator: the EC2 emulator alone, through the CLI", () => {
  const priceRows = [
    "AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp",
    "us-east-1a,m3.large,Linux/UNIX,0.0161,2016-03-01T00:00:35.000Z",
    "us-east-1a,m3.large,Linux/UNIX,0.0175,2016-03-01T01:00:35.000Z",
  ];

  it("serves a trace and a fault script until SIGTERM, then exits 0", async () => {
    requireBuiltCli();
    const trace = join(dir, "trace.csv");
    await writeFile(trace, `${priceRows.join("\n")}\n`);
    const faults = join(dir, "faults.json");
    await writeFile(
      faults,
      JSON.stringify({ faults: [{ kind: "RequestLimitExceeded", action: "DescribeVolumes" }] }),
    );
    const child = execa(
      process.execPath,
      [BIN, "local", "emulator", "--trace", trace, "--faults", faults, "--latency-factor", "0.001"],
      {
        reject: false,
        env: { AWS_ACCESS_KEY_ID: "AKIDLOCALCLOUDTEST", AWS_SECRET_ACCESS_KEY: "local-test" },
      },
    );
    const firstLine = await new Promise<string>((resolve, reject) => {
      let text = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        text += chunk.toString("utf8");
        if (text.includes("\n")) resolve(text.slice(0, text.indexOf("\n")));
      });
      void child.then((ended) =>
        reject(new Error(`exited ${ended.exitCode} before printing its endpoints: ${ended.stderr}`)),
      );
    });
    const { endpoint, metadata } = JSON.parse(firstLine) as { endpoint: string; metadata: string };
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(metadata).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.*<instance-id>\/latest\/meta-data\/$/);
    const ec2 = new EC2Client({
      region: "us-east-1",
      endpoint,
      maxAttempts: 1,
      credentials: { accessKeyId: "AKIDLOCALCLOUDTEST", secretAccessKey: "local-test" },
    });
    try {
      const history = await ec2.send(new DescribeSpotPriceHistoryCommand({}));
      expect(history.SpotPriceHistory!.map((p) => p.SpotPrice)).toEqual(["0.017500", "0.016100"]);
      const refused = await ec2.send(new DescribeVolumesCommand({})).then(
        () => null,
        (error: Error) => error.name,
      );
      expect(refused).toBe("RequestLimitExceeded");
    } finally {
      ec2.destroy();
      child.kill("SIGTERM");
    }
    expect((await child).exitCode).toBe(0);
  });

  it("refuses a bad flag value naming the flag, before serving", async () => {
    const refused = await runCli(["local", "emulator", "--latency-factor", "fast"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--latency-factor");
    const badTime = await runCli(["local", "emulator", "--replay-from", "2016-02-30"]);
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toContain("--replay-from");
  });

  it("reads --zones, --replay-from and --no-price-interruptions into the emulator's options", async () => {
    const options = await emulatorOptions({
      "state-dir": dir,
      speed: "1",
      port: "0",
      "metadata-port": "0",
      "latency-factor": "0.5",
      prefix: "hsc",
      region: "eu-west-1",
      seed: "7",
      json: false,
      zones: "eu-west-1a, eu-west-1b",
      "replay-from": "2016-03-01T01:00:00Z",
      "price-interruptions": false,
    });
    expect(options).toEqual({
      port: 0,
      metadataPort: 0,
      region: "eu-west-1",
      zones: ["eu-west-1a", "eu-west-1b"],
      latency: { factor: 0.5, seed: 7 },
      trace: undefined,
      replayFromMs: Date.parse("2016-03-01T01:00:00Z"),
      priceInterruptions: false,
      faults: [],
    });
  });
});
