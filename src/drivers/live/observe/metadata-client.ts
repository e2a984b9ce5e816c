import { CloudApiError, shown } from "../../../errors.js";
import { nowSeconds, type Clock } from "../../../util/clock.js";

/** EC2's instance metadata service, as seen from the instance. */
export const defaultMetadataBase = "http://169.254.169.254";

const TOKEN_HEADER = "x-aws-ec2-metadata-token";
const TTL_HEADER = "x-aws-ec2-metadata-token-ttl-seconds";
const TOKEN_TTL_SECONDS = 21600;
/** A token is renewed this long before it expires, so no request carries one that lapses in flight. */
const RENEW_MARGIN_SECONDS = 60;
const INSTANCE_ID_PATH = "/latest/meta-data/instance-id";
const IAM_INFO_PATH = "/latest/meta-data/iam/info";

export interface MetadataClientOptions {
  /** Metadata base URL (default the link-local IMDS); may carry a path prefix, as the emulator's does. */
  readonly baseUrl?: string;
  readonly fetch?: typeof fetch;
  readonly clock: Pick<Clock, "now">;
}

/**
 * Instance metadata read with an IMDSv2 session token (renewed before it expires, and once more when
 * the service rejects it): instances launched with IMDSv1 disabled answer nothing else.
 */
export class MetadataClient {
  readonly base: string;
  private readonly fetch: typeof fetch;
  private token: { value: string; expiresAt: number } | null = null;

  constructor(private readonly options: MetadataClientOptions) {
    this.base = (options.baseUrl ?? defaultMetadataBase).replace(/\/+$/, "");
    this.fetch = options.fetch ?? fetch;
  }

  /** The document at `path`, or null when the service has none (404). */
  async read(path: string): Promise<string | null> {
    for (let attempt = 0; ; attempt++) {
      const response = await this.request(path, { headers: { [TOKEN_HEADER]: await this.session() } });
      if (response.status === 401 && attempt === 0) {
        this.token = null;
        continue;
      }
      if (response.status === 404) return null;
      const body = await response.text();
      if (response.status !== 200) throw this.failure(path, `HTTP ${response.status}: ${shown(body)}`);
      return body;
    }
  }

  /** The id of the instance this runs on. */
  async instanceId(): Promise<string> {
    const id = (await this.read(INSTANCE_ID_PATH))?.trim() ?? "";
    if (!/^i-[0-9a-f]{8,17}$/.test(id)) {
      throw this.failure(
        INSTANCE_ID_PATH,
        `expected an instance id such as i-0123456789abcdef0, got ${shown(id)}`,
      );
    }
    return id;
  }

  /** The ARN of the instance profile this instance runs with, or null when it has none. */
  async instanceProfileArn(): Promise<string | null> {
    const text = await this.read(IAM_INFO_PATH);
    if (text === null) return null;
    let arn: unknown;
    try {
      arn = (JSON.parse(text) as { InstanceProfileArn?: unknown }).InstanceProfileArn;
    } catch {
      arn = undefined;
    }
    if (typeof arn !== "string" || !arn.startsWith("arn:")) {
      throw this.failure(IAM_INFO_PATH, `expected JSON with an InstanceProfileArn, got ${shown(text)}`);
    }
    return arn;
  }

  private async session(): Promise<string> {
    const now = nowSeconds(this.options.clock);
    if (this.token !== null && now < this.token.expiresAt - RENEW_MARGIN_SECONDS) return this.token.value;
    const response = await this.request("/latest/api/token", {
      method: "PUT",
      headers: { [TTL_HEADER]: String(TOKEN_TTL_SECONDS) },
    });
    const body = await response.text();
    if (response.status !== 200 || body === "") {
      throw this.failure("/latest/api/token", `HTTP ${response.status}: ${shown(body)}`);
    }
    this.token = { value: body, expiresAt: now + TOKEN_TTL_SECONDS };
    return body;
  }

  private async request(path: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetch(`${this.base}${path}`, init);
    } catch (error) {
      throw this.failure(path, (error as Error).message, error);
    }
  }

  private failure(path: string, detail: string, cause?: unknown): CloudApiError {
    return new CloudApiError("Metadata", `instance metadata ${this.base}${path}: ${detail}`, {
      retryable: true,
      cause,
    });
  }
}
