import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createEc2Api } from "../../src/cloud/ec2-client.js";
import { CloudApiError, InputFormatError, UsageError } from "../../src/errors.js";
import { fetchSpotPriceHistory, fetchWindow, type FetchProgress } from "../../src/traces/fetch.js";
import { loadTrace } from "../../src/traces/load.js";
import { Ec2QueryServer, awsTestEnvironment, type ServedSpotPrice } from "../support/ec2-query-server.js";

const keyId = "AKIAHOTSPOTFETCHTEST";
const secret = "fetch-test-secret/never-shown+0123456789";

function spot(
  zone: string,
  instanceType: string,
  product: string,
  price: string,
  timestamp: string,
): ServedSpotPrice {
  return { zone: `us-east-1${zone}`, instanceType, product, price, timestamp };
}

const linux = "Linux/UNIX";
const served: ServedSpotPrice[] = [
  spot("a", "m5.large", linux, "0.040000", "2021-02-28T10:00:00Z"),
  spot("a", "m5.large", linux, "0.040500", "2021-03-01T10:00:00Z"),
  spot("a", "m5.large", linux, "0.041000", "2021-03-02T10:00:00Z"),
  spot("b", "m5.large", linux, "0.039000", "2021-03-02T11:00:00Z"),
  spot("a", "c5.large", linux, "0.035000", "2021-03-02T12:00:00Z"),
  spot("a", "m5.large", "SUSE Linux", "0.100000", "2021-03-02T13:00:00Z"),
  spot("b", "m5.large", linux, "0.039500", "2021-03-02T10:00:00Z"),
  spot("a", "c5.large", linux, "0.036000", "2021-03-02T18:30:15.250Z"),
  spot("a", "m5.large", linux, "0.042000", "2021-03-03T06:00:00Z"),
  spot("b", "m5.large", linux, "0.038000", "2021-03-02T20:00:00Z"),
  spot("a", "m5.large", linux, "0.043000", "2021-03-02T22:00:00Z"),
  spot("c", "m5.large", linux, "0.037000", "2021-03-02T23:59:59Z"),
  spot("b", "c5.large", linux, "0.034000", "2021-03-02T01:00:00Z"),
  spot("c", "c5.large", linux, "0.033000", "2021-03-02T02:00:00Z"),
];

const march3 = Date.parse("2021-03-03T00:00:00Z") / 1000;

// The window is March 2 (days: 1 before now = March 3). The Feb 28 row is superseded by the March 1 row,
// which EC2 sends as the price in force at the start; SUSE is not Linux/UNIX; March 3 06:00 is after now.
const expectedCsv = [
  "AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp",
  "us-east-1a,m5.large,Linux/UNIX,0.040500,2021-03-01T10:00:00.000Z",
  "us-east-1b,c5.large,Linux/UNIX,0.034000,2021-03-02T01:00:00.000Z",
  "us-east-1c,c5.large,Linux/UNIX,0.033000,2021-03-02T02:00:00.000Z",
  "us-east-1a,m5.large,Linux/UNIX,0.041000,2021-03-02T10:00:00.000Z",
  "us-east-1b,m5.large,Linux/UNIX,0.039500,2021-03-02T10:00:00.000Z",
  "us-east-1b,m5.large,Linux/UNIX,0.039000,2021-03-02T11:00:00.000Z",
  "us-east-1a,c5.large,Linux/UNIX,0.035000,2021-03-02T12:00:00.000Z",
  "us-east-1a,c5.large,Linux/UNIX,0.036000,2021-03-02T18:30:15.250Z",
  "us-east-1b,m5.large,Linux/UNIX,0.038000,2021-03-02T20:00:00.000Z",
  "us-east-1a,m5.large,Linux/UNIX,0.043000,2021-03-02T22:00:00.000Z",
  "us-east-1c,m5.large,Linux/UNIX,0.037000,2021-03-02T23:59:59.000Z",
  "",
].join("\n");

