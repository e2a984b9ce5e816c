import { InputFormatError, shown } from "../errors.js";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Says which values to build: given the keys from the root to a value (array items get their
 * index), true builds the value and hands it to `onValue`; everything else is only scanned.
 */
export type CapturePredicate = (path: readonly (string | number)[]) => boolean;

interface Frame {
  readonly kind: "object" | "array";
  /** The key (object) or index (array) of the value being read next, or null before a key. */
  key: string | number | null;
  state: "start" | "key" | "colon" | "value" | "comma";
  /** The container being built, when captured. */
  readonly value?: { [key: string]: JsonValue } | JsonValue[];
  /** Where this captured container starts, for `onValue`. */
  readonly line: number;
  readonly captureRoot: boolean;
}

/**
 * A streaming JSON reader for files too large to hold: it is fed text chunks and builds only the
 * values the predicate selects (each small), so memory is bounded by the largest selected value.
 * Errors name `file:line` with what was expected and found.
 */
export class JsonStream {
  private pending = "";
  private line = 1;
  private readonly stack: Frame[] = [];
  private done = false;

  constructor(
    private readonly file: string,
    private readonly capture: CapturePredicate,
    private readonly onValue: (path: readonly (string | number)[], value: JsonValue, line: number) => void,
  ) {}

  feed(chunk: string): void {
    this.scan(this.pending + chunk, false);
  }

  end(): void {
    this.scan(this.pending, true);
    if (!this.done) this.fail("the rest of the JSON document", "the end of the file");
  }

  private fail(expected: string, found: string): never {
    throw new InputFormatError(`${this.file}:${this.line}`, expected, found);
  }

  private scan(text: string, final: boolean): void {
    let i = 0;
    const n = text.length;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 10) {
        this.line++;
        i++;
        continue;
      }
      if (c === 32 || c === 9 || c === 13) {
        i++;
        continue;
      }
      if (this.done) this.fail("nothing after the JSON document", shown(text.slice(i, i + 20)));
      const ch = text[i];
      if (ch === "{" || ch === "[") {
        this.beginValue();
        this.open(ch === "{" ? "object" : "array");
        i++;
      } else if (ch === "}" || ch === "]") {
        this.close(ch);
        i++;
      } else if (ch === ",") {
        const top = this.stack.at(-1);
        if (top === undefined || top.state !== "comma") this.fail("a value", '","');
        top.state = top.kind === "object" ? "key" : "value";
        if (top.kind === "array") top.key = (top.key as number) + 1;
        i++;
      } else if (ch === ":") {
        const top = this.stack.at(-1);
        if (top === undefined || top.state !== "colon") this.fail("a value", '":"');
        top.state = "value";
        i++;
      } else if (ch === '"') {
        let j = i + 1;
        let escaped = false;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (d === 92) {
            escaped = true;
            j += 2;
            continue;
          }
          if (d === 34) break;
          if (d === 10) this.fail("a closing quote on the same line", "a line break in a string");
          j++;
        }
        if (j >= n) {
          if (!final) {
            this.pending = text.slice(i);
            return;
          }
          this.fail("a closing quote", "the end of the file");
        }
        const raw = text.slice(i + 1, j);
        const value = escaped ? this.parseEscaped(text.slice(i, j + 1)) : raw;
        const top = this.stack.at(-1);
        if (top !== undefined && top.kind === "object" && (top.state === "key" || top.state === "start")) {
          top.key = value;
          top.state = "colon";
        } else {
          this.scalar(value);
        }
        i = j + 1;
      } else {
        let j = i;
        while (j < n && /[-+0-9.eEtrufalsn]/.test(text[j])) j++;
        if (j >= n && !final) {
          this.pending = text.slice(i);
          return;
        }
        const raw = text.slice(i, j);
        if (raw === "") this.fail("a JSON value", shown(text.slice(i, i + 20)));
        let value: JsonValue;
        if (raw === "true") value = true;
        else if (raw === "false") value = false;
        else if (raw === "null") value = null;
        else {
          value = Number(raw);
          if (!/^-?\d/.test(raw) || !Number.isFinite(value)) this.fail("a JSON value", shown(raw));
        }
        this.scalar(value);
        i = j;
      }
    }
    this.pending = "";
  }

  private parseEscaped(quoted: string): string {
    try {
      return JSON.parse(quoted) as string;
    } catch {
      return this.fail("a well-formed JSON string", shown(quoted));
    }
  }

  private path(): (string | number)[] {
    return this.stack.map((frame) => frame.key as string | number);
  }

  /** Checks a value may start here. */
  private beginValue(): void {
    const top = this.stack.at(-1);
    if (top === undefined) {
      if (this.done) this.fail("one JSON document", "a second value");
      return;
    }
    if (top.kind === "object" && top.state !== "value") {
      this.fail(top.state === "colon" ? '":"' : "a quoted key", "a value");
    }
    if (top.kind === "array" && top.state !== "value" && top.state !== "start")
      this.fail('"," or "]"', "a value");
    if (top.kind === "array" && top.state === "start") top.key = 0;
  }

  private capturing(): Frame | undefined {
    const top = this.stack.at(-1);
    return top?.value !== undefined ? top : undefined;
  }

  private open(kind: "object" | "array"): void {
    const parent = this.capturing();
    const captureRoot = parent === undefined && this.capture(this.path());
    const value = parent !== undefined || captureRoot ? (kind === "object" ? {} : []) : undefined;
    this.stack.push({ kind, key: null, state: "start", value, line: this.line, captureRoot });
  }

  private close(ch: "}" | "]"): void {
    const top = this.stack.at(-1);
    const kind = ch === "}" ? "object" : "array";
    if (top === undefined || top.kind !== kind) this.fail("a value or the end of its container", shown(ch));
    if (top.state !== "comma" && top.state !== "start") this.fail("a value", shown(ch));
    this.stack.pop();
    if (top.value !== undefined) {
      if (top.captureRoot) {
        this.onValue(this.path(), top.value, top.line);
        this.afterValue();
      } else this.store(top.value);
    } else this.afterValue();
  }

  private scalar(value: JsonValue): void {
    this.beginValue();
    if (this.capturing() !== undefined) {
      this.store(value);
      return;
    }
    if (this.capture(this.path())) this.onValue(this.path(), value, this.line);
    this.afterValue();
  }

  /** Puts a finished value into the captured container above it. */
  private store(value: JsonValue): void {
    const top = this.stack.at(-1) as Frame;
    if (Array.isArray(top.value)) top.value.push(value);
    else (top.value as { [key: string]: JsonValue })[top.key as string] = value;
    this.afterValue();
  }

  private afterValue(): void {
    const top = this.stack.at(-1);
    if (top === undefined) this.done = true;
    else top.state = "comma";
  }
}
