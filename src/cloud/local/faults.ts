import { readFile } from "node:fs/promises";
import { InputFormatError, InputReadError } from "../../errors.js";

/** How many times a fault fires; `Infinity` means until cleared. */
type Times = number;

export interface CapacityFault {
  readonly kind: "InsufficientInstanceCapacity";
  /** Omitted: any type / any zone / both lifecycles. */
  readonly instanceType?: string;
  readonly zone?: string;
  readonly lifecycle?: "spot" | "on-demand";
  readonly times?: Times;
}

export interface ThrottleFault {
  readonly kind: "RequestLimitExceeded";
  /** The EC2 action (e.g. `RunInstances`); omitted: every action. */
  readonly action?: string;
  readonly times?: Times;
}

export interface IncorrectStateFault {
  readonly kind: "IncorrectState";
  readonly action: string;
  readonly times?: Times;
}

export interface SlowFault {
  readonly kind: "SlowAttachment";
  readonly operation: "attach" | "detach";
  /** A volume or ENI id; omitted: every volume and ENI. */
  readonly resource?: string;
  /** Extra real-cloud seconds (scaled by the latency factor like every duration). */
  readonly extraSeconds: number;
  readonly times?: Times;
}

/** A missing IAM permission: the action (DryRun included) answers UnauthorizedOperation. */
export interface UnauthorizedFault {
  readonly kind: "UnauthorizedOperation";
  readonly action: string;
  readonly times?: Times;
}

export interface StuckFault {
  readonly kind: "StuckDetach";
  /** A volume or ENI id; omitted: every one. */
  readonly resource?: string;
  readonly times?: Times;
}

export interface InterruptionRule {
  readonly kind: "SpotInterruption";
  /** Which spot instances: any that match every given field. */
  readonly instanceType?: string;
  readonly zone?: string;
  /** `Key=Value` of a tag the instance carries. */
  readonly tag?: string;
  /** Real-cloud seconds after the instance is running at which the 2-minute notice is given. */
  readonly afterSeconds: number;
  /** Whether a rebalance recommendation comes with the notice (default true). */
  readonly rebalance?: boolean;
  readonly times?: Times;
}

export type Fault =
  | CapacityFault
  | ThrottleFault
  | IncorrectStateFault
  | SlowFault
  | StuckFault
  | UnauthorizedFault
  | InterruptionRule;

/** A fault in force, with how many firings are left; `clear()` removes it. */
export interface ActiveFault {
  readonly fault: Fault;
  remaining: number;
  /** How many times it has fired. */
  fired: number;
  clear(): void;
}

export interface InstanceFacts {
  readonly instanceType: string;
  readonly zone: string;
  readonly tags: ReadonlyMap<string, string>;
}

/** When to interrupt one chosen spot instance. */
export interface InterruptOptions {
  /** Real-cloud seconds from now (scaled by the latency factor) until the 2-minute notice; default 0. */
  readonly afterSeconds?: number;
  /** Or an absolute emulator time (ms since epoch) for the notice. */
  readonly atMs?: number;
  /** Whether a rebalance recommendation comes with the notice (default true). */
  readonly rebalance?: boolean;
}

/** The faults in force. The emulator consults them; tests and fault scripts add them. */
export class FaultSet {
  private active: ActiveFault[] = [];

  constructor(private readonly interrupter: (instanceId: string, options: InterruptOptions) => void) {}

  /**
   * Interrupt a running spot instance: the notice appears in its metadata at the chosen time, and the
   * instance is terminated (state reason `Server.SpotInstanceTermination`) two minutes later, scaled.
   */
  interrupt(instanceId: string, options: InterruptOptions = {}): void {
    this.interrupter(instanceId, options);
  }

  add(fault: Fault): ActiveFault {
    validateFault(fault, "fault");
    const entry: ActiveFault = {
      fault,
      remaining: fault.times ?? Infinity,
      fired: 0,
      clear: () => {
        this.active = this.active.filter((f) => f !== entry);
      },
    };
    this.active.push(entry);
    return entry;
  }

  insufficientCapacity(options: Omit<CapacityFault, "kind"> = {}): ActiveFault {
    return this.add({ kind: "InsufficientInstanceCapacity", ...options });
  }

  throttle(options: Omit<ThrottleFault, "kind"> = {}): ActiveFault {
    return this.add({ kind: "RequestLimitExceeded", ...options });
  }

  incorrectState(action: string, times?: Times): ActiveFault {
    return this.add({ kind: "IncorrectState", action, times });
  }

  slow(operation: "attach" | "detach", extraSeconds: number, resource?: string, times?: Times): ActiveFault {
    return this.add({ kind: "SlowAttachment", operation, extraSeconds, resource, times });
  }

  stuckDetach(resource?: string, times?: Times): ActiveFault {
    return this.add({ kind: "StuckDetach", resource, times });
  }

  interruptMatching(rule: Omit<InterruptionRule, "kind">): ActiveFault {
    return this.add({ kind: "SpotInterruption", ...rule });
  }

  clearAll(): void {
    this.active = [];
  }

  list(): readonly ActiveFault[] {
    return this.active;
  }

  throttled(action: string): boolean {
    return this.fire(
      (f) => f.kind === "RequestLimitExceeded" && (f.action === undefined || f.action === action),
    );
  }

  /** Deny `action` as a missing IAM permission would. */
  deny(action: string, times?: Times): ActiveFault {
    return this.add({ kind: "UnauthorizedOperation", action, times });
  }

  denied(action: string): boolean {
    return this.fire((f) => f.kind === "UnauthorizedOperation" && f.action === action);
  }

  incorrectStateFor(action: string): boolean {
    return this.fire((f) => f.kind === "IncorrectState" && f.action === action);
  }

