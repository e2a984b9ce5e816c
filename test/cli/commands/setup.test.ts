import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yargs from "yargs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { UsageError } from "../../../src/errors.js";
import {
  runSetupCommand,
  setupCommand,
  setupOptionsFromArgs,
  type SetupArgs,
} from "../../../src/cli/commands/setup.js";
import { readLiveConfig } from "../../../src/setup/config.js";
import { mutating, setupHarness, type SetupHarness } from "../../support/setup-emulator.js";

// The command is not registered in main.ts yet, so these call its exported handler and option parser.
let h: SetupHarness;
let dir: string;
let printed: string[];
beforeEach(async () => {
  h = await setupHarness();
  dir = await mkdtemp(join(tmpdir(), "hotspot-setup-"));
  printed = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    printed.push(String(chunk));
    return true;
  });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

const args = (overrides: Partial<SetupArgs> = {}): SetupArgs => ({
  region: "us-east-1",
  zone: "us-east-1a",
  name: "cli",
  "vpc-cidr": "10.0.0.0/16",
  "subnet-cidr": "10.0.1.0/24",
  "private-ip": "10.0.1.10",
  "volume-gib": "20",
  container: "web",
  types: ["m5.large,c5.xlarge"],
  policy: "greedy",
  param: ["minSaving=0.05"],
  "advisor-os": "Linux",
  config: join(dir, "hotspot.json"),
  endpoint: h.emulator.endpoint,
  "dry-run": false,
  destroy: false,
  ...overrides,
});

