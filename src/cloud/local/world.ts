import type { Scheduler } from "./clock.js";
import { Ec2Error, invalidValue } from "./errors.js";
import { FaultSet, type InterruptOptions } from "./faults.js";
import type { HostBackend } from "./host-backend.js";
import type { EmulatedInstanceType } from "./instance-types.js";
import type { LatencyKind, LatencyModel } from "./latency.js";
import type * as Img from "./image-model.js";
import type * as M from "./model.js";
import type { Params } from "./params.js";
import type { SpotPriceBook } from "./spot-prices.js";

export const ACCOUNT_ID = "123456789012";

/** A transition or call of the data plane that failed; the emulator carries on and records it. */
export interface BackendError {
  readonly timeMs: number;
  readonly operation: string;
  readonly resourceId: string;
  readonly message: string;
}

export interface WorldConfig {
  readonly region: string;
  readonly zones: readonly string[];
  readonly scheduler: Scheduler;
  readonly latency: LatencyModel;
  readonly backend: HostBackend;
  readonly prices: SpotPriceBook;
  readonly instanceTypes: readonly EmulatedInstanceType[];
  /** Interrupt spot instances whose served price rises above their MaxPrice. */
  readonly priceInterruptions: boolean;
}

/**
 * The state of the emulated account and the machinery every action shares: ids, tags, filters,
 * pagination, ClientToken idempotency and timed transitions that wait for the data plane.
 */
export class World {
  readonly instances = new Map<string, M.Instance>();
  readonly reservations = new Map<string, M.Reservation>();
  readonly volumes = new Map<string, M.Volume>();
  readonly interfaces = new Map<string, M.NetworkInterface>();
  readonly addresses = new Map<string, M.Address>();
  readonly vpcs = new Map<string, M.Vpc>();
  readonly subnets = new Map<string, M.Subnet>();
  readonly securityGroups = new Map<string, M.SecurityGroup>();
  readonly internetGateways = new Map<string, M.InternetGateway>();
  readonly routeTables = new Map<string, M.RouteTable>();
  readonly images = new Map<string, Img.Image>();
  readonly snapshots = new Map<string, Img.Snapshot>();
  /** What each instance's guest wrote to its serial console (GetConsoleOutput). */
  readonly consoles = new Map<string, string>();
  /** Requests received per action, counted before faults are applied (so SDK retries show). */
  readonly requestCounts = new Map<string, number>();
  /** Every request in arrival order with the error code it got (null when it succeeded). */
  readonly requestLog: Array<{ readonly action: string; readonly timeMs: number; error: string | null }> = [];
  readonly backendErrors: BackendError[] = [];
  readonly faults: FaultSet;
  private readonly tokens = new Map<string, { fingerprint: string; id: string }>();
  private readonly counters = new Map<string, number>();
  private readonly queues = new Map<string, Promise<boolean>>();
  private closed = false;
  /** Set by the guest module: what an instance's guest does once it runs (see guest.ts). */
  guests: { booted(instance: M.Instance): void } = { booted: () => undefined };
  /** Set by the compute module: how a chosen instance is interrupted. */
  interrupter: (instanceId: string, options: InterruptOptions) => void = () => {
    throw new Error("no interrupter installed");
  };

  constructor(readonly config: WorldConfig) {
    this.faults = new FaultSet((id, options) => this.interrupter(id, options));
  }

