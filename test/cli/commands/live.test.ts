import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yargs from "yargs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { liveCommand, runLiveCommand } from "../../../src/cli/commands/live.js";
import type { LiveArgs } from "../../../src/cli/live-options.js";
import type { SpotPriceRecord } from "../../../src/cloud/local/spot-prices.js";
import type { Clock } from "../../../src/util/clock.js";
import { UnknownNameError, UsageError } from "../../../src/errors.js";
import { harness, START_MS, type Harness } from "../../support/emulator-harness.js";
import { runCli } from "../../support/run-cli.js";
import { sampleLiveConfig } from "../../support/live-config.js";

// Most tests call the exported handler with a virtual clock; main maps the UsageError and
// UnknownNameError it throws to exit code 2 (checked through main at the end).
let h: Harness;
let dir: string;
let stdout: string[];
let stderr: string[];

const config = sampleLiveConfig({
  instanceTypes: ["m4.large", "c4.large"],
  policy: { name: "greedy", params: {}, inputs: {} },
});

const at = (seconds: number, type: string, price: number): SpotPriceRecord => ({
  availabilityZone: "us-east-1a",
  instanceType: type,
  productDescription: "Linux/UNIX",
  price,
  timeMs: START_MS + seconds * 1000,
});
// First poll: 2 records; the second (0 to 300 s) the two in force at 0 again and the change at 200 s.
// Per ECU: c4.large spot 0.032/8 = 0.004 < m4.large spot 0.03/6.5; on-demand 0.1/8 and 0.1/6.5 (2025-06-01).
const prices = [at(-600, "c4.large", 0.032), at(-600, "m4.large", 0.03), at(200, "c4.large", 0.06)];

beforeEach(async () => {
  h = await harness({ spotPrices: prices });
  dir = await mkdtemp(join(tmpdir(), "hotspot-live-"));
  await writeFile(join(dir, "hotspot.json"), JSON.stringify(config));
  stdout = [];
  stderr = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr.push(String(chunk));
    return true;
  });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

const clock = (): Clock => ({
  now: () => h.clock.now(),
  sleep: (ms) => h.clock.advance(ms),
});

const args = (overrides: Partial<LiveArgs> = {}): LiveArgs => ({
  "dry-run": true,
  config: join(dir, "hotspot.json"),
  cloud: "local",
  endpoint: h.emulator.endpoint,
  memory: "2",
  demand: "16",
  ...overrides,
});

const iso = (seconds: number) => new Date(START_MS + seconds * 1000).toISOString();

/** The flags acting needs before any of its own is looked at. */
const acting: Partial<LiveArgs> = {
  "dry-run": false,
  "image-id": "ami-0123456789abcdef0",
  "local-hosts": "/tmp/h",
  "local-prefix": "hs",
};

