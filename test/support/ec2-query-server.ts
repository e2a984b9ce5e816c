import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A minimal EC2 Query-protocol server on loopback that answers DescribeSpotPriceHistory the way EC2
 * does (form-encoded POST in, XML out, newest first, NextToken pagination, per series the last change
 * before StartTime), with injectable faults. Test support only: it does not check signatures.
 */

/** A spot price change to serve; `timestamp` is ISO 8601, `price` AWS's decimal string. */
export interface ServedSpotPrice {
  readonly zone: string;
  readonly instanceType: string;
  readonly product: string;
  readonly price: string;
  readonly timestamp: string;
}

export interface ReceivedRequest {
  readonly action: string | undefined;
  /** Every form parameter of the request body. */
  readonly params: Readonly<Record<string, string>>;
  /** Access key ID from the SigV4 Authorization header, or undefined when unsigned. */
  readonly accessKeyId: string | undefined;
  /** Region from the SigV4 credential scope. */
  readonly signingRegion: string | undefined;
}

export interface Ec2QueryServerOptions {
  readonly records?: readonly ServedSpotPrice[];
  /** Access key IDs accepted; others get AuthFailure. Absent: any key is accepted. */
  readonly accessKeyIds?: readonly string[];
  /** Start every page after the first this many records early, repeating them as EC2 sometimes does. */
  readonly repeatAtPageBoundary?: number;
}

interface Fault {
  code: string;
  message: string;
  remaining: number;
  skip: number;
}

const apiVersion = "2016-11-15";
// The page size when a request has no MaxResults.
const defaultPageSize = 1000;

// HTTP statuses EC2 uses for these codes; anything else is a 400 client error.
const statusOfCode: Readonly<Record<string, number>> = {
  AuthFailure: 401,
  UnauthorizedOperation: 403,
  RequestLimitExceeded: 503,
  Unavailable: 503,
  InternalError: 500,
  DryRunOperation: 412,
};

const defaultMessages: Readonly<Record<string, string>> = {
  AuthFailure: "AWS was not able to validate the provided access credentials",
  UnauthorizedOperation: "You are not authorized to perform this operation.",
  RequestLimitExceeded: "Request limit exceeded.",
  InternalError: "An internal error has occurred",
  Unavailable: "The server is overloaded and can't handle the request.",
};

const supportedFilters = new Set(["availability-zone", "instance-type", "product-description"]);

interface StoredRecord extends ServedSpotPrice {
  readonly timeMs: number;
}

