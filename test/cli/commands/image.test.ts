import { chmod, readFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILT_IN_INSTANCE_TYPES, startEmulator, type Emulator } from "../../../src/cloud/local/index.js";
import { runCli } from "../../support/run-cli.js";

// The EC2 emulator in-process on the wall clock with zero modelled latency; the CLI runs through main().
// Builders cannot run the provisioning script here: a guest script stands in for it (console + power-off).
let emulator: Emulator;
let dir: string;
let config: string;
beforeEach(async () => {
  process.env.AWS_ACCESS_KEY_ID = "AKIDIMAGETEST";
  process.env.AWS_SECRET_ACCESS_KEY = "image-test-secret";
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_ENDPOINT_URL_EC2;
  delete process.env.AWS_ENDPOINT_URL;
  emulator = await startEmulator({
    latency: { factor: 0 },
    // The built-in catalog has no Graviton type; one is added for arm64 builders.
    instanceTypes: [...BUILT_IN_INSTANCE_TYPES, { type: "m6g.large", vcpus: 2, memoryMiB: 8192 }],
  });
  dir = await mkdtemp(join(tmpdir(), "hotspot-image-"));
  config = join(dir, "hotspot.json");
  const setup = await runCli([
    "setup",
    "--region",
    "us-east-1",
    "--zone",
    "us-east-1a",
    "--name",
    "t1",
    "--types",
    "m5.large,c5.xlarge",
    "--config",
    config,
    "--endpoint",
    emulator.endpoint,
  ]);
  expect(setup.code).toBe(0);
});
afterEach(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

const PACKAGE = "https://example.test/hotspot-0.1.0.tgz";
const NEWEST_DEBIAN_AMD64 = "ami-0d12a0000000000a2";
const OK_CONSOLE = "[provision-host] ok: hotspot host ready in 512 s\nhotspot-image: ready\n";

const build = (...extra: string[]) =>
  runCli([
    "image",
    "build",
    "--config",
    config,
    "--endpoint",
    emulator.endpoint,
    "--package",
    PACKAGE,
    "--poll",
    "0.02",
    ...extra,
  ]);

async function readConfig(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(config, "utf8")) as Record<string, unknown>;
}

const instances = () => [...emulator.state.instances.values()];
const notGone = () => instances().filter((i) => i.state !== "terminated" && i.state !== "shutting-down");