describe("hotspot setup (exported handler against the EC2 emulator)", () => {
  const bad: Array<[Partial<SetupArgs>, string]> = [
    [{ region: undefined }, "--region: expected an AWS region such as us-east-1, found nothing"],
    [
      { zone: "eu-west-1b" },
      '--zone: expected an availability zone in region us-east-1 such as us-east-1a, found "eu-west-1b"',
    ],
    [
      { name: "Has Space" },
      '--name: expected lower-case letters, digits and inner dashes (at most 32), found "Has Space"',
    ],
    [
      { "vpc-cidr": "10.0.0.0/8" },
      '--vpc-cidr: expected an IPv4 block from /16 to /28 such as 10.0.0.0/16, found "10.0.0.0/8"',
    ],
    [
      { "vpc-cidr": "10.0.0.1/16" },
      '--vpc-cidr: expected an IPv4 block from /16 to /28 such as 10.0.0.0/16, found "10.0.0.1/16"',
    ],
    [
      { "subnet-cidr": "10.1.0.0/24" },
      '--subnet-cidr: expected a block of /28 or larger inside 10.0.0.0/16, found "10.1.0.0/24"',
    ],
    [
      { "private-ip": "10.0.1.3" },
      '--private-ip: expected an address of 10.0.1.0/24 other than its first four and its last, found "10.0.1.3"',
    ],
    [
      { "private-ip": "10.0.1.255" },
      '--private-ip: expected an address of 10.0.1.0/24 other than its first four and its last, found "10.0.1.255"',
    ],
    [
      { ingress: ["icmp:0:0.0.0.0/0"] },
      '--ingress: expected PROTO:PORT[-PORT]:CIDR with PROTO tcp or udp, such as tcp:22:198.51.100.0/24, found "icmp:0:0.0.0.0/0"',
    ],
    [
      { ingress: ["tcp:90-80:0.0.0.0/0"] },
      '--ingress: expected PROTO:PORT[-PORT]:CIDR with PROTO tcp or udp, such as tcp:22:198.51.100.0/24, found "tcp:90-80:0.0.0.0/0"',
    ],
    [{ "volume-gib": "0" }, '--volume-gib: expected a number ≥ 1 and ≤ 16384, found "0"'],
    [
      { container: "a/b" },
      "--container: expected letters, digits, '_', '.', '-' (at most 64), found \"a/b\"",
    ],
    [
      { types: undefined },
      "--types: expected candidate instance types such as m5.large,c5.xlarge, found nothing",
    ],
    [{ types: ["m5.large,M5"] }, '--types: expected instance types such as m5.large, found "M5"'],
    [
      { policy: "optimal" },
      '--policy: expected a policy that can run live: one of on-demand, spot-stay, greedy, hotspot, hotspot-plus, found "optimal"',
    ],
    [{ param: ["minSaving=3"] }, '--param minSaving: expected a number of fraction ≥ 0 ≤ 1, found "3"'],
    [
      { endpoint: "localhost:4566" },
      '--endpoint: expected an http(s) URL such as http://127.0.0.1:4566, found "localhost:4566"',
    ],
  ];
  it.each(bad)(
    "rejects %o with a UsageError before any request reaches the emulator",
    async (override, message) => {
      const error = await runSetupCommand(args(override)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toBe(message);
      expect(h.emulator.state.requestLog).toEqual([]);
      expect(await readdir(dir)).toEqual([]);
    },
  );

  it("turns flags into options: ingress rules, volume size, resolved policy parameters, mode", () => {
    const options = setupOptionsFromArgs(
      args({
        ingress: ["tcp:22:198.51.100.0/24", "udp:5000-5010:0.0.0.0/0"],
        "volume-gib": "40",
        "dry-run": true,
      }),
    );
    expect(options.spec.ingress).toEqual([
      { protocol: "tcp", fromPort: 22, toPort: 22, cidr: "198.51.100.0/24" },
      { protocol: "udp", fromPort: 5000, toPort: 5010, cidr: "0.0.0.0/0" },
    ]);
    expect([options.spec.volumeGiB, options.mode, options.instanceTypes]).toEqual([
      40,
      "dry-run",
      ["m5.large", "c5.xlarge"],
    ]);
    expect(options.policy).toEqual({ name: "greedy", params: { minSaving: 0.05 }, inputs: {} });
    expect(setupOptionsFromArgs(args({ destroy: true, types: undefined })).mode).toBe("destroy");
    expect(setupOptionsFromArgs(args({ destroy: true, "dry-run": true })).mode).toBe("destroy-dry-run");
  });

  it("--dry-run prints the plan and makes no changing call and writes no config", async () => {
    await runSetupCommand(args({ "dry-run": true }));
    expect(mutating(h.emulator.state.requestLog.map((e) => e.action))).toEqual([]);
    const text = printed.join("");
    expect(text.split("\n")[0]).toBe("setup cli in us-east-1a: 14 call(s) to make, 0 resource(s) to reuse");
    expect(text).toContain("dry run: nothing was changed and no config was written");
    expect(await readdir(dir)).toEqual([]);
    expect(h.emulator.state.vpcs.size).toBe(1);
  });

  it("refuses a --config it could not write before any request reaches the emulator", async () => {
    const error = await runSetupCommand(args({ config: dir })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      `--config: expected a file path in an existing, writable folder, found "${dir}" (a directory)`,
    );
    expect(h.emulator.state.requestLog).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it("makes the resources and writes hotspot.json that readLiveConfig accepts; --destroy removes them", async () => {
    await runSetupCommand(args());
    const config = await readLiveConfig(join(dir, "hotspot.json"));
    const world = h.emulator.state;
    expect(world.interfaces.get(config.eniId)?.privateIp).toBe("10.0.1.10");
    expect(world.addresses.get(config.allocationId)?.publicIp).toBe(config.publicIp);
    expect(world.subnets.get(config.subnetId)?.vpcId).toBe(config.vpcId);
    expect(world.volumes.get(config.volumeId)?.sizeGiB).toBe(20);
    expect([config.containerName, config.instanceTypes, config.policy]).toEqual([
      "web",
      ["m5.large", "c5.xlarge"],
      { name: "greedy", params: { minSaving: 0.05 }, inputs: {} },
    ]);
    expect(printed.join("")).toContain("`hotspot container create` formats it and puts the container on it");

    await runSetupCommand(args({ destroy: true }));
    expect(world.vpcs.has(config.vpcId)).toBe(false);
    expect(world.addresses.has(config.allocationId)).toBe(false);
    expect(printed.join("")).toContain("destroy cli: 11 call(s)");
  });

  it("parses a real command line through its yargs builder (a bare yargs root, not main.ts)", async () => {
    const argv = [
      "setup",
      "--region=us-east-1",
      "--zone=us-east-1b",
      "--name=yargs",
      "--types=m5.large",
      "--types=c5.xlarge",
      "--ingress=tcp:22:198.51.100.0/24",
      "--volume-gib=30",
      "--policy=on-demand",
      `--config=${join(dir, "hotspot.json")}`,
      `--endpoint=${h.emulator.endpoint}`,
      "--dry-run",
    ];
    await yargs(argv).command(setupCommand).strict().exitProcess(false).parseAsync();
    const text = printed.join("");
    expect(text).toContain("create volume            CreateVolume  30 GiB gp3 encrypted in us-east-1b");
    expect(text).toContain(
      "AuthorizeSecurityGroupIngress  all traffic from 10.0.0.0/16; tcp 22 from 198.51.100.0/24",
    );
    expect(mutating(h.emulator.state.requestLog.map((e) => e.action))).toEqual([]);
  });
});