describe("hotspot live (exported handler against the EC2 emulator)", () => {
  const bad: Array<[Partial<LiveArgs>, string]> = [
    [{ duration: "1h" }, '--duration: expected only when acting (without --dry-run), found "1h"'],
    [{ resume: true }, '--resume: expected only when acting (without --dry-run), found "true"'],
    [
      { "dry-run": false, rounds: "2" },
      '--rounds: expected only with --dry-run (acting runs for --duration), found "2"',
    ],
    [
      { ...acting, cloud: "aws", endpoint: undefined, "local-prefix": undefined },
      '--local-hosts: expected only with --cloud local, found "/tmp/h"',
    ],
    [
      { ...acting, "instance-profile": "role with spaces" },
      '--instance-profile: expected an instance profile name, or its ARN (arn:aws:iam::123456789012:instance-profile/NAME), found "role with spaces"',
    ],
    [{ ...acting, mount: "/mnt/data" }, '--mount: expected only with --cloud aws, found "/mnt/data"'],
    [
      { memory: "measured" },
      '--memory: expected GiB: a dry run does not measure the container, found "measured"',
    ],
    [
      { "memory-headroom": "2" },
      '--memory-headroom: expected only when acting (without --dry-run), found "2"',
    ],
    [{ ...acting, "memory-headroom": "0.5" }, '--memory-headroom: expected a number ≥ 1, found "0.5"'],
    [
      {
        ...acting,
        cloud: "aws",
        endpoint: undefined,
        "local-hosts": undefined,
        "local-prefix": undefined,
        mount: "data",
      },
      '--mount: expected an absolute directory other than /, found "data"',
    ],
    [
      {
        ...acting,
        cloud: "aws",
        endpoint: undefined,
        "local-hosts": undefined,
        "local-prefix": undefined,
        "lxc-path": "/",
      },
      '--lxc-path: expected an absolute directory other than /, found "/"',
    ],
    [
      { "dry-run": false, "image-id": "ami-12" },
      '--image-id: expected the AMI targets launch from, such as ami-0123456789abcdef0, found "ami-12"',
    ],
    [
      { "dry-run": false, "image-id": "ami-0123456789abcdef0" },
      "--local-hosts: expected the namespace hosts' state directory, found none",
    ],
    [
      {
        "dry-run": false,
        "image-id": "ami-0123456789abcdef0",
        "local-hosts": "/tmp/h",
        "local-prefix": "HS",
      },
      '--local-prefix: expected the namespace hosts\' prefix (2-4 lower-case letters), found "HS"',
    ],
    [
      {
        "dry-run": false,
        "image-id": "ami-0123456789abcdef0",
        "local-hosts": "/tmp/h",
        "local-prefix": "hs",
        duration: "0",
      },
      '--duration: expected a positive duration such as 300, 300s, 5m, 6h or 30d, found "0"',
    ],
    [{ action: "collect" }, '--action: expected one of gc, found "collect"'],
    [
      { ...acting, "instance-id": "web-1" },
      '--instance-id: expected an instance id such as i-0123456789abcdef0, found "web-1"',
    ],
    [
      { ...acting, takeover: true },
      "--takeover: expected to come with --instance-id (the target it runs on), found no --instance-id",
    ],
    [
      { ...acting, until: "2026-01-01T00:00:00Z", duration: "1h" },
      '--until: expected either --until or --duration, found "2026-01-01T00:00:00Z"',
    ],
    [{ takeover: true }, '--takeover: expected only when acting (without --dry-run), found "true"'],
    [
      {
        "dry-run": false,
        "image-id": "ami-0123456789abcdef0",
        "local-hosts": "/tmp/h",
        "local-prefix": "hs",
        utilisation: "most",
      },
      '--utilisation: expected measured, or a number in [0, 1], found "most"',
    ],
    [{ cloud: "gcp" }, '--cloud: expected one of aws, local, found "gcp"'],
    [{ endpoint: undefined }, "--endpoint: expected the emulator's URL with --cloud local, found none"],
    [{ endpoint: "localhost:4566" }, '--endpoint: expected an http(s) URL, found "localhost:4566"'],
    [{ rounds: "0" }, '--rounds: expected a number ≥ 1, found "0"'],
    [{ rounds: "1.5" }, '--rounds: expected a whole number, found "1.5"'],
    [
      { interval: "soon" },
      '--interval: expected a positive duration such as 300, 300s, 5m, 6h or 30d, found "soon"',
    ],
    [
      { "current-type": "M4 large" },
      '--current-type: expected an instance type such as m5.large, found "M4 large"',
    ],
    [
      { "current-lifecycle": "reserved" },
      '--current-lifecycle: expected one of spot, on-demand, found "reserved"',
    ],
    [
      { "current-since": "2026-01-01" },
      '--current-since: expected to come with --current-type, found "2026-01-01"',
    ],
    [{ utilisation: "1.5" }, '--utilisation: expected a number ≥ 0 and ≤ 1, found "1.5"'],
    [{ billing: "monthly" }, '--billing: expected one of per-second, hourly, found "monthly"'],
    [
      { policy: "optimal" },
      '--policy: expected a policy that can run live (not simulation-only), found "optimal"',
    ],
    [{ metadata: "169.254.169.254" }, '--metadata: expected an http(s) URL, found "169.254.169.254"'],
    [
      { ...acting, results: "/nonexistent-hotspot-dir/ledger.json" },
      '--results: expected a file path in an existing, writable folder, found "/nonexistent-hotspot-dir/ledger.json" (its folder /nonexistent-hotspot-dir does not exist)',
    ],
  ];
  it.each(bad)("rejects %o before any request (exit 2)", async (overrides, message) => {
    const error = await runLiveCommand(args(overrides), clock()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(message);
    expect(h.emulator.state.requestLog).toEqual([]);
    expect(stdout).toEqual([]);
  });

  it("rejects an unknown policy listing the valid names before any request (exit 2)", async () => {
    const error = await runLiveCommand(args({ policy: "cheapest" }), clock()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownNameError);
    expect((error as Error).message).toBe(
      'unknown policy "cheapest"; valid: on-demand, spot-stay, greedy, hotspot, hotspot-plus, optimal',
    );
    expect(h.emulator.state.requestLog).toEqual([]);
  });

  it("prints one JSON decision per line: greedy hops from m4.large spot to c4.large spot, then stays", async () => {
    await runLiveCommand(args({ "current-type": "m4.large", rounds: "2", json: true }), clock());
    const lines = stdout
      .join("")
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as unknown);
    const m4Spot = { instanceType: "m4.large", lifecycle: "spot" };
    expect(lines).toEqual([
      {
        time: iso(0),
        trigger: "interval",
        action: "hop",
        current: m4Spot,
        chosen: { instanceType: "c4.large", lifecycle: "spot" },
        price: 0.032,
        reason: "cheaper per unit of work",
        migration: {
          acquireSeconds: 67,
          downtimeSeconds: 2 + (2 * 8 * 1024 ** 3) / 1e10 + 28 + 2,
          terminateSeconds: 38.5,
        },
        interruptionAt: null,
        rebalanceAt: null,
      },
      {
        time: iso(300),
        trigger: "interval",
        action: "stay",
        current: m4Spot,
        chosen: m4Spot,
        price: 0.03,
        reason: "already on the cheapest",
        migration: null,
        interruptionAt: null,
        rebalanceAt: null,
      },
    ]);
    expect(stderr.join("")).toBe(
      [
        "hotspot live --dry-run: policy greedy in us-east-1a; nothing is launched, moved or stopped; interruption notices are not watched (no --metadata)",
        "hotspot live --dry-run: 2 decision(s) over 4 market(s); 2 price poll(s), 5 record(s) of which 2 already known",
        "",
      ].join("\n"),
    );
    expect([...h.emulator.state.requestCounts.entries()]).toEqual([["DescribeSpotPriceHistory", 2]]);
  });

  it("prints a readable line per decision without --json", async () => {
    await runLiveCommand(args({ rounds: "1" }), clock());
    expect(stdout).toEqual([
      `${iso(0)} start place none -> c4.large spot $0.032000/h: cheapest per unit of work\n`,
    ]);
  });

  it("parses its flags through yargs as main.ts does", async () => {
    const parse = async (argv: string[]) =>
      yargs(argv)
        .command(liveCommand)
        .strict()
        .exitProcess(false)
        .fail((message, error) => {
          throw error ?? new Error(message);
        })
        .parseAsync();
    await expect(parse(["live", "--image-id", "ubuntu"])).rejects.toThrow(
      "--image-id: expected the AMI targets launch from",
    );
    await expect(
      parse([
        "live",
        "--dry-run",
        "--cloud",
        "local",
        "--endpoint",
        h.emulator.endpoint,
        "--current-lifecycle",
        "x",
      ]),
    ).rejects.toThrow('--current-lifecycle: expected one of spot, on-demand, found "x"');
    await expect(parse(["live", "--dry-run", "--round", "2"])).rejects.toThrow("Unknown argument: round");
    expect(h.emulator.state.requestLog).toEqual([]);
  });

  it("through the CLI root: acting on AWS off an EC2 instance fails on the instance metadata, before any EC2 request (exit 1)", async () => {
    // Port 9 (discard) on loopback: nothing listens, as on a machine without the link-local metadata service.
    const { code, stderr } = await runCli([
      "live",
      "--config",
      join(dir, "hotspot.json"),
      "--endpoint",
      h.emulator.endpoint,
      "--metadata",
      "http://127.0.0.1:9",
      "--image-id",
      "ami-0123456789abcdef0",
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^hotspot: instance metadata http:\/\/127\.0\.0\.1:9\/latest\/api\/token: .+/);
    expect(h.emulator.state.requestLog).toEqual([]);
  });
});

describe("hotspot live, acting: a bad config is refused before any request", () => {
  it("names the file, the field, the expected form and the found value (exit 1)", async () => {
    await writeFile(join(dir, "bad.json"), JSON.stringify({ ...config, zone: "eu-west-1b" }));
    const { code, stderr } = await runCli([
      "live",
      "--config",
      join(dir, "bad.json"),
      "--cloud",
      "local",
      "--endpoint",
      h.emulator.endpoint,
      "--image-id",
      "ami-0123456789abcdef0",
      "--local-hosts",
      dir,
      "--local-prefix",
      "hs",
      "--state-dir",
      join(dir, "state"),
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain(
      `${join(dir, "bad.json")}: zone: expected an availability zone in region us-east-1 such as us-east-1a, found "eu-west-1b"`,
    );
    expect(h.emulator.state.requestLog).toEqual([]);
  });
});