export class Ec2QueryServer {
  /** Requests in arrival order, including the ones answered with a fault. */
  readonly requests: ReceivedRequest[] = [];
  private records: StoredRecord[] = [];
  private readonly faults: Fault[] = [];
  private requestCount = 0;

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    private readonly options: Ec2QueryServerOptions,
  ) {}

  static async start(options: Ec2QueryServerOptions = {}): Promise<Ec2QueryServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", resolve);
    });
    const { port } = server.address() as AddressInfo;
    const instance = new Ec2QueryServer(server, `http://127.0.0.1:${port}`, options);
    instance.setRecords(options.records ?? []);
    server.on("request", (request, response) => void instance.handle(request, response));
    return instance;
  }

  setRecords(records: readonly ServedSpotPrice[]): void {
    this.records = records.map((record) => {
      const timeMs = Date.parse(record.timestamp);
      if (!Number.isFinite(timeMs)) throw new Error(`bad test record timestamp ${record.timestamp}`);
      return { ...record, timeMs };
    });
  }

  /** Answer the next `count` requests (after letting `skip` through) with EC2 error `code`. */
  failNext(count: number, code: string, options: { message?: string; skip?: number } = {}): void {
    this.faults.push({
      code,
      message: options.message ?? defaultMessages[code] ?? code,
      remaining: count,
      skip: options.skip ?? 0,
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
    const credential = /Credential=([^/]+)\/\d{8}\/([^/]+)\//.exec(request.headers.authorization ?? "");
    const received: ReceivedRequest = {
      action: params.Action,
      params,
      accessKeyId: credential?.[1],
      signingRegion: credential?.[2],
    };
    this.requests.push(received);
    this.requestCount += 1;
    const requestId = `00000000-0000-4000-8000-${String(this.requestCount).padStart(12, "0")}`;
    try {
      const body = this.answer(received, request.method ?? "");
      send(response, 200, body.replace("{requestId}", requestId), requestId);
    } catch (thrown) {
      // A bug in this server surfaces to the SDK as EC2's internal error, with its text.
      const error = thrown instanceof Ec2Fault ? thrown : new Ec2Fault("InternalError", String(thrown));
      send(
        response,
        statusOfCode[error.code] ?? 400,
        `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${xml(error.code)}</Code><Message>${xml(error.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
        requestId,
      );
    }
  }

  private answer(request: ReceivedRequest, method: string): string {
    const fault = this.faults[0];
    if (fault && fault.skip > 0) {
      fault.skip -= 1;
    } else if (fault) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.faults.shift();
      throw new Ec2Fault(fault.code, fault.message);
    }
    const accepted = this.options.accessKeyIds;
    if (accepted && !accepted.includes(request.accessKeyId ?? "")) {
      throw new Ec2Fault("AuthFailure", defaultMessages.AuthFailure);
    }
    if (method !== "POST") throw new Ec2Fault("InvalidAction", "Only POST is supported by this server");
    if (request.action !== "DescribeSpotPriceHistory") {
      throw new Ec2Fault(
        "InvalidAction",
        `The action ${request.action ?? "(none)"} is not valid for this web service.`,
      );
    }
    if (request.params.Version !== apiVersion) {
      throw new Ec2Fault(
        "InvalidParameterValue",
        `Unsupported API version ${request.params.Version ?? "(none)"}`,
      );
    }
    if (request.params.DryRun === "true") {
      throw new Ec2Fault("DryRunOperation", "Request would have succeeded, but DryRun flag is set.");
    }
    return this.describeSpotPriceHistory(request.params);
  }

  private describeSpotPriceHistory(params: Readonly<Record<string, string>>): string {
    const start = timeParam(params, "StartTime") ?? -Infinity;
    const end = timeParam(params, "EndTime") ?? Infinity;
    const pageSize = pageSizeParam(params) ?? defaultPageSize;
    const matches = recordMatcher(params);
    const candidates = this.records.filter(matches);
    const inWindow = candidates.filter((record) => record.timeMs >= start && record.timeMs <= end);
    const selected = [...inWindow, ...lastBeforeStart(candidates, start)].sort(newestFirst);

    const digest = queryDigest(params);
    const offset =
      params.NextToken === undefined ? 0 : tokenOffset(params.NextToken, digest, selected.length);
    const page = selected.slice(offset, offset + pageSize);
    const more = offset + pageSize < selected.length;
    const nextOffset = offset + pageSize - Math.min(this.options.repeatAtPageBoundary ?? 0, pageSize - 1);
    const items = page
      .map(
        (record) =>
          `<item><instanceType>${xml(record.instanceType)}</instanceType><productDescription>${xml(record.product)}</productDescription><spotPrice>${xml(record.price)}</spotPrice><timestamp>${new Date(record.timeMs).toISOString()}</timestamp><availabilityZone>${xml(record.zone)}</availabilityZone></item>`,
      )
      .join("");
    const nextToken = more ? `<nextToken>${makeToken(nextOffset, digest)}</nextToken>` : "";
    return `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeSpotPriceHistoryResponse xmlns="http://ec2.amazonaws.com/doc/${apiVersion}/"><requestId>{requestId}</requestId><spotPriceHistorySet>${items}</spotPriceHistorySet>${nextToken}</DescribeSpotPriceHistoryResponse>`;
  }
}

class Ec2Fault extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function send(response: ServerResponse, status: number, body: string, requestId: string): void {
  response.writeHead(status, {
    "content-type": "text/xml;charset=UTF-8",
    "content-length": Buffer.byteLength(body),
    "x-amzn-requestid": requestId,
  });
  response.end(body);
}

function xml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function timeParam(params: Readonly<Record<string, string>>, name: string): number | undefined {
  const raw = params[name];
  if (raw === undefined) return undefined;
  const ms = Date.parse(raw);
  if (!Number.isFinite(ms)) throw new Ec2Fault("InvalidParameterValue", `Invalid value '${raw}' for ${name}`);
  return ms;
}

function pageSizeParam(params: Readonly<Record<string, string>>): number | undefined {
  const raw = params.MaxResults;
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Ec2Fault(
      "InvalidParameterValue",
      `Invalid value (${raw}) for MaxResults: expected a positive integer`,
    );
  }
  return value;
}

/** Values of `Prefix.1`, `Prefix.2`, ... in order. */
function listParam(params: Readonly<Record<string, string>>, prefix: string): string[] {
  const values: string[] = [];
  for (let n = 1; params[`${prefix}.${n}`] !== undefined; n += 1) values.push(params[`${prefix}.${n}`]);
  return values;
}

function recordMatcher(params: Readonly<Record<string, string>>): (record: StoredRecord) => boolean {
  const conditions: ((record: StoredRecord) => boolean)[] = [];
  const oneOf = (values: string[], field: (record: StoredRecord) => string) => {
    if (values.length > 0) conditions.push((record) => values.includes(field(record)));
  };
  oneOf(listParam(params, "InstanceType"), (record) => record.instanceType);
  oneOf(listParam(params, "ProductDescription"), (record) => record.product);
  if (params.AvailabilityZone !== undefined) oneOf([params.AvailabilityZone], (record) => record.zone);
  for (let n = 1; params[`Filter.${n}.Name`] !== undefined; n += 1) {
    const name = params[`Filter.${n}.Name`];
    if (!supportedFilters.has(name))
      throw new Ec2Fault("InvalidParameterValue", `The filter '${name}' is invalid`);
    const values = listParam(params, `Filter.${n}.Value`);
    if (values.length === 0)
      throw new Ec2Fault("InvalidParameterValue", `The filter '${name}' has no values`);
    const field =
      name === "availability-zone"
        ? (record: StoredRecord) => record.zone
        : name === "instance-type"
          ? (record: StoredRecord) => record.instanceType
          : (record: StoredRecord) => record.product;
    oneOf(values, field);
  }
  return (record) => conditions.every((condition) => condition(record));
}

/** Per series, the latest record before `start`: the price in force when the window opens. */
function lastBeforeStart(records: readonly StoredRecord[], start: number): StoredRecord[] {
  const latest = new Map<string, StoredRecord>();
  for (const record of records) {
    if (record.timeMs >= start) continue;
    const key = `${record.zone}\n${record.instanceType}\n${record.product}`;
    const current = latest.get(key);
    if (!current || record.timeMs > current.timeMs) latest.set(key, record);
  }
  return [...latest.values()];
}

function newestFirst(a: StoredRecord, b: StoredRecord): number {
  return (
    b.timeMs - a.timeMs ||
    a.zone.localeCompare(b.zone) ||
    a.instanceType.localeCompare(b.instanceType) ||
    a.product.localeCompare(b.product)
  );
}

// A token is bound to the query it came from, as EC2's are.
function queryDigest(params: Readonly<Record<string, string>>): string {
  const relevant = Object.entries(params)
    .filter(([name]) => name !== "NextToken" && name !== "MaxResults")
    .sort(([a], [b]) => a.localeCompare(b));
  return createHash("sha256").update(JSON.stringify(relevant)).digest("hex").slice(0, 16);
}

function makeToken(offset: number, digest: string): string {
  return Buffer.from(`${offset}:${digest}`).toString("base64url");
}

function tokenOffset(token: string, digest: string, total: number): number {
  const [offset, tokenDigest] = Buffer.from(token, "base64url").toString("utf8").split(":");
  const value = Number(offset);
  if (tokenDigest !== digest || !Number.isInteger(value) || value < 0 || value > total) {
    throw new Ec2Fault("InvalidParameterValue", `Invalid value '${token}' for NextToken`);
  }
  return value;
}

/**
 * Environment under which the SDK's default credential chain finds exactly these test keys in the
 * environment and nothing from the host (no profile, config files, session token or instance metadata).
 */
export function awsTestEnvironment(
  accessKeyId: string,
  secretAccessKey: string,
): Record<string, string | undefined> {
  return {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_CONFIG_FILE: "/nonexistent/hotspot-test/aws-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/hotspot-test/aws-credentials",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ENDPOINT_URL: undefined,
    AWS_ENDPOINT_URL_EC2: undefined,
    AWS_MAX_ATTEMPTS: undefined,
    AWS_RETRY_MODE: undefined,
  };
}
