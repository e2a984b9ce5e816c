import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runTraceFetchCommand, traceFetchSettings } from "../../../../src/cli/commands/trace/fetch.js";
import { FakeClock } from "../../../support/fake-clock.js";
import { runCli } from "../../../support/run-cli.js";
import {
  Ec2QueryServer,
  awsTestEnvironment,
  type ServedSpotPrice,
} from "../../../support/ec2-query-server.js";

const keyId = "AKIAHOTSPOTCLITEST01";
const secret = "cli-test-secret/must+never/appear-42";

const served: ServedSpotPrice[] = [
  {
    zone: "us-east-1a",
    instanceType: "m5.large",
    product: "Linux/UNIX",
    price: "0.040500",
    timestamp: "2021-03-01T10:00:00Z",
  },
  {
    zone: "us-east-1a",
    instanceType: "m5.large",
    product: "Linux/UNIX",
    price: "0.041000",
    timestamp: "2021-03-02T10:00:00Z",
  },
  {
    zone: "us-east-1b",
    instanceType: "c5.large",
    product: "Linux/UNIX",
    price: "0.034000",
    timestamp: "2021-03-02T01:00:00Z",
  },
  {
    zone: "us-east-1b",
    instanceType: "c5.large",
    product: "Linux/UNIX",
    price: "0.034000",
    timestamp: "2021-03-04T01:00:00Z",
  },
];

/** `hotspot trace fetch ARGV` through the CLI root, as a user runs it. */
const run = (argv: readonly string[]) => runCli(["trace", "fetch", ...argv]);

