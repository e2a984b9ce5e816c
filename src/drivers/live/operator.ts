import type { ResultsDocument } from "../../results/document.js";
import type { Clock } from "../../util/clock.js";
import type { VolumeTags } from "./hop/ec2-compute.js";
import type { LiveLogRecord } from "./run.js";

/**
 * How an operator and the controllers of one container talk with EC2 credentials alone: through tags
 * on the container's volume, which travels with it. The operator writes what it wants
 * (`hotspot:desired`: run, stop or down); every controller reads it while it runs and publishes
 * what it is doing and what the container has cost so far. EC2 allows 256 characters a value.
 */
export const OPERATOR_TAGS = {
  desired: "hotspot:desired",
  controller: "hotspot:controller",
  status: "hotspot:status",
  downtimes: "hotspot:downtimes",
  decision: "hotspot:decision",
  ledger: "hotspot:ledger",
} as const;

export const desiredStates = {
  run: "the controller hops the container",
  stop: "the controller stops hopping and exits; the container runs on where it is",
  down: "the controller stops the container, lets the volume go and exits; the home is then terminated",
} as const;
export type DesiredState = keyof typeof desiredStates;

export type ControllerState = "booting" | "running" | "handed-off" | "stopped" | "down" | "failed";

export interface ControllerStatus {
  readonly state: ControllerState;
  readonly instance: string;
  /** Epoch seconds. */
  readonly at: number;
  /** Why it ended, for failed. */
  readonly reason?: string;
}

export interface ContainerStatus {
  readonly home: string;
  readonly type: string;
  readonly lifecycle: string;
  /** Epoch seconds the container came to its home. */
  readonly since: number;
  readonly hops: number;
  readonly aborted: number;
  readonly costUsd: number;
  readonly downtimeSeconds: number;
  /** Epoch seconds of the ledger it was read from. */
  readonly at: number;
}

/** What `hotspot status` reads back. */
export interface PublishedStatus {
  readonly desired: DesiredState | null;
  readonly controller: ControllerStatus | null;
  readonly container: ContainerStatus | null;
  /** Each hop's downtime in seconds, oldest first (the oldest dropped when they do not fit a tag). */
  readonly downtimes: readonly number[];
  readonly downtimesTruncated: boolean;
  readonly decision: string | null;
  readonly ledger: string | null;
}

const TAG_VALUE_MAX = 256;

function clip(text: string): string {
  return text.length <= TAG_VALUE_MAX ? text : `${text.slice(0, TAG_VALUE_MAX - 1)}…`;
}

/** As many of the newest downtimes as fit one tag value, oldest first; "…" first when some were dropped. */
export function encodeDowntimes(downtimes: readonly number[]): string {
  const words = downtimes.map((d) => d.toFixed(2));
  let kept = words.length;
  const fits = (n: number) =>
    (n < words.length ? 2 : 0) + words.slice(words.length - n).join(" ").length <= TAG_VALUE_MAX;
  while (kept > 0 && !fits(kept)) kept--;
  return `${kept < words.length ? "… " : ""}${words.slice(words.length - kept).join(" ")}`;
}

