import { randomUUID } from "node:crypto";
import { open, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { InputFormatError, InputReadError, shown } from "../../../errors.js";
import { writeFileAtomic } from "../../../util/atomic-write.js";
import type { Lifecycle } from "./ec2-compute.js";

/** The steps of one hop, in order (design brief, "Migration procedure (live)"). */
export const HOP_STEPS = [
  "acquire",
  "wait-running",
  "cpu-check",
  "checkpoint",
  "detach-source",
  "attach-target",
  "restore",
  "terminate-source",
] as const;
export type HopStep = (typeof HOP_STEPS)[number];

/** Steps that undo a hop: end the target; or, once the container was stopped, bring it back to the source. */
export const UNDO_STEPS = ["terminate-target", "reattach-source", "restore-source"] as const;
export type UndoStep = (typeof UNDO_STEPS)[number];

export type StepName = HopStep | UndoStep;

export interface JournalEntry {
  readonly step: StepName;
  readonly event: "begin" | "end" | "error";
  /** Milliseconds since the Unix epoch. */
  readonly at: number;
  readonly note?: string;
  /** A checkpoint's end: the bytes of its image on the volume. */
  readonly imageBytes?: number;
}

export type HopOutcome = "done" | "rolled-back" | "fell-back";

export interface TargetMarket {
  readonly instanceType: string;
  readonly zone: string;
  readonly lifecycle: Lifecycle;
  readonly maxPrice?: string;
}

export interface HopRecord {
  readonly id: string;
  /** RunInstances ClientToken: fixed before the first call, so a retry after a crash cannot launch twice. */
  readonly clientToken: string;
  readonly source: string;
  readonly target: TargetMarket;
  targetInstanceId: string | null;
  readonly entries: JournalEntry[];
  /** null while the hop is open (in flight, or left by a crash). */
  outcome: HopOutcome | null;
  reason?: string;
  /** Undone because the container host failed (checkpoint, restore), not the market: no cool-down. */
  hostSide?: boolean;
  /** Undone because the target's CPU cannot run the container: its type is left out for the rest of the run. */
  cpuMismatch?: boolean;
}

export interface JournalDocument {
  readonly format: "hotspot-live-journal";
  readonly version: 1;
  /** Value of the `hotspot:stack` tag on every instance of ours. */
  readonly stack: string;
  /** Random per journal; part of every ClientToken so tokens never repeat across journals. */
  readonly nonce: string;
  /** The instance that holds the container when no hop is open. */
  home: string;
  readonly hops: HopRecord[];
}

/**
 * The controller's durable memory. A snapshot of the whole document is written atomically (temp file,
 * fsync, rename, fsync of the directory) on every change, so a reader after a crash sees the last
 * complete state, never a torn one.
 */
export class Journal {
  private constructor(
    readonly path: string,
    private readonly doc: JournalDocument,
  ) {}

  static async create(path: string, stack: string, home: string): Promise<Journal> {
    const doc: JournalDocument = {
      format: "hotspot-live-journal",
      version: 1,
      stack,
      nonce: randomUUID().slice(0, 8),
      home,
      hops: [],
    };
    const journal = new Journal(path, doc);
    await journal.flush();
    return journal;
  }

  static async open(path: string): Promise<Journal> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (cause) {
      throw new InputReadError(path, (cause as Error).message, { cause });
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (cause) {
      throw new InputFormatError(path, "a JSON journal document", (cause as Error).message, { cause });
    }
    return new Journal(path, validate(doc, path));
  }

  get stack(): string {
    return this.doc.stack;
  }

  get home(): string {
    return this.doc.home;
  }

  get hops(): readonly HopRecord[] {
    return this.doc.hops;
  }

  /** Hops begun and not finished: what a restart must resume. */
  openHops(): HopRecord[] {
    return this.doc.hops.filter((h) => h.outcome === null);
  }

  async beginHop(target: TargetMarket): Promise<HopRecord> {
    const id = `hop-${String(this.doc.hops.length + 1).padStart(6, "0")}`;
    const hop: HopRecord = {
      id,
      clientToken: `hotspot-${this.doc.nonce}-${id}`,
      source: this.doc.home,
      target,
      targetInstanceId: null,
      entries: [],
      outcome: null,
    };
    this.doc.hops.push(hop);
    await this.flush();
    return hop;
  }

  /** Append `entry`; with `targetInstanceId`, record the launched target in the same write. */
  async record(hop: HopRecord, entry: JournalEntry, targetInstanceId?: string): Promise<void> {
    hop.entries.push(entry);
    if (targetInstanceId !== undefined) hop.targetInstanceId = targetInstanceId;
    await this.flush();
  }

  async finish(
    hop: HopRecord,
    outcome: HopOutcome,
    reason?: string,
    hostSide = false,
    cpuMismatch = false,
  ): Promise<void> {
    hop.outcome = outcome;
    if (reason !== undefined) hop.reason = reason;
    if (hostSide) hop.hostSide = true;
    if (cpuMismatch) hop.cpuMismatch = true;
    if (outcome === "done" && hop.targetInstanceId !== null) this.doc.home = hop.targetInstanceId;
    await this.flush();
  }

  private async flush(): Promise<void> {
    await writeFileAtomic(this.path, [`${JSON.stringify(this.doc, null, 1)}\n`]);
    // The rename is durable only once the directory entry is on disk.
    const directory = await open(dirname(this.path) || ".", "r");
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  }
}

/** Whether `step` of `hop` has an entry of kind `event`. */
export function hasEntry(hop: HopRecord, step: StepName, event: JournalEntry["event"]): boolean {
  return hop.entries.some((e) => e.step === step && e.event === event);
}

/** The latest entry of `step` with `event` (a step run again after a crash has several), or undefined. */
export function lastEntry(
  hop: HopRecord,
  step: StepName,
  event: JournalEntry["event"],
): JournalEntry | undefined {
  for (let i = hop.entries.length - 1; i >= 0; i--) {
    const e = hop.entries[i];
    if (e.step === step && e.event === event) return e;
  }
  return undefined;
}

const STEP_NAMES: readonly string[] = [...HOP_STEPS, ...UNDO_STEPS];

function validate(value: unknown, path: string): JournalDocument {
  const bad = (where: string, expected: string, found: unknown): never => {
    const text =
      typeof found === "string" ? shown(found) : (JSON.stringify(found) ?? String(found)).slice(0, 80);
    throw new InputFormatError(`${path}: ${where}`, expected, text);
  };
  const doc = value as Partial<JournalDocument> | null;
  if (typeof doc !== "object" || doc === null) bad("document", "an object", value);
  if (doc!.format !== "hotspot-live-journal") bad("format", '"hotspot-live-journal"', doc!.format);
  if (doc!.version !== 1) bad("version", "1", doc!.version);
  for (const key of ["stack", "nonce", "home"] as const) {
    if (typeof doc![key] !== "string" || doc![key] === "") bad(key, "a non-empty string", doc![key]);
  }
  if (!Array.isArray(doc!.hops)) bad("hops", "an array", doc!.hops);
  doc!.hops!.forEach((hop, i) => {
    const where = `hops[${i}]`;
    if (typeof hop?.id !== "string" || typeof hop.clientToken !== "string" || typeof hop.source !== "string")
      bad(where, "id, clientToken and source strings", hop);
    if (hop.targetInstanceId !== null && typeof hop.targetInstanceId !== "string")
      bad(`${where}.targetInstanceId`, "an instance id or null", hop.targetInstanceId);
    if (hop.outcome !== null && !["done", "rolled-back", "fell-back"].includes(hop.outcome))
      bad(`${where}.outcome`, "done, rolled-back, fell-back or null", hop.outcome);
    if (!Array.isArray(hop.entries)) bad(`${where}.entries`, "an array", hop.entries);
    hop.entries.forEach((e, j) => {
      if (!STEP_NAMES.includes(e?.step) || !["begin", "end", "error"].includes(e.event))
        bad(`${where}.entries[${j}]`, `a step of ${STEP_NAMES.join(", ")} with event begin|end|error`, e);
      if (e.imageBytes !== undefined && !(Number.isFinite(e.imageBytes) && e.imageBytes >= 0))
        bad(`${where}.entries[${j}].imageBytes`, "a byte count", e.imageBytes);
    });
  });
  return doc as JournalDocument;
}