describe("hotspot image build | list | delete on EC2 (the emulator)", () => {
  it("builds from the newest official Debian 12 image in the setup's subnet, tags it, records it, terminates the builder; a re-run reuses it", async () => {
    emulator.guests.add({
      tag: "hotspot:role=image-builder",
      afterSeconds: 0,
      console: OK_CONSOLE,
      then: "power-off",
    });
    const first = await build();
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const imageId = (await readConfig()).imageId as string;
    expect(imageId).toMatch(/^ami-[0-9a-f]{17}$/);
    expect(first.stdout).toContain(
      `base image: ${NEWEST_DEBIAN_AMD64} debian-12-amd64-20250610-2137 (x86_64`,
    );
    expect(first.stdout).toContain(`image ${imageId}; recorded as imageId in ${config}`);
    const [builder] = instances();
    const cfg = await readConfig();
    expect([builder.imageId, builder.subnetId, builder.instanceType, builder.shutdownBehavior]).toEqual([
      NEWEST_DEBIAN_AMD64,
      cfg.subnetId,
      "m5.large",
      "stop",
    ]);
    const userData = Buffer.from(builder.userData ?? "", "base64").toString("utf8");
    expect(userData.startsWith("#!/bin/bash\n")).toBe(true);
    expect(userData).toContain(`bash "$dir/provision-host.sh" '${PACKAGE}'`);
    expect(notGone()).toEqual([]);
    const image = emulator.state.images.get(imageId)!;
    expect(image.state).toBe("available");
    expect(Object.fromEntries(image.tags)).toMatchObject({
      "hotspot:setup": "t1",
      "hotspot:version": "0.1.0",
      "hotspot:base-image": NEWEST_DEBIAN_AMD64,
    });
    expect(image.tags.get("hotspot:script-hash")).toMatch(/^[0-9a-f]{16}$/);
    const snapshot = emulator.state.snapshots.get(image.blockDevices[0].snapshotId)!;
    expect(snapshot.tags.get("hotspot:setup")).toBe("t1");

    const launches = emulator.state.requestCounts.get("RunInstances");
    const second = await build();
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`reusing ${imageId}`);
    expect(emulator.state.requestCounts.get("RunInstances")).toBe(launches);
    expect(instances()).toHaveLength(1);

    const list = await runCli([
      "image",
      "list",
      "--config",
      config,
      "--endpoint",
      emulator.endpoint,
      "--json",
    ]);
    expect(list.code).toBe(0);
    const listed = JSON.parse(list.stdout) as Array<{ id: string; inConfig: boolean; architecture: string }>;
    expect(listed.map((i) => [i.id, i.inConfig, i.architecture])).toEqual([[imageId, true, "x86_64"]]);

    const del = await runCli(["image", "delete", "--config", config, "--endpoint", emulator.endpoint]);
    expect(del.code).toBe(0);
    expect(del.stdout).toContain(`deregistered ${imageId}; deleted snapshots ${snapshot.id}`);
    expect(emulator.state.images.has(imageId)).toBe(false);
    expect(emulator.state.snapshots.has(snapshot.id)).toBe(false);
    expect((await readConfig()).imageId).toBeUndefined();
  });

  it("builds an arm64 image for Graviton types from the arm64 Debian image", async () => {
    emulator.guests.add({
      tag: "hotspot:role=image-builder",
      afterSeconds: 0,
      console: OK_CONSOLE,
      then: "power-off",
    });
    const run = await build("--types", "m6g.large");
    expect(run.code).toBe(0);
    const imageId = (await readConfig()).imageId as string;
    expect(emulator.state.images.get(imageId)?.architecture).toBe("arm64");
    expect(instances().map((i) => [i.imageId, i.instanceType])).toEqual([
      ["ami-0d12b0000000000b2", "m6g.large"],
    ]);
  });

  const refused: Array<[string, string[], number, string]> = [
    [
      "a non-Debian base image",
      ["--base-image", "ami-0c0a0000000002204"],
      2,
      'hotspot: --base-image: expected an official Debian 12 image (owner 136693071363, name debian-12-*), found ami-0c0a0000000002204 "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20250516" owned by 099720109477\n',
    ],
    [
      "an unknown base image",
      ["--base-image", "ami-00000000000000999"],
      2,
      "hotspot: --base-image: expected an image that exists in us-east-1, found ami-00000000000000999 (InvalidAMIID.NotFound)\n",
    ],
    [
      "an arm64 base image for x86 types",
      ["--base-image", "ami-0d12b0000000000b2"],
      2,
      'hotspot: --base-image: expected an x86_64 image for m5.large, c5.xlarge, found ami-0d12b0000000000b2 "debian-12-arm64-20250610-2137", arm64\n',
    ],
    [
      "an x86 base image for Graviton types",
      ["--types", "m6g.large", "--base-image", NEWEST_DEBIAN_AMD64],
      2,
      'hotspot: --base-image: expected an arm64 image for m6g.large, found ami-0d12a0000000000a2 "debian-12-amd64-20250610-2137", x86_64\n',
    ],
    [
      "types of two architectures",
      ["--types", "m5.large,m6g.large"],
      2,
      "hotspot: --types: expected instance types of one architecture (an image runs on x86_64 or on arm64 (Graviton), not both), found m5.large (x86_64), m6g.large (arm64)\n",
    ],
  ];
  it.each(refused)("refuses %s before launching anything", async (_what, flags, code, message) => {
    const run = await build(...flags);
    expect([run.code, run.stderr]).toEqual([code, message]);
    expect(instances()).toEqual([]);
    expect((await readConfig()).imageId).toBeUndefined();
  });

  it("refuses a read-only --config, which it would rewrite with the image, before launching anything", async () => {
    const before = await readFile(config, "utf8");
    await chmod(config, 0o444);
    const run = await build();
    expect([run.code, run.stderr]).toEqual([
      2,
      `hotspot: --config: expected a file path in an existing, writable folder, found "${config}" (a read-only file, which hotspot does not replace)\n`,
    ]);
    expect(instances()).toEqual([]);
    expect(await readFile(config, "utf8")).toBe(before);
  });

  it("refuses without --package, and a subnet from another zone than the setup's", async () => {
    const noPackage = await runCli(["image", "build", "--config", config, "--endpoint", emulator.endpoint]);
    expect(noPackage.code).toBe(2);
    expect(noPackage.stderr).toContain("hotspot: --package: expected where the builder fetches hotspot");
    const cfg = await readConfig();
    await writeFile(config, JSON.stringify({ ...cfg, zone: "us-east-1b" }));
    const run = await build();
    expect([run.code, run.stderr]).toEqual([
      1,
      `hotspot: ${config}: subnetId: expected a subnet in the setup's zone us-east-1b, found ${String(cfg.subnetId)} in us-east-1a [HOTSPOT_INPUT_FORMAT]\n`,
    ]);
    expect(instances()).toEqual([]);
  });

  it("reports missing IAM permissions from DryRun and launches nothing", async () => {
    emulator.faults.deny("CreateImage");
    emulator.faults.deny("GetConsoleOutput");
    const run = await build();
    expect([run.code, run.stderr]).toEqual([
      1,
      "hotspot: image build in us-east-1: DryRun says the credentials lack ec2:CreateImage, ec2:GetConsoleOutput; nothing was launched [HOTSPOT_CLOUD_UnauthorizedOperation]\n",
    ]);
    expect(instances()).toEqual([]);
  });

  it("a provisioning failure: the console tail is shown, the builder terminated, no image made, nothing left running", async () => {
    const lines = Array.from({ length: 50 }, (_, i) => `boot line ${i + 1}`).join("\n");
    emulator.guests.add({
      tag: "hotspot:role=image-builder",
      afterSeconds: 0,
      console: `${lines}\nE: Unable to locate package lxc\nhotspot-image: FAILED (provision-host.sh exit 100)\n`,
      then: "power-off",
    });
    const run = await build("--console-lines", "3");
    expect(run.code).toBe(1);
    const builderId = instances()[0].id;
    expect(run.stderr).toBe(
      `hotspot: provisioning failed on builder ${builderId}; console tail:\nboot line 50\nE: Unable to locate package lxc\nhotspot-image: FAILED (provision-host.sh exit 100) [HOTSPOT_IMAGE_BUILD]\n`,
    );
    expect(run.stdout).toContain(`builder ${builderId} terminated`);
    expect(notGone()).toEqual([]);
    expect([...emulator.state.images.values()].filter((i) => !i.isPublic)).toEqual([]);
    expect((await readConfig()).imageId).toBeUndefined();
  });

  it("a builder that does not power off within --timeout is terminated with its console tail", async () => {
    emulator.guests.add({
      tag: "hotspot:role=image-builder",
      afterSeconds: 0,
      console: "apt-get install ...\n",
      then: "keep-running",
    });
    const run = await build("--timeout", "0.3");
    expect(run.code).toBe(1);
    const builderId = instances()[0].id;
    expect(run.stderr).toBe(
      `hotspot: builder ${builderId} did not power off within --timeout 0.3 s (still running); console tail:\napt-get install ... [HOTSPOT_IMAGE_BUILD]\n`,
    );
    expect(notGone()).toEqual([]);
  });
});

describe("hotspot image build --cloud local", () => {
  it("needs the local cloud's endpoint, from --endpoint or AWS_ENDPOINT_URL_EC2", async () => {
    const run = await runCli(["image", "build", "--cloud", "local", "--config", config]);
    expect([run.code, run.stderr]).toEqual([
      2,
      "hotspot: --endpoint: expected the local cloud's EC2 URL (or AWS_ENDPOINT_URL_EC2) with --cloud local, found none\n",
    ]);
  });

  it("registers nothing when the host's readiness check fails (criu missing)", async () => {
    process.env.AWS_ENDPOINT_URL_EC2 = emulator.endpoint;
    try {
      const run = await runCli([
        "image",
        "build",
        "--cloud",
        "local",
        "--config",
        config,
        "--criu",
        join(dir, "no-criu"),
      ]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(`NOT ready: ${join(dir, "no-criu")} check:`);
      expect(run.stderr).toContain("this host is not ready to be the local cloud's image");
      expect(emulator.state.requestCounts.get("RegisterImage")).toBeUndefined();
    } finally {
      delete process.env.AWS_ENDPOINT_URL_EC2;
    }
  });
});
