import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EC2Client } from "@aws-sdk/client-ec2";
import { createEc2Api, sdkCaller, type Ec2Api, type SpotPriceRecord } from "../../src/cloud/ec2-client.js";
import { CloudApiError } from "../../src/errors.js";
import { Ec2QueryServer, awsTestEnvironment, type ServedSpotPrice } from "../support/ec2-query-server.js";

const keyId = "AKIAHOTSPOTTESTKEY01";
const secret = "hotspot/test+secret/do-not-print-0123456789";

const records: ServedSpotPrice[] = [
  {
    zone: "us-east-1a",
    instanceType: "m5.large",
    product: "Linux/UNIX",
    price: "0.040000",
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
    instanceType: "m5.large",
    product: "Linux/UNIX",
    price: "0.039000",
    timestamp: "2021-03-02T11:00:00Z",
  },
  {
    zone: "us-east-1a",
    instanceType: "c5.large",
    product: "Linux/UNIX",
    price: "0.035000",
    timestamp: "2021-03-02T12:00:00Z",
  },
  {
    zone: "us-east-1a",
    instanceType: "m5.large",
    product: "SUSE Linux",
    price: "0.100000",
    timestamp: "2021-03-02T13:00:00Z",
  },
  {
    zone: "us-east-1c",
    instanceType: "m5.large",
    product: "Linux/UNIX",
    price: "0.038000",
    timestamp: "2021-03-02T14:00:00Z",
  },
];

const march2 = Date.parse("2021-03-02T00:00:00Z") / 1000;
const march3 = Date.parse("2021-03-03T00:00:00Z") / 1000;

async function collect(ec2: Ec2Api, query: Parameters<Ec2Api["spotPriceHistory"]>[0]) {
  const pages: SpotPriceRecord[][] = [];
  for await (const page of ec2.spotPriceHistory(query)) pages.push([...page]);
  return pages;
}

async function failure(promise: Promise<unknown>): Promise<CloudApiError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(CloudApiError);
  return error as CloudApiError;
}

