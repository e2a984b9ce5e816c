import { invalidValue, missingParameter } from "./errors.js";

/**
 * The parameters of one EC2 Query request. Keys are the flat dotted names the SDK sends
 * (`Filter.1.Value.2`); list readers collect the numbered members in index order.
 */
export class Params {
  private readonly values: ReadonlyMap<string, string>;

  constructor(
    entries: Iterable<[string, string]>,
    private readonly prefix = "",
  ) {
    this.values = entries instanceof Map ? entries : new Map(entries);
  }

  static fromForm(body: string): Params {
    return new Params(new URLSearchParams(body).entries());
  }

  /** The parameters under `name.` (for a structure member). */
  sub(name: string): Params {
    return new Params(this.values, `${this.prefix}${name}.`);
  }

  has(name: string): boolean {
    const key = `${this.prefix}${name}`;
    if (this.values.has(key)) return true;
    for (const k of this.values.keys()) if (k.startsWith(`${key}.`)) return true;
    return false;
  }

  string(name: string): string | undefined {
    return this.values.get(`${this.prefix}${name}`);
  }

  required(name: string): string {
    const v = this.string(name);
    if (v === undefined || v === "") throw missingParameter(`${this.prefix}${name}`);
    return v;
  }

  integer(name: string, min = -Infinity, max = Infinity): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw) || n < min || n > max) throw invalidValue(`${this.prefix}${name}`, raw);
    return n;
  }

  boolean(name: string): boolean | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (raw !== "true" && raw !== "false") throw invalidValue(`${this.prefix}${name}`, raw);
    return raw === "true";
  }

  /** ISO-8601 timestamp in milliseconds since epoch. */
  time(name: string): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const ms = Date.parse(raw);
    if (Number.isNaN(ms)) throw invalidValue(`${this.prefix}${name}`, raw, "Expected an ISO 8601 timestamp.");
    return ms;
  }

  /** The members `name.1`, `name.2` ... as sub-parameter sets, in index order. */
  members(name: string): Params[] {
    return this.indexes(name).map((i) => this.sub(`${name}.${i}`));
  }

  /** The string members `name.1`, `name.2` ... in index order. */
  strings(name: string): string[] {
    return this.indexes(name).map((i) => this.string(`${name}.${i}`) ?? "");
  }

  private indexes(name: string): number[] {
    const head = `${this.prefix}${name}.`;
    const found = new Set<number>();
    for (const k of this.values.keys()) {
      if (!k.startsWith(head)) continue;
      const index = k.slice(head.length).split(".")[0];
      if (/^\d+$/.test(index)) found.add(Number(index));
    }
    return [...found].sort((a, b) => a - b);
  }

  /** A canonical form of every parameter except the ignored ones, for ClientToken idempotency. */
  fingerprint(ignored: readonly string[]): string {
    return [...this.values.entries()]
      .filter(([k]) => k.startsWith(this.prefix) && !ignored.includes(k.slice(this.prefix.length)))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join("&");
  }
}
