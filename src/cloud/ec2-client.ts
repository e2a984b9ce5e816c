import {
  EC2Client,
  paginateDescribeSpotPriceHistory,
  type SpotPrice,
  type _InstanceType,
} from "@aws-sdk/client-ec2";
import { CloudApiError, InputFormatError, shown } from "../errors.js";

/** One spot price change as EC2 reports it; `price` keeps AWS's decimal string, `time` is epoch seconds. */
export interface SpotPriceRecord {
  readonly zone: string;
  readonly instanceType: string;
  readonly product: string;
  readonly price: string;
  readonly time: number;
}

/** A DescribeSpotPriceHistory query. Empty or absent lists mean "all". Times are epoch seconds. */
export interface SpotPriceQuery {
  readonly start: number;
  readonly end: number;
  readonly instanceTypes?: readonly string[];
  readonly products?: readonly string[];
  readonly zones?: readonly string[];
  /** MaxResults per request; EC2 chooses the page size when absent. */
  readonly pageSize?: number;
}

/**
 * The part of EC2 hotspot needs, kept narrow so tests and emulators can stand in for it.
 * Implementations throw CloudApiError for API failures.
 */
export interface Ec2Api {
  readonly region: string;
  /** Pages of spot price history in EC2's order (newest first), each as returned by one request. */
  spotPriceHistory(query: SpotPriceQuery): AsyncIterable<readonly SpotPriceRecord[]>;
}

export interface Ec2ClientOptions {
  readonly region: string;
  /** Another EC2-compatible endpoint, e.g. a local emulator (`http://127.0.0.1:4566`). */
  readonly endpoint?: string;
  /** Attempts per request including SDK retries of throttling and server errors (SDK default 3). */
  readonly maxAttempts?: number;
}

/** The real EC2 API via @aws-sdk/client-ec2; credentials come only from the SDK's default provider chain. */
export function createEc2Api(options: Ec2ClientOptions): Ec2Api {
  const client = new EC2Client({
    region: options.region,
    endpoint: options.endpoint,
    maxAttempts: options.maxAttempts,
  });
  return {
    region: options.region,
    spotPriceHistory: (query) => spotPriceHistoryPages(client, options.region, query),
  };
}

async function* spotPriceHistoryPages(
  client: EC2Client,
  region: string,
  query: SpotPriceQuery,
): AsyncGenerator<readonly SpotPriceRecord[]> {
  const pages = paginateDescribeSpotPriceHistory(
    { client, pageSize: query.pageSize },
    {
      StartTime: new Date(query.start * 1000),
      EndTime: new Date(query.end * 1000),
      // EC2 names new types before the SDK enum lists them, so any string is passed through.
      InstanceTypes: nonEmpty(query.instanceTypes) as _InstanceType[] | undefined,
      ProductDescriptions: nonEmpty(query.products),
      // One filter with every zone keeps it to one paginated sweep instead of one per zone.
      Filters: nonEmpty(query.zones) && [{ Name: "availability-zone", Values: [...query.zones!] }],
    },
  );
  let page = 0;
  const iterator = pages[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<{ SpotPriceHistory?: SpotPrice[] }>;
    try {
      next = await iterator.next();
    } catch (error) {
      throw await toCloudApiError(error, "DescribeSpotPriceHistory", region, client);
    }
    if (next.done) return;
    page += 1;
    yield (next.value.SpotPriceHistory ?? []).map((item, index) => toRecord(item, page, index + 1));
  }
}

function nonEmpty(list: readonly string[] | undefined): string[] | undefined {
  return list && list.length > 0 ? [...list] : undefined;
}

function toRecord(item: SpotPrice, page: number, index: number): SpotPriceRecord {
  const location = `DescribeSpotPriceHistory page ${page} record ${index}`;
  const field = (name: keyof SpotPrice, value: string | undefined): string => {
    if (value === undefined || value === "") throw new InputFormatError(location, `a ${name}`, "none");
    return value;
  };
  const time = item.Timestamp?.getTime();
  if (time === undefined || !Number.isFinite(time)) {
    throw new InputFormatError(location, "a Timestamp", shown(String(item.Timestamp)));
  }
  return {
    zone: field("AvailabilityZone", item.AvailabilityZone),
    instanceType: field("InstanceType", item.InstanceType),
    product: field("ProductDescription", item.ProductDescription),
    price: field("SpotPrice", item.SpotPrice),
    time: time / 1000,
  };
}