describe("createEc2Api against a loopback EC2 Query server (real SDK)", () => {
  let server: Ec2QueryServer;

  beforeEach(async () => {
    for (const [name, value] of Object.entries(awsTestEnvironment(keyId, secret))) vi.stubEnv(name, value);
    server = await Ec2QueryServer.start({ records, accessKeyIds: [keyId] });
  });

  afterEach(async () => {
    vi.unstubAllEnvs();
    await server.close();
  });

  it("sends EC2 Query parameters and signs with the default chain's keys", async () => {
    const ec2 = createEc2Api({ region: "us-east-1", endpoint: server.endpoint });
    const pages = await collect(ec2, {
      start: march2,
      end: march3,
      instanceTypes: ["m5.large", "c5.large"],
      products: ["Linux/UNIX"],
      zones: ["us-east-1a", "us-east-1b"],
      pageSize: 5,
    });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request.accessKeyId).toBe(keyId);
    expect(request.signingRegion).toBe("us-east-1");
    expect(request.params).toEqual({
      Action: "DescribeSpotPriceHistory",
      Version: "2016-11-15",
      StartTime: "2021-03-02T00:00:00Z",
      EndTime: "2021-03-03T00:00:00Z",
      "InstanceType.1": "m5.large",
      "InstanceType.2": "c5.large",
      "ProductDescription.1": "Linux/UNIX",
      "Filter.1.Name": "availability-zone",
      "Filter.1.Value.1": "us-east-1a",
      "Filter.1.Value.2": "us-east-1b",
      MaxResults: "5",
    });
    // Newest first; the 1a m5.large change of March 1 is the price in force at the start, so EC2 sends it.
    expect(pages).toEqual([
      [
        {
          zone: "us-east-1a",
          instanceType: "c5.large",
          product: "Linux/UNIX",
          price: "0.035000",
          time: march2 + 12 * 3600,
        },
        {
          zone: "us-east-1b",
          instanceType: "m5.large",
          product: "Linux/UNIX",
          price: "0.039000",
          time: march2 + 11 * 3600,
        },
        {
          zone: "us-east-1a",
          instanceType: "m5.large",
          product: "Linux/UNIX",
          price: "0.041000",
          time: march2 + 10 * 3600,
        },
        {
          zone: "us-east-1a",
          instanceType: "m5.large",
          product: "Linux/UNIX",
          price: "0.040000",
          time: march2 - 14 * 3600,
        },
      ],
    ]);
  });

  it("yields one page per request, following NextToken", async () => {
    const ec2 = createEc2Api({ region: "us-east-1", endpoint: server.endpoint });
    const pages = await collect(ec2, { start: march2 - 86400, end: march3, pageSize: 5 });
    expect(pages.map((page) => page.length)).toEqual([5, 1]);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0].params.NextToken).toBeUndefined();
    expect(server.requests[1].params.NextToken).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it("lets the SDK retry throttling (RequestLimitExceeded) and then succeeds", async () => {
    server.failNext(2, "RequestLimitExceeded");
    const ec2 = createEc2Api({ region: "us-east-1", endpoint: server.endpoint });
    const pages = await collect(ec2, { start: march2, end: march3 });
    expect(server.requests).toHaveLength(3);
    expect(pages.flat()).toHaveLength(6);
  });

  it("maps throttling that outlasts the SDK's attempts to a retryable CloudApiError", async () => {
    server.failNext(10, "RequestLimitExceeded");
    const ec2 = createEc2Api({ region: "us-east-1", endpoint: server.endpoint, maxAttempts: 2 });
    const error = await failure(collect(ec2, { start: march2, end: march3 }));
    expect(server.requests).toHaveLength(2);
    expect(error.code).toBe("HOTSPOT_CLOUD_RequestLimitExceeded");
    expect(error.apiCode).toBe("RequestLimitExceeded");
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(
      /^DescribeSpotPriceHistory in us-east-1 failed: RequestLimitExceeded \(HTTP 503, request /,
    );
  });

  it("maps AuthFailure to a non-retryable CloudApiError that shows no credentials", async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIAUNKNOWNKEY000001");
    const ec2 = createEc2Api({ region: "us-east-1", endpoint: server.endpoint });
    const error = await failure(collect(ec2, { start: march2, end: march3 }));
    expect(server.requests.map((request) => request.accessKeyId)).toEqual(["AKIAUNKNOWNKEY000001"]);
    expect(error.code).toBe("HOTSPOT_CLOUD_AuthFailure");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("AWS was not able to validate the provided access credentials");
    expect(error.message).toContain("ec2:DescribeSpotPriceHistory");
    const everything = inspect(error, { depth: 20, showHidden: true });
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain("AKIAUNKNOWNKEY000001");
  });

  it("redacts the caller's key from an EC2 message that echoes it", async () => {
    server.failNext(1, "UnauthorizedOperation", {
      message: `User with key ${keyId} is not authorized (${secret})`,
    });
    const ec2 = createEc2Api({ region: "us-east-1", endpoint: server.endpoint });
    const error = await failure(collect(ec2, { start: march2, end: march3 }));
    expect(error.code).toBe("HOTSPOT_CLOUD_UnauthorizedOperation");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("HTTP 403");
    expect(error.message).toContain("User with key [redacted] is not authorized ([redacted])");
    expect(inspect(error, { depth: 20, showHidden: true })).not.toContain(secret);
  });

  it("maps a server error to a retryable CloudApiError", async () => {
    server.failNext(1, "InternalError");
    const ec2 = createEc2Api({ region: "us-east-1", endpoint: server.endpoint, maxAttempts: 1 });
    const error = await failure(collect(ec2, { start: march2, end: march3 }));
    expect(error.code).toBe("HOTSPOT_CLOUD_InternalError");
    expect(error.retryable).toBe(true);
  });

  it("maps a rejected parameter to a non-retryable CloudApiError carrying EC2's message", async () => {
    const ec2 = createEc2Api({ region: "us-east-1", endpoint: server.endpoint });
    const error = await failure(collect(ec2, { start: march2, end: march3, pageSize: 0 }));
    expect(error.code).toBe("HOTSPOT_CLOUD_InvalidParameterValue");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("Invalid value (0) for MaxResults");
  });

  it("maps an unreachable endpoint to a retryable network CloudApiError", async () => {
    const closed = await Ec2QueryServer.start();
    await closed.close();
    const ec2 = createEc2Api({ region: "us-east-1", endpoint: closed.endpoint, maxAttempts: 1 });
    const error = await failure(collect(ec2, { start: march2, end: march3 }));
    expect(error.code).toBe("HOTSPOT_CLOUD_Network");
    expect(error.retryable).toBe(true);
  });

  it("reports missing credentials without calling EC2", async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", undefined);
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", undefined);
    const ec2 = createEc2Api({ region: "us-east-1", endpoint: server.endpoint });
    const error = await failure(collect(ec2, { start: march2, end: march3 }));
    expect(server.requests).toHaveLength(0);
    expect(error.code).toBe("HOTSPOT_CLOUD_NoCredentials");
    expect(error.retryable).toBe(false);
  });
});

describe("sdkCaller: how every EC2 client sends", () => {
  it("passes a call's value through and turns its failure into a CloudApiError naming operation and region", async () => {
    const client = new EC2Client({
      region: "eu-west-1",
      credentials: { accessKeyId: "AKIDCALLER", secretAccessKey: "s" },
    });
    const call = sdkCaller(client, "eu-west-1");
    expect(await call("DescribeVpcs", async () => 42)).toBe(42);
    const failure = Object.assign(new Error("You are not authorized to perform this operation."), {
      name: "UnauthorizedOperation",
      $metadata: { httpStatusCode: 403 },
    });
    const error = await call("RunInstances", () => Promise.reject(failure)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudApiError);
    expect((error as CloudApiError).apiCode).toBe("UnauthorizedOperation");
    expect((error as Error).message).toContain("RunInstances in eu-west-1");
    client.destroy();
  });
});