describe("hotspot trace fetch flags", () => {
  beforeEach(() => {
    for (const [name, value] of Object.entries(awsTestEnvironment(keyId, secret))) vi.stubEnv(name, value);
    vi.stubEnv("AWS_REGION", undefined);
  });

  afterEach(() => vi.unstubAllEnvs());

  it("requires -o/--out", async () => {
    const result = await run(["--region", "us-east-1"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "hotspot: -o/--out: expected the path of the CSV file to write, found nothing\n",
    );
  });

  it.each([
    ["abc", 'expected a number ≥ 1 and ≤ 90, found "abc"'],
    ["0", 'expected a number ≥ 1 and ≤ 90, found "0"'],
    ["91", 'expected a number ≥ 1 and ≤ 90, found "91"'],
    ["1.5", 'expected a whole number, found "1.5"'],
  ])("rejects --days %s", async (days, message) => {
    const result = await run(["--region", "us-east-1", "--days", days, "-o", "x.csv"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`hotspot: --days: ${message}\n`);
  });

  it("requires a region from --region or AWS_REGION", async () => {
    const result = await run(["-o", "x.csv"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "--region: expected a region such as us-east-1 (or AWS_REGION set), found nothing",
    );
  });

  it.each([
    [
      ["--region", "us-east-1", "--zones", "us-west-2a"],
      '--zones: expected zone names in us-east-1 such as us-east-1a, found "us-west-2a"',
    ],
    [
      ["--region", "us-east-1", "--zones", "use1-az4"],
      '--zones: expected zone names in us-east-1 such as us-east-1a, found "use1-az4"',
    ],
    [["--region", "US East"], '--region: expected a region such as us-east-1, found "US East"'],
    [
      ["--region", "us-east-1", "--types", "m5large"],
      '--types: expected instance types such as m5.large, found "m5large"',
    ],
    [
      ["--region", "us-east-1", "--endpoint", "localhost:4566"],
      "--endpoint: expected an http:// or https:// URL",
    ],
    [
      ["--region", "us-east-1", "--start", "2021-03-02", "--end", "2021-03-01"],
      "--end: expected a time after --start (2021-03-02)",
    ],
    [
      ["--region", "us-east-1", "--start", "2021-03-02", "--days", "3"],
      "--days: expected no --days together with --start",
    ],
    [["--region", "us-east-1", "--start", "yesterday"], "--start: expected an ISO 8601 date"],
  ])("rejects %j", async (flags, message) => {
    const result = await run([...flags, "-o", "x.csv"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it("rejects an unknown flag before anything runs", async () => {
    const result = await run(["--region", "us-east-1", "-o", "x.csv", "--secret-key", "abc"]);
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: "hotspot: Unknown arguments: secret-key, secretKey\nRun with --help for usage.\n",
    });
  });

  it("turns flags into typed settings, AWS_REGION standing in for --region", () => {
    const now = Date.parse("2021-03-05T00:00:00Z") / 1000;
    expect(
      traceFetchSettings(
        { days: "2", types: ["m5.large,c5.large"], zones: ["us-east-2a", "us-east-2c"], out: " x.csv " },
        { AWS_REGION: "us-east-2" },
        now,
      ),
    ).toEqual({
      region: "us-east-2",
      endpoint: undefined,
      out: "x.csv",
      window: { start: now - 2 * 86400, end: now },
      instanceTypes: ["m5.large", "c5.large"],
      zones: ["us-east-2a", "us-east-2c"],
      products: ["Linux/UNIX"],
    });
  });
});

describe("hotspot trace fetch against a loopback EC2 Query server (real SDK, yargs harness)", () => {
  let server: Ec2QueryServer;
  let dir: string;

  beforeEach(async () => {
    for (const [name, value] of Object.entries(awsTestEnvironment(keyId, secret))) vi.stubEnv(name, value);
    server = await Ec2QueryServer.start({ records: served, accessKeyIds: [keyId] });
    dir = await mkdtemp(join(tmpdir(), "hotspot-cli-fetch-"));
  });

  afterEach(async () => {
    vi.unstubAllEnvs();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const window = ["--start", "2021-03-02", "--end", "2021-03-03"];

  it("writes the CSV and one summary line, with no progress when stderr is not a terminal", async () => {
    vi.stubEnv("AWS_REGION", "us-east-1");
    const out = join(dir, "prices.csv");
    const result = await run([...window, "--endpoint", server.endpoint, "--types", "m5.large", "-o", out]);
    expect(result).toEqual({
      code: 0,
      stdout: `wrote 2 price changes of 1 series in us-east-1 (2021-03-01T10:00:00.000Z to 2021-03-02T10:00:00.000Z) to ${out}; 2 records in 1 page, 0 duplicates dropped\n`,
      stderr: "",
    });
    expect(await readFile(out, "utf8")).toBe(
      "AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp\n" +
        "us-east-1a,m5.large,Linux/UNIX,0.040500,2021-03-01T10:00:00.000Z\n" +
        "us-east-1a,m5.large,Linux/UNIX,0.041000,2021-03-02T10:00:00.000Z\n",
    );
    expect(server.requests.map((request) => [request.accessKeyId, request.signingRegion])).toEqual([
      [keyId, "us-east-1"],
    ]);
  });

  it("ends the default window at the injected clock's now", async () => {
    const out = join(dir, "day.csv");
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    let printed: unknown[][];
    try {
      const clock = new FakeClock(Date.parse("2021-03-02T12:00:00Z"));
      await runTraceFetchCommand({ region: "us-east-1", days: "1", endpoint: server.endpoint, out }, clock);
      printed = write.mock.calls;
    } finally {
      write.mockRestore();
    }
    // The last day before 2021-03-02T12:00: c5.large's change on 03-04 lies after "now" and is not asked for.
    expect(printed).toEqual([
      [
        `wrote 3 price changes of 2 series in us-east-1 (2021-03-01T10:00:00.000Z to 2021-03-02T10:00:00.000Z) to ${out}; 3 records in 1 page, 0 duplicates dropped\n`,
      ],
    ]);
  });

  it("shows a progress line on a terminal and clears it at the end", async () => {
    const descriptor = Object.getOwnPropertyDescriptor(process.stderr, "isTTY");
    Object.defineProperty(process.stderr, "isTTY", { value: true, configurable: true });
    try {
      const result = await run([
        "--region",
        "us-east-1",
        ...window,
        "--endpoint",
        server.endpoint,
        "-o",
        join(dir, "p.csv"),
      ]);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe("\r\x1b[Kfetching spot prices: 3 records, 1 page\r\x1b[K");
    } finally {
      if (descriptor) Object.defineProperty(process.stderr, "isTTY", descriptor);
      else delete (process.stderr as { isTTY?: boolean }).isTTY;
    }
  });

  it("fails with exit code 1 on AuthFailure, never printing the secret key, and writes nothing", async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIANOTKNOWNTOSERVER");
    const result = await run([
      "--region",
      "us-east-1",
      ...window,
      "--endpoint",
      server.endpoint,
      "-o",
      join(dir, "p.csv"),
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("[HOTSPOT_CLOUD_AuthFailure]");
    expect(result.stderr).toContain("AWS was not able to validate the provided access credentials");
    expect(result.stderr).not.toContain(secret);
    expect(result.stderr).not.toContain("AKIANOTKNOWNTOSERVER");
    expect(await readdir(dir)).toEqual([]);
  });
});
