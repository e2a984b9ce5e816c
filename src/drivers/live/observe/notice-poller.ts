import { InputFormatError, shown } from "../../../errors.js";
import { MetadataClient, type MetadataClientOptions } from "./metadata-client.js";

const ACTION_PATH = "/latest/meta-data/spot/instance-action";
const REBALANCE_PATH = "/latest/meta-data/events/recommendations/rebalance";

export interface NoticePollerOptions extends MetadataClientOptions {
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
 * Reads the spot interruption notice and rebalance recommendation from instance metadata (IMDSv2).
 */
export class NoticePoller {
  readonly intervalSeconds: number;
  private readonly metadata: MetadataClient;

  constructor(options: NoticePollerOptions) {
    this.metadata = new MetadataClient(options);
    this.intervalSeconds = options.intervalSeconds ?? 5;
  }

  async check(): Promise<NoticeState> {
    const action = await this.metadata.read(ACTION_PATH);
    const rebalance = await this.metadata.read(REBALANCE_PATH);
    const notice = action === null ? null : this.parse(ACTION_PATH, action, "time");
    return {
      interruptionAt: notice?.time ?? null,
      action: notice === null ? null : String(notice.fields.action ?? "terminate"),
      rebalanceAt: rebalance === null ? null : this.parse(REBALANCE_PATH, rebalance, "noticeTime").time,
    };
  }

  private parse(
    path: string,
    body: string,
    field: string,
  ): { time: number; fields: Record<string, unknown> } {
    const where = `${this.metadata.base}${path}`;
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
}