function parseJson<T>(text: string | undefined): T | null {
  if (text === undefined || text === "") return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

export function decodeStatus(tags: Readonly<Record<string, string>>): PublishedStatus {
  const desired = tags[OPERATOR_TAGS.desired];
  const downtimes = (tags[OPERATOR_TAGS.downtimes] ?? "").split(" ").filter((w) => w !== "");
  return {
    desired:
      desired !== undefined && Object.hasOwn(desiredStates, desired) ? (desired as DesiredState) : null,
    controller: parseJson<ControllerStatus>(tags[OPERATOR_TAGS.controller]),
    container: parseJson<ContainerStatus>(tags[OPERATOR_TAGS.status]),
    downtimes: downtimes.filter((w) => w !== "…").map(Number),
    downtimesTruncated: downtimes[0] === "…",
    decision: tags[OPERATOR_TAGS.decision] ?? null,
    ledger: tags[OPERATOR_TAGS.ledger] ?? null,
  };
}

/** The container's status from a live ledger: where it is now, since when, its hops and cost so far. */
export function containerStatus(document: ResultsDocument, home: string, at: number): ContainerStatus | null {
  const run = document.runs[0];
  const current = run?.instances[run.instances.length - 1];
  if (run === undefined || current === undefined) return null;
  return {
    home,
    type: current.instanceType,
    lifecycle: current.lifecycle,
    since: Date.parse(current.start) / 1000,
    hops: run.migrations,
    aborted: run.abortedMigrations,
    costUsd: run.costUsd,
    downtimeSeconds: run.downtimeSeconds,
    at,
  };
}

/**
 * A controller's side: publishes its state, each ledger and the last decision on the volume's tags,
 * and reads what the operator wants. Tag writes are best effort (a failed one is reported through
 * `onWarning` and retried with the next), never a reason to stop hopping.
 */
export class StatusPublisher {
  private lastDecision: string | null = null;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: {
      readonly tags: VolumeTags;
      readonly volumeId: string;
      readonly instanceId: string;
      readonly ledgerPath: string;
      readonly clock: Pick<Clock, "now">;
      readonly onWarning: (text: string) => void;
    },
  ) {}

  private write(tags: Record<string, string>): Promise<void> {
    const { options } = this;
    this.pending = this.pending.then(() =>
      options.tags.write(options.volumeId, tags).catch((error: unknown) => {
        options.onWarning(`could not publish status on ${options.volumeId}: ${(error as Error).message}`);
      }),
    );
    return this.pending;
  }

  controller(state: ControllerState, reason?: string): Promise<void> {
    const status: ControllerStatus = {
      state,
      instance: this.options.instanceId,
      at: Math.round(this.options.clock.now() / 1000),
      ...(reason === undefined ? {} : { reason: reason.slice(0, 120) }),
    };
    return this.write({ [OPERATOR_TAGS.controller]: JSON.stringify(status) });
  }

  log(record: LiveLogRecord): void {
    if (record.kind !== "decision") return;
    this.lastDecision = clip(`${record.time} ${record.action} ${record.market}: ${record.reason}`);
    void this.write({ [OPERATOR_TAGS.decision]: this.lastDecision });
  }

  ledger(document: ResultsDocument, home: string): Promise<void> {
    const status = containerStatus(document, home, Math.round(this.options.clock.now() / 1000));
    return this.write({
      ...(status === null ? {} : { [OPERATOR_TAGS.status]: JSON.stringify(status) }),
      [OPERATOR_TAGS.downtimes]: encodeDowntimes(document.runs[0]?.outageDowntimesSeconds ?? []),
      [OPERATOR_TAGS.ledger]: clip(this.options.ledgerPath),
      ...(this.lastDecision === null ? {} : { [OPERATOR_TAGS.decision]: this.lastDecision }),
    });
  }

  async desired(): Promise<DesiredState | null> {
    return decodeStatus(await this.options.tags.read(this.options.volumeId)).desired;
  }

  /** Resolves once every write asked for so far is done. */
  flush(): Promise<void> {
    return this.pending;
  }
}

/**
 * Polls the operator's wish every `pollMs` until `signal` aborts; calls `onStop` once it is stop or
 * down. A failed read is reported and retried at the next poll.
 */
export async function watchDesired(options: {
  readonly publisher: StatusPublisher;
  readonly clock: Clock;
  readonly pollMs: number;
  readonly signal: AbortSignal;
  readonly onStop: (desired: Exclude<DesiredState, "run">) => void;
  readonly onWarning: (text: string) => void;
}): Promise<void> {
  while (!options.signal.aborted) {
    const desired = await options.publisher.desired().catch((error: unknown) => {
      options.onWarning(`could not read the operator's wish: ${(error as Error).message}`);
      return null;
    });
    if (desired === "stop" || desired === "down") {
      options.onStop(desired);
      return;
    }
    await options.clock.sleep(options.pollMs, options.signal);
  }
}