  get now(): number {
    return this.config.scheduler.now();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  markClosed(): void {
    this.closed = true;
  }

  /** A fresh id like AWS's: prefix, dash, 17 hex digits (8 for the short kinds). */
  newId(prefix: string, digits = 17): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}-${n.toString(16).padStart(digits, "0")}`;
  }

  /** Count of ids handed out for a prefix (for MAC and address numbering). */
  issued(prefix: string): number {
    return this.counters.get(prefix) ?? 0;
  }

  checkZone(zone: string, param = "AvailabilityZone"): void {
    if (!this.config.zones.includes(zone)) {
      throw new Ec2Error(
        "InvalidParameterValue",
        `Invalid availability zone: [${zone}] for ${param}; this region has ${this.config.zones.join(", ")}`,
      );
    }
  }

  /**
   * ClientToken idempotency: the first request with a token creates; a repeat with the same parameters
   * returns the id it created; a repeat with other parameters is IdempotentParameterMismatch.
   */
  idempotent(action: string, params: Params, create: () => string): string {
    const token = params.string("ClientToken");
    if (token === undefined || token === "") return create();
    if (token.length > 64) throw invalidValue("ClientToken", token, "It must be at most 64 characters.");
    const fingerprint = params.fingerprint(["ClientToken", "Action", "Version"]);
    const key = `${action}\t${token}`;
    const seen = this.tokens.get(key);
    if (seen !== undefined) {
      if (seen.fingerprint !== fingerprint) {
        throw new Ec2Error(
          "IdempotentParameterMismatch",
          `The client token '${token}' was already used with different parameters.`,
        );
      }
      return seen.id;
    }
    const id = create();
    this.tokens.set(key, { fingerprint, id });
    return id;
  }

  /**
   * Run a timed transition: `work` (the data plane) starts now; `done` runs once both the modelled
   * `delayMs` has passed and `work` resolved; `failed` runs instead if `work` rejects. With `stuck`
   * the modelled time never passes until `hurry()` (a forced detach).
   */
  transition(
    delayMs: number,
    operation: string,
    resourceId: string,
    work: () => Promise<void>,
    done: () => void,
    failed: () => void,
    stuck = false,
  ): M.Pending {
    let timerDone = false;
    let workDone = false;
    let over = false;
    const finish = (): void => {
      if (!over && timerDone && workDone) {
        over = true;
        done();
      }
    };
    const cancelTimer = stuck
      ? () => undefined
      : this.config.scheduler.schedule(delayMs, () => {
          timerDone = true;
          finish();
        });
    this.call(operation, resourceId, work).then((ok) => {
      if (over) return;
      if (ok) {
        workDone = true;
        finish();
      } else {
        over = true;
        cancelTimer();
        failed();
      }
    });
    return {
      hurry: () => {
        cancelTimer();
        timerDone = true;
        finish();
      },
      cancel: () => {
        over = true;
        cancelTimer();
      },
    };
  }

  /**
   * Call the backend about one resource. Calls about the same resource run one after another, in
   * call order; a rejection is recorded, never thrown. Resolves whether the call succeeded.
   */
  call(operation: string, resourceId: string, work: () => Promise<void>): Promise<boolean> {
    const previous = this.queues.get(resourceId) ?? Promise.resolve(true);
    const next = previous.then(async () => {
      if (this.closed) return false;
      try {
        await work();
        return true;
      } catch (error) {
        this.backendErrors.push({
          timeMs: this.now,
          operation,
          resourceId,
          message: error instanceof Error ? error.message : String(error),
        });
        return false;
      }
    });
    this.queues.set(resourceId, next);
    void next.then(() => {
      if (this.queues.get(resourceId) === next) this.queues.delete(resourceId);
    });
    return next;
  }

  /** Resolves when every backend call made so far has settled. */
  async idle(): Promise<void> {
    while (this.queues.size > 0) await Promise.all([...this.queues.values()]);
  }

  delay(kind: LatencyKind): number {
    return this.config.latency.draw(kind);
  }

  /** Tags from `TagSpecification.N` entries for one resource type. */
  tagsFor(params: Params, resourceType: string): M.Tags {
    const tags: M.Tags = new Map();
    for (const spec of params.members("TagSpecification")) {
      const type = spec.required("ResourceType");
      if (type !== resourceType) continue;
      for (const tag of spec.members("Tag")) tags.set(tag.required("Key"), tag.string("Value") ?? "");
    }
    return tags;
  }
}

/** EC2 filter matching: `*` and `?` wildcards; a resource matches when any value matches. */
export function matchesValue(pattern: string, value: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === value;
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
  return re.test(value);
}

/**
 * Apply `Filter.N` to resources. `fieldOf` returns a resource's values for a filter name, or
 * undefined when the filter name is not supported (then the request fails, as AWS does).
 */
export function applyFilters<T>(
  params: Params,
  items: readonly T[],
  fieldOf: (item: T, name: string) => readonly string[] | undefined,
  tagsOf: (item: T) => M.Tags,
): T[] {
  const filters = params
    .members("Filter")
    .map((f) => ({ name: f.required("Name"), values: f.strings("Value") }));
  return items.filter((item) =>
    filters.every(({ name, values }) => {
      let have: readonly string[] | undefined;
      if (name.startsWith("tag:")) {
        const v = tagsOf(item).get(name.slice(4));
        have = v === undefined ? [] : [v];
      } else if (name === "tag-key") {
        have = [...tagsOf(item).keys()];
      } else {
        have = fieldOf(item, name);
      }
      if (have === undefined) throw new Ec2Error("InvalidParameterValue", `The filter '${name}' is invalid`);
      return have.some((h) => values.some((v) => matchesValue(v, h)));
    }),
  );
}

/** One page of `items` per MaxResults/NextToken; the token is the offset, opaque to clients. */
export function paginate<T>(
  params: Params,
  items: readonly T[],
  limits: { min: number; max: number },
): { page: T[]; nextToken: string | undefined } {
  const max = params.integer("MaxResults");
  if (max !== undefined && (max < limits.min || max > limits.max)) {
    throw new Ec2Error(
      "InvalidParameterValue",
      `Value ( ${max} ) for parameter maxResults is invalid. Expecting a value between ${limits.min} and ${limits.max}.`,
    );
  }
  const token = params.string("NextToken");
  let offset = 0;
  if (token !== undefined && token !== "") {
    const decoded = Buffer.from(token, "base64url").toString("utf8");
    const m = /^offset:(\d+)$/.exec(decoded);
    if (m === null || Number(m[1]) > items.length) {
      throw new Ec2Error("InvalidParameterValue", `Invalid NextToken '${token}'`);
    }
    offset = Number(m[1]);
  }
  if (max === undefined) return { page: items.slice(offset), nextToken: undefined };
  const end = offset + max;
  return {
    page: items.slice(offset, end),
    nextToken: end < items.length ? Buffer.from(`offset:${end}`).toString("base64url") : undefined,
  };
}

/** Look up ids given as `Name.N`, failing on the first unknown one with AWS's NotFound code. */
export function lookupAll<T>(
  ids: readonly string[],
  store: ReadonlyMap<string, T>,
  code: string,
  kind: string,
): T[] {
  const missing = ids.filter((id) => !store.has(id));
  if (missing.length > 0) {
    const plural = missing.length > 1;
    throw new Ec2Error(
      code,
      `The ${kind} ID${plural ? "s" : ""} '${missing.join(", ")}' do${plural ? "" : "es"} not exist`,
    );
  }
  return ids.map((id) => store.get(id) as T);
}

/** What a Describe call covers: the ids it names (each must exist), or everything when it names none. */
export function selectByIds<T>(
  ids: readonly string[],
  store: ReadonlyMap<string, T>,
  code: string,
  kind: string,
): T[] {
  return ids.length > 0 ? lookupAll(ids, store, code, kind) : [...store.values()];
}

export function lookup<T>(id: string, store: ReadonlyMap<string, T>, code: string, kind: string): T {
  return lookupAll([id], store, code, kind)[0];
}