// Waiting helps with these: EC2 throttles per account, and capacity and server faults pass.
const retryableCodes = new Set([
  "RequestLimitExceeded",
  "Throttling",
  "ThrottlingException",
  "RequestThrottled",
  "InsufficientInstanceCapacity",
  "InsufficientHostCapacity",
  "InsufficientCapacity",
  "InsufficientAddressCapacity",
  "InsufficientVolumeCapacity",
  "InsufficientReservedInstanceCapacity",
  "InternalError",
  "InternalFailure",
  "ServiceUnavailable",
  "Unavailable",
]);

const authCodes = new Set([
  "AuthFailure",
  "UnauthorizedOperation",
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "OptInRequired",
  "Blocked",
  "ExpiredToken",
  "RequestExpired",
]);

const networkCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/**
 * An SDK failure as a CloudApiError with a stable code. The message names the operation, region, EC2's
 * code and request ID, and is scrubbed of the caller's credentials and anything shaped like an access key.
 * The SDK error is kept only as the cause's code and message, never the raw response or request.
 */
export async function toCloudApiError(
  error: unknown,
  operation: string,
  region: string,
  client?: EC2Client,
): Promise<CloudApiError> {
  if (error instanceof CloudApiError) return error;
  const sdk = (typeof error === "object" && error !== null ? error : {}) as SdkErrorShape;
  const secrets = await knownCredentials(client);
  const scrub = (text: string) => redact(text, secrets);
  const detail = scrub(sdk.message ?? String(error));
  const cause = new Error(detail);
  if (sdk.name === "CredentialsProviderError") {
    return new CloudApiError(
      "NoCredentials",
      `${operation} in ${region}: no AWS credentials found by the SDK's default chain (environment, shared config/credentials files, SSO, container or instance role): ${detail}`,
      { retryable: false, cause },
    );
  }
  if (sdk.code && networkCodes.has(sdk.code)) {
    return new CloudApiError(
      "Network",
      `${operation} in ${region}: could not reach EC2 (${sdk.code}): ${detail}`,
      {
        retryable: true,
        cause,
      },
    );
  }
  const code =
    sdk.name && /^[A-Za-z][A-Za-z0-9.]*$/.test(sdk.name) && sdk.name !== "Error" ? sdk.name : "Unknown";
  const status = sdk.$metadata?.httpStatusCode;
  const retryable = retryableCodes.has(code) || (!authCodes.has(code) && sdk.$fault === "server");
  const request = sdk.$metadata?.requestId ? `, request ${sdk.$metadata.requestId}` : "";
  const hint = authCodes.has(code)
    ? `; check the credentials the SDK's default chain picked up and that they allow ec2:${operation}`
    : "";
  return new CloudApiError(
    code,
    `${operation} in ${region} failed: ${code}${status ? ` (HTTP ${status}${request})` : ""}: ${detail}${hint}`,
    { retryable, cause },
  );
}

async function knownCredentials(client: EC2Client | undefined): Promise<string[]> {
  try {
    const identity = await client?.config.credentials();
    return [identity?.accessKeyId, identity?.secretAccessKey, identity?.sessionToken].filter(
      (value): value is string => typeof value === "string" && value.length >= 4,
    );
  } catch {
    return [];
  }
}

function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) result = result.split(secret).join("[redacted]");
  return result.replace(/\b(?:AKIA|ASIA)[A-Z0-9]{12,}\b/g, "[redacted]");
}

/**
 * Runs one SDK call of `client`, its failure turned into a CloudApiError naming the operation and
 * region (with credentials scrubbed): how every EC2 client of the project sends.
 */
export function sdkCaller(client: EC2Client, region: string) {
  return async <T>(operation: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw await toCloudApiError(error, operation, region, client);
    }
  };
}
