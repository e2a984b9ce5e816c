import { CloudApiError, InputFormatError, shown } from "../../errors.js";
import { nowSeconds, type LiveClock } from "./clock.js";

/** EC2's instance metadata service, as seen from the instance. */
export const defaultMetadataBase = "http://169.254.169.254";

const TOKEN_HEADER = "x-aws-ec2-metadata-token";
const TTL_HEADER = "x-aws-ec2-metadata-token-ttl-seconds";
const TOKEN_TTL_SECONDS = 21600;
/** A token is renewed this long before it expires, so no request carries one that lapses in flight. */
const RENEW_MARGIN_SECONDS = 60;
const ACTION_PATH = "/latest/meta-data/spot/instance-action";
const REBALANCE_PATH = "/latest/meta-data/events/recommendations/rebalance";

export interface NoticePollerOptions {
  /** Metadata base URL (default the link-local IMDS); may carry a path prefix, as the emulator's does. */
  readonly baseUrl?: string;
  readonly fetch?: typeof fetch;
  readonly clock: Pick<LiveClock, "now">;
  /** Seconds between checks (AWS suggests every 5 s). */
  readonly intervalSeconds?: number;
}

/** What the metadata says now. Times are epoch seconds. */
export interface NoticeState {
  /** When the spot instance will be interrupted (the `instance-action` time), or null. */
  readonly interruptionAt: number | null;
  /** The action announced (`terminate`, `stop`, `hibernate`), or null. */
  readonly action: string | null;
  /** When EC2 recommended rebalancing (elevated interruption risk), or null. */
  readonly rebalanceAt: number | null;
}

/**
 * Reads the spot interruption notice and rebalance recommendation from instance metadata with an
 * IMDSv2 session token (renewed before it expires, and once more when the service rejects it).
 */
export class NoticePoller {
  readonly intervalSeconds: number;
  private readonly base: string;
  private readonly fetch: typeof fetch;
  private token: { value: string; expiresAt: number } | null = null;

  constructor(private readonly options: NoticePollerOptions) {
    this.base = (options.baseUrl ?? defaultMetadataBase).replace(/\/+$/, "");
    this.fetch = options.fetch ?? fetch;
    this.intervalSeconds = options.intervalSeconds ?? 5;
  }

  async check(): Promise<NoticeState> {
    const action = await this.read(ACTION_PATH);
    const rebalance = await this.read(REBALANCE_PATH);
    const notice = action === null ? null : this.parse(ACTION_PATH, action, "time");
    return {
      interruptionAt: notice?.time ?? null,
      action: notice === null ? null : String(notice.fields.action ?? "terminate"),
      rebalanceAt: rebalance === null ? null : this.parse(REBALANCE_PATH, rebalance, "noticeTime").time,
    };
  }

  /** The document at `path`, or null when the service has none (404). */
  private async read(path: string): Promise<string | null> {
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

  private parse(
    path: string,
    body: string,
    field: string,
  ): { time: number; fields: Record<string, unknown> } {
    const where = `${this.base}${path}`;
    let fields: Record<string, unknown>;
    try {
      fields = JSON.parse(body) as Record<string, unknown>;
    } catch (error) {
      throw new InputFormatError(where, "a JSON document", shown(body), { cause: error });
    }
    const text = typeof fields === "object" && fields !== null ? fields[field] : undefined;
    const time = typeof text === "string" ? Date.parse(text) : NaN;
    if (Number.isNaN(time)) {
      throw new InputFormatError(where, `a "${field}" time such as 2026-01-01T00:02:00Z`, shown(body));
    }
    return { time: time / 1000, fields };
  }

  private failure(path: string, detail: string, cause?: unknown): CloudApiError {
    return new CloudApiError("Metadata", `instance metadata ${this.base}${path}: ${detail}`, {
      retryable: true,
      cause,
    });
  }
}