  outOfCapacity(instanceType: string, zone: string, lifecycle: "spot" | "on-demand"): boolean {
    return this.fire(
      (f) =>
        f.kind === "InsufficientInstanceCapacity" &&
        (f.instanceType === undefined || f.instanceType === instanceType) &&
        (f.zone === undefined || f.zone === zone) &&
        (f.lifecycle === undefined || f.lifecycle === lifecycle),
    );
  }

  /** Extra real-cloud seconds for an attach or detach of `resource`. */
  extraSeconds(operation: "attach" | "detach", resource: string): number {
    let extra = 0;
    this.fire((f) => {
      if (f.kind !== "SlowAttachment" || f.operation !== operation) return false;
      if (f.resource !== undefined && f.resource !== resource) return false;
      extra += f.extraSeconds;
      return true;
    }, true);
    return extra;
  }

  stuck(resource: string): boolean {
    return this.fire(
      (f) => f.kind === "StuckDetach" && (f.resource === undefined || f.resource === resource),
    );
  }

  /** Interruption rules that apply to a spot instance that just started running (each fires once per instance). */
  interruptionsFor(instance: InstanceFacts): InterruptionRule[] {
    const found: InterruptionRule[] = [];
    this.fire((f) => {
      if (f.kind !== "SpotInterruption") return false;
      if (f.instanceType !== undefined && f.instanceType !== instance.instanceType) return false;
      if (f.zone !== undefined && f.zone !== instance.zone) return false;
      if (f.tag !== undefined) {
        const [k, v] = splitTag(f.tag);
        if (instance.tags.get(k) !== v) return false;
      }
      found.push(f);
      return true;
    }, true);
    return found;
  }

  /** Fire the first (or, with `all`, every) matching fault that has firings left. */
  private fire(match: (f: Fault) => boolean, all = false): boolean {
    let any = false;
    for (const entry of [...this.active]) {
      if (entry.remaining <= 0 || !match(entry.fault)) continue;
      entry.remaining -= 1;
      entry.fired += 1;
      if (entry.remaining <= 0) entry.clear();
      any = true;
      if (!all) break;
    }
    return any;
  }
}

function splitTag(tag: string): [string, string] {
  const eq = tag.indexOf("=");
  return eq < 0 ? [tag, ""] : [tag.slice(0, eq), tag.slice(eq + 1)];
}

const KINDS = [
  "InsufficientInstanceCapacity",
  "RequestLimitExceeded",
  "IncorrectState",
  "SlowAttachment",
  "StuckDetach",
  "UnauthorizedOperation",
  "SpotInterruption",
] as const;

/** Check one fault's shape; `where` names it in errors (e.g. `faults.json: faults[2]`). */
function validateFault(value: unknown, where: string): asserts value is Fault {
  const bad = (expected: string, found: unknown): never => {
    throw new InputFormatError(where, expected, JSON.stringify(found) ?? String(found));
  };
  if (typeof value !== "object" || value === null) bad("an object", value);
  const f = value as Record<string, unknown>;
  if (!KINDS.includes(f.kind as (typeof KINDS)[number])) bad(`kind one of ${KINDS.join(", ")}`, f.kind);
  const optionalString = (key: string): void => {
    if (f[key] !== undefined && typeof f[key] !== "string") bad(`${key} a string`, f[key]);
  };
  const requiredString = (key: string): void => {
    if (typeof f[key] !== "string" || f[key] === "") bad(`${key} a non-empty string`, f[key]);
  };
  const seconds = (key: string): void => {
    if (typeof f[key] !== "number" || !(Number(f[key]) >= 0)) bad(`${key} a number of seconds >= 0`, f[key]);
  };
  if (f.times !== undefined && f.times !== Infinity && !(Number.isInteger(f.times) && Number(f.times) >= 1)) {
    bad("times a whole number >= 1 (omit it for 'until cleared')", f.times);
  }
  switch (f.kind) {
    case "InsufficientInstanceCapacity":
      optionalString("instanceType");
      optionalString("zone");
      if (f.lifecycle !== undefined && f.lifecycle !== "spot" && f.lifecycle !== "on-demand")
        bad("lifecycle spot or on-demand", f.lifecycle);
      break;
    case "RequestLimitExceeded":
      optionalString("action");
      break;
    case "IncorrectState":
    case "UnauthorizedOperation":
      requiredString("action");
      break;
    case "SlowAttachment":
      if (f.operation !== "attach" && f.operation !== "detach")
        bad("operation attach or detach", f.operation);
      optionalString("resource");
      seconds("extraSeconds");
      break;
    case "StuckDetach":
      optionalString("resource");
      break;
    case "SpotInterruption":
      optionalString("instanceType");
      optionalString("zone");
      optionalString("tag");
      seconds("afterSeconds");
      if (f.rebalance !== undefined && typeof f.rebalance !== "boolean")
        bad("rebalance true or false", f.rebalance);
      break;
  }
}

/** A fault script: `{"faults": [ {"kind": ..., ...}, ... ]}`. */
export function parseFaultScript(text: string, source: string): Fault[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new InputFormatError(source, "a JSON document", (cause as Error).message, { cause });
  }
  const faults = (doc as { faults?: unknown } | null)?.faults;
  if (!Array.isArray(faults)) {
    throw new InputFormatError(
      source,
      'an object {"faults": [...]}',
      JSON.stringify(doc)?.slice(0, 60) ?? "",
    );
  }
  faults.forEach((f, i) => validateFault(f, `${source}: faults[${i}]`));
  return faults as Fault[];
}

export async function readFaultScript(path: string): Promise<Fault[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new InputReadError(path, (cause as Error).message, { cause });
  }
  return parseFaultScript(text, path);
}