describe("fetchSpotPriceHistory through the real SDK against a loopback EC2 Query server", () => {
  let server: Ec2QueryServer | undefined;
  let dir: string;

  async function start(options: Parameters<typeof Ec2QueryServer.start>[0] = {}): Promise<Ec2QueryServer> {
    server = await Ec2QueryServer.start({ records: served, accessKeyIds: [keyId], ...options });
    return server;
  }

  beforeEach(async () => {
    for (const [name, value] of Object.entries(awsTestEnvironment(keyId, secret))) vi.stubEnv(name, value);
    dir = await mkdtemp(join(tmpdir(), "hotspot-fetch-"));
  });

  afterEach(async () => {
    vi.unstubAllEnvs();
    await server?.close();
    server = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it("pages through the history and writes it oldest first as canonical CSV", async () => {
    const ec2Server = await start();
    const out = join(dir, "out.csv");
    const progress: FetchProgress[] = [];
    const result = await fetchSpotPriceHistory({
      ec2: createEc2Api({ region: "us-east-1", endpoint: ec2Server.endpoint }),
      out,
      now: march3,
      days: 1,
      pageSize: 5,
      onProgress: (update) => progress.push(update),
    });
    expect(await readFile(out, "utf8")).toBe(expectedCsv);
    // 11 records at 5 per page.
    expect(ec2Server.requests).toHaveLength(3);
    expect(progress).toEqual([
      { records: 5, pages: 1 },
      { records: 10, pages: 2 },
      { records: 11, pages: 3 },
    ]);
    expect(result).toEqual({
      path: out,
      window: { start: march3 - 86400, end: march3 },
      pages: 3,
      recordsReceived: 11,
      duplicatesDropped: 0,
      rowsWritten: 11,
      series: 6,
      first: Date.parse("2021-03-01T10:00:00Z") / 1000,
      last: Date.parse("2021-03-02T23:59:59Z") / 1000,
    });
    expect(await readdir(dir)).toEqual(["out.csv"]);
  });

  it("counts and drops records repeated across page boundaries", async () => {
    const ec2Server = await start({ repeatAtPageBoundary: 1 });
    const out = join(dir, "out.csv");
    const result = await fetchSpotPriceHistory({
      ec2: createEc2Api({ region: "us-east-1", endpoint: ec2Server.endpoint }),
      out,
      now: march3,
      days: 1,
      pageSize: 5,
    });
    // Pages start at offsets 0, 4 and 8 of the 11 records: 5 + 5 + 3 received, 2 of them repeats.
    expect(ec2Server.requests).toHaveLength(3);
    expect(result.recordsReceived).toBe(13);
    expect(result.duplicatesDropped).toBe(2);
    expect(result.rowsWritten).toBe(11);
    expect(await readFile(out, "utf8")).toBe(expectedCsv);
  });

  it("passes window, types, zones and products to EC2 and writes what matches", async () => {
    const ec2Server = await start();
    const out = join(dir, "out.csv");
    const result = await fetchSpotPriceHistory({
      ec2: createEc2Api({ region: "us-east-1", endpoint: ec2Server.endpoint }),
      out,
      now: march3 + 7 * 86400,
      start: march3 - 86400,
      end: march3,
      instanceTypes: ["m5.large"],
      zones: ["us-east-1a", "us-east-1b"],
      products: [linux, "SUSE Linux"],
    });
    expect(ec2Server.requests.map((request) => request.params)).toEqual([
      {
        Action: "DescribeSpotPriceHistory",
        Version: "2016-11-15",
        StartTime: "2021-03-02T00:00:00Z",
        EndTime: "2021-03-03T00:00:00Z",
        "InstanceType.1": "m5.large",
        "ProductDescription.1": "Linux/UNIX",
        "ProductDescription.2": "SUSE Linux",
        "Filter.1.Name": "availability-zone",
        "Filter.1.Value.1": "us-east-1a",
        "Filter.1.Value.2": "us-east-1b",
      },
    ]);
    expect(await readFile(out, "utf8")).toBe(
      [
        "AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp",
        "us-east-1a,m5.large,Linux/UNIX,0.040500,2021-03-01T10:00:00.000Z",
        "us-east-1a,m5.large,Linux/UNIX,0.041000,2021-03-02T10:00:00.000Z",
        "us-east-1b,m5.large,Linux/UNIX,0.039500,2021-03-02T10:00:00.000Z",
        "us-east-1b,m5.large,Linux/UNIX,0.039000,2021-03-02T11:00:00.000Z",
        "us-east-1a,m5.large,SUSE Linux,0.100000,2021-03-02T13:00:00.000Z",
        "us-east-1b,m5.large,Linux/UNIX,0.038000,2021-03-02T20:00:00.000Z",
        "us-east-1a,m5.large,Linux/UNIX,0.043000,2021-03-02T22:00:00.000Z",
        "",
      ].join("\n"),
    );
    expect(result.series).toBe(3);
  });

  it("asks for the last 90 days before the injected now by default", async () => {
    const ec2Server = await start();
    await fetchSpotPriceHistory({
      ec2: createEc2Api({ region: "us-east-1", endpoint: ec2Server.endpoint }),
      out: join(dir, "out.csv"),
      now: march3,
    });
    expect(ec2Server.requests[0].params.StartTime).toBe("2020-12-03T00:00:00Z");
    expect(ec2Server.requests[0].params.EndTime).toBe("2021-03-03T00:00:00Z");
    expect(ec2Server.requests[0].params["ProductDescription.1"]).toBe("Linux/UNIX");
  });

  it("survives throttling of a later page that the SDK retries", async () => {
    const ec2Server = await start();
    ec2Server.failNext(1, "RequestLimitExceeded", { skip: 1 });
    const out = join(dir, "out.csv");
    const result = await fetchSpotPriceHistory({
      ec2: createEc2Api({ region: "us-east-1", endpoint: ec2Server.endpoint }),
      out,
      now: march3,
      days: 1,
      pageSize: 5,
    });
    expect(ec2Server.requests).toHaveLength(4);
    expect(result.pages).toBe(3);
    expect(await readFile(out, "utf8")).toBe(expectedCsv);
  });

  it("leaves no output file when a later page fails", async () => {
    const ec2Server = await start();
    ec2Server.failNext(1, "InternalError", { skip: 1 });
    const error = await fetchSpotPriceHistory({
      ec2: createEc2Api({ region: "us-east-1", endpoint: ec2Server.endpoint, maxAttempts: 1 }),
      out: join(dir, "out.csv"),
      now: march3,
      days: 1,
      pageSize: 5,
    }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(CloudApiError);
    expect((error as CloudApiError).retryable).toBe(true);
    expect(ec2Server.requests).toHaveLength(2);
    expect(await readdir(dir)).toEqual([]);
  });

  it("keeps an existing output file unchanged when the fetch fails", async () => {
    const ec2Server = await start();
    ec2Server.failNext(1, "InternalError", { skip: 2 });
    const out = join(dir, "out.csv");
    await writeFile(out, "previous contents\n");
    await expect(
      fetchSpotPriceHistory({
        ec2: createEc2Api({ region: "us-east-1", endpoint: ec2Server.endpoint, maxAttempts: 1 }),
        out,
        now: march3,
        days: 1,
        pageSize: 5,
      }),
    ).rejects.toThrow(CloudApiError);
    expect(await readFile(out, "utf8")).toBe("previous contents\n");
    expect(await readdir(dir)).toEqual(["out.csv"]);
  });

  it("fails on AuthFailure with a stable, non-retryable error that never shows the secret key", async () => {
    const ec2Server = await start({ accessKeyIds: ["AKIASOMEONEELSE00001"] });
    const error = await fetchSpotPriceHistory({
      ec2: createEc2Api({ region: "us-east-1", endpoint: ec2Server.endpoint }),
      out: join(dir, "out.csv"),
      now: march3,
    }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(CloudApiError);
    const cloud = error as CloudApiError;
    expect(cloud.code).toBe("HOTSPOT_CLOUD_AuthFailure");
    expect(cloud.retryable).toBe(false);
    expect(`${cloud.message}\n${cloud.stack}\n${String(cloud.cause)}`).not.toContain(secret);
    expect(await readdir(dir)).toEqual([]);
  });

  it("rejects a malformed price from EC2, naming the record, and writes nothing", async () => {
    const ec2Server = await start({
      records: [
        spot("a", "m5.large", linux, "0.041000", "2021-03-02T10:00:00Z"),
        spot("a", "m5.large", linux, "n/a", "2021-03-02T11:00:00Z"),
      ],
    });
    const error = await fetchSpotPriceHistory({
      ec2: createEc2Api({ region: "us-east-1", endpoint: ec2Server.endpoint }),
      out: join(dir, "out.csv"),
      now: march3,
    }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InputFormatError);
    // Newest first, so the bad 11:00 record is the first one received.
    expect((error as Error).message).toBe(
      'DescribeSpotPriceHistory record 1 (us-east-1a/m5.large/Linux/UNIX): expected a SpotPrice such as 0.031200, found "n/a"',
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it("writes a file that loadTrace reads back row for row, opening price included", async () => {
    const ec2Server = await start();
    const out = join(dir, "out.csv");
    await fetchSpotPriceHistory({
      ec2: createEc2Api({ region: "us-east-1", endpoint: ec2Server.endpoint }),
      out,
      now: march3,
      days: 1,
      pageSize: 5,
    });
    const march2 = march3 - 86400;
    const trace = await loadTrace(out, { start: march2, end: march3, cacheDir: false });
    const rows = Array.from(trace.time, (time, i) => {
      const key = trace.series[trace.seriesId[i]];
      return `${key.zone},${key.instanceType},${key.product},${trace.price[i].toFixed(6)},${new Date(time * 1000).toISOString()}`;
    });
    // The March 1 row is the price in force at the window start, so the loader re-stamps it to the start.
    const expectedRows = expectedCsv
      .trim()
      .split("\n")
      .slice(1)
      .map((row) => row.replace("2021-03-01T10:00:00.000Z", "2021-03-02T00:00:00.000Z"));
    expect(rows.sort()).toEqual(expectedRows.sort());
    expect(trace.series).toHaveLength(6);
    expect(trace.report).toMatchObject({ rowsRead: 11, rowsKept: 11, duplicatesDropped: 0, carriedIn: 1 });
  });

  it("writes a header-only file when nothing matches", async () => {
    const ec2Server = await start();
    const out = join(dir, "out.csv");
    const result = await fetchSpotPriceHistory({
      ec2: createEc2Api({ region: "us-east-1", endpoint: ec2Server.endpoint }),
      out,
      now: march3,
      instanceTypes: ["x2idn.metal"],
    });
    expect(await readFile(out, "utf8")).toBe(
      "AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp\n",
    );
    expect(result).toMatchObject({ pages: 1, rowsWritten: 0, series: 0, first: null, last: null });
  });
});

describe("fetchWindow", () => {
  it("ends at now and spans 90 days by default", () => {
    expect(fetchWindow({ now: march3 })).toEqual({ start: march3 - 90 * 86400, end: march3 });
  });

  it("counts days back from an explicit end", () => {
    expect(fetchWindow({ now: march3 + 500, end: march3, days: 2 })).toEqual({
      start: march3 - 2 * 86400,
      end: march3,
    });
  });

  it("rejects a start that is not before the end", () => {
    expect(() => fetchWindow({ now: march3, start: march3 })).toThrow(UsageError);
    expect(() => fetchWindow({ now: march3, start: march3 })).toThrow(
      "--start: expected a time before the window end 2021-03-03T00:00:00.000Z, found 2021-03-03T00:00:00.000Z",
    );
  });
});
