import { InputFormatError, shown } from "../errors.js";
import type { ChunkParser } from "./formats.js";
import type { RowSink } from "./row-sink.js";
import type { ReadLimits } from "./types.js";

// Tokens.
const NEED = 0;
const LBRACE = 1;
const RBRACE = 2;
const LBRACKET = 3;
const RBRACKET = 4;
const COLON = 5;
const COMMA = 6;
const STRING = 7;
const NUMBER = 8;
const LITERAL = 9;
const EOF = 10;

// Frame states.
const KEY_OR_END = 0;
const KEY = 1;
const COLON_NEXT = 2;
const VALUE = 3;
const COMMA_OR_END = 4;
const VALUE_OR_END = 5;

// What a container is in the describe-spot-price-history shape.
const DOC = 0;
const HISTORY = 1;
const RECORD = 2;
const SKIP = 3;

const fieldNames = ["AvailabilityZone", "InstanceType", "ProductDescription", "SpotPrice", "Timestamp"];
const fieldKeys = fieldNames.map((name) => Buffer.from(name));
const historyKey = Buffer.from("SpotPriceHistory");
const priceField = 3;
// The describe-spot-price-history shape is 3 deep; deeper input is refused before it costs memory.
const maxDepth = 64;

function isNumberByte(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 101 || c === 69;
}

/**
 * `aws ec2 describe-spot-price-history --output json`, possibly several documents one after another
 * (outputs appended with `>>`). A streaming tokenizer over bytes: tokens are read in place, the five
 * record fields are copied to scratch buffers, so chunk boundaries can fall anywhere.
 */
export function createJsonParser(file: string, sink: RowSink, limits: ReadLimits): ChunkParser {
  let buf: Buffer = Buffer.alloc(0);
  let pos = 0;
  let line = 1;
  let final = false;
  let tokStart = 0;
  let tokEnd = 0;
  let tokEscaped = false;
  let tokLine = 1;

  const kinds: boolean[] = []; // true: object
  const states: number[] = [];
  const roles: number[] = [];
  let depth = 0;
  let keyIsHistory = false;
  let keyField = -1;
  let documentHasHistory = false;

  let recordNumber = 0;
  let recordLine = 0;
  let seen = 0;
  let recordError: { expected: string; found: string } | null = null;
  const slots = fieldNames.map(() => Buffer.alloc(64));
  const slotLengths = new Int32Array(5);

  function syntaxError(expected: string, found: string): never {
    throw new InputFormatError(`${file}:${tokLine}`, expected, found);
  }

  function describe(token: number): string {
    switch (token) {
      case STRING:
        return `the string ${shown(tokenText())}`;
      case NUMBER:
      case LITERAL:
        return buf.toString("utf8", tokStart, tokEnd);
      case EOF:
        return "the end of the file";
      default:
        return `'${String.fromCharCode(buf[tokStart])}'`;
    }
  }

  function tokenText(): string {
    if (!tokEscaped) return buf.toString("utf8", tokStart, tokEnd);
    const quoted = buf.toString("utf8", tokStart - 1, tokEnd + 1);
    // Found by fuzzing: a bad escape (\q, \u12) is the input's fault, reported where it is.
    return /^"(?:[^"\\]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"$/.test(quoted)
      ? (JSON.parse(quoted) as string)
      : syntaxError("a JSON string with valid escapes (\\n, \\u00e9 ...)", shown(quoted));
  }

  function tokenIs(key: Buffer): boolean {
    if (tokEscaped) return tokenText() === key.toString();
    if (tokEnd - tokStart !== key.length) return false;
    for (let i = 0; i < key.length; i++) if (buf[tokStart + i] !== key[i]) return false;
    return true;
  }

  function next(): number {
    const length = buf.length;
    while (pos < length) {
      const c = buf[pos];
      if (c === 10) line++;
      else if (c !== 32 && c !== 9 && c !== 13) break;
      pos++;
    }
    tokLine = line;
    tokStart = pos;
    if (pos >= length) return final ? EOF : NEED;
    const c = buf[pos];
    switch (c) {
      case 123:
        pos++;
        return LBRACE;
      case 125:
        pos++;
        return RBRACE;
      case 91:
        pos++;
        return LBRACKET;
      case 93:
        pos++;
        return RBRACKET;
      case 58:
        pos++;
        return COLON;
      case 44:
        pos++;
        return COMMA;
      case 34: {
        let at = pos + 1;
        let escaped = false;
        while (at < length) {
          const b = buf[at];
          if (b === 34) break;
          if (b === 92) {
            escaped = true;
            at += 2;
            continue;
          }
          if (b < 32)
            syntaxError("a closing quote before the end of the line", "a control character in a string");
          at++;
        }
        if (at >= length) {
          if (final) syntaxError("a closing quote", "the end of the file");
          return NEED;
        }
        tokStart = pos + 1;
        tokEnd = at;
        tokEscaped = escaped;
        pos = at + 1;
        return STRING;
      }
      case 116:
      case 102:
      case 110: {
        const word = c === 116 ? "true" : c === 102 ? "false" : "null";
        if (pos + word.length > length && !final) return NEED;
        if (buf.toString("latin1", pos, pos + word.length) !== word) {
          syntaxError("a JSON value", shown(buf.toString("utf8", pos, Math.min(pos + 12, length))));
        }
        tokEnd = pos + word.length;
        pos = tokEnd;
        return LITERAL;
      }
      default: {
        if (!isNumberByte(c))
          syntaxError(
            "a JSON value or punctuation",
            shown(buf.toString("utf8", pos, Math.min(pos + 12, length))),
          );
        let at = pos;
        while (at < length && isNumberByte(buf[at])) at++;
        if (at >= length && !final) return NEED;
        tokEnd = at;
        pos = at;
        return NUMBER;
      }
    }
  }

  function push(kind: boolean, role: number): void {
    if (depth === maxDepth) syntaxError(`JSON nested at most ${maxDepth} levels deep`, "deeper nesting");
    kinds[depth] = kind;
    states[depth] = kind ? KEY_OR_END : VALUE_OR_END;
    roles[depth] = role;
    depth++;
  }

  function copyToSlot(field: number): void {
    let from = tokStart;
    let to = tokEnd;
    let source: Buffer = buf;
    if (tokEscaped) {
      source = Buffer.from(tokenText());
      from = 0;
      to = source.length;
    }
    if (to - from > slots[field].length) slots[field] = Buffer.alloc((to - from) * 2);
    source.copy(slots[field], 0, from, to);
    slotLengths[field] = to - from;
    seen |= 1 << field;
  }

  function finishRecord(): void {
    sink.startRow();
    if (recordError !== null) {
      sink.fail("record", recordError.expected, recordError.found, recordNumber, recordLine);
      return;
    }
    if (seen !== 31) {
      const missing = fieldNames.filter((_, k) => (seen & (1 << k)) === 0);
      sink.fail(
        "missing-field",
        `a record with ${fieldNames.join(", ")}`,
        `no ${missing.join(", ")}`,
        recordNumber,
        recordLine,
      );
      return;
    }
    for (let k = 0; k < 3; k++) sink.keyPart(slots[k], 0, slotLengths[k]);
    sink.commit(slots[3], 0, slotLengths[3], slots[4], 0, slotLengths[4], recordNumber, recordLine);
  }

  // A value starts (scalar or container) in the top frame, whose pending key (if any) says what it is.
  function value(token: number): void {
    const role = roles[depth - 1];
    states[depth - 1] = COMMA_OR_END;
    const container = token === LBRACE || token === LBRACKET;
    if (token !== STRING && token !== NUMBER && token !== LITERAL && !container)
      syntaxError("a value", describe(token));
    if (role === DOC && keyIsHistory) {
      if (token !== LBRACKET) syntaxError('an array after "SpotPriceHistory"', describe(token));
      documentHasHistory = true;
      push(false, HISTORY);
      return;
    }
    if (role === HISTORY) {
      recordNumber++;
      recordLine = tokLine;
      seen = 0;
      recordError = null;
      if (token === LBRACE) {
        push(true, RECORD);
        return;
      }
      recordError = { expected: "a record object {...}", found: describe(token) };
      if (container) push(false, SKIP);
      else finishRecord();
      return;
    }
    if (role === RECORD && keyField >= 0) {
      if (token === STRING || (token === NUMBER && keyField === priceField)) copyToSlot(keyField);
      else recordError ??= { expected: `a string ${fieldNames[keyField]}`, found: describe(token) };
    }
    if (container) push(token === LBRACE, SKIP);
  }

  function key(): void {
    const role = roles[depth - 1];
    states[depth - 1] = COLON_NEXT;
    if (role === DOC) keyIsHistory = tokenIs(historyKey);
    else if (role === RECORD) keyField = fieldKeys.findIndex((name) => tokenIs(name));
  }

  function close(): void {
    depth--;
    const role = roles[depth];
    if (role === RECORD) finishRecord();
    else if (role === SKIP && depth > 0 && roles[depth - 1] === HISTORY) finishRecord();
    else if (role === DOC && !documentHasHistory) {
      syntaxError('a document with a "SpotPriceHistory" array', "a document without one");
    }
  }

  function run(): void {
    for (;;) {
      const token = next();
      if (token === NEED) return;
      if (depth === 0) {
        if (token === EOF) return;
        if (token !== LBRACE) syntaxError('a JSON document {"SpotPriceHistory": [...]}', describe(token));
        documentHasHistory = false;
        push(true, DOC);
        continue;
      }
      if (token === EOF)
        syntaxError("the rest of the JSON document (the file is truncated)", "the end of the file");
      const top = depth - 1;
      const state = states[top];
      if (kinds[top]) {
        if (state === KEY_OR_END && token === RBRACE) close();
        else if ((state === KEY_OR_END || state === KEY) && token === STRING) key();
        else if (state === KEY_OR_END || state === KEY) syntaxError("a key string", describe(token));
        else if (state === COLON_NEXT) {
          if (token !== COLON) syntaxError("':'", describe(token));
          states[top] = VALUE;
        } else if (state === VALUE) value(token);
        else if (token === COMMA) states[top] = KEY;
        else if (token === RBRACE) close();
        else syntaxError("',' or '}'", describe(token));
      } else {
        if (state === VALUE_OR_END && token === RBRACKET) close();
        else if (state === VALUE_OR_END || state === VALUE) value(token);
        else if (token === COMMA) states[top] = VALUE;
        else if (token === RBRACKET) close();
        else syntaxError("',' or ']'", describe(token));
      }
    }
  }

  return {
    push(chunk) {
      buf = pos < buf.length ? Buffer.concat([buf.subarray(pos), chunk]) : chunk;
      pos = 0;
      run();
      // What is left is one unfinished token: bounded, so a huge string cannot grow without end.
      if (buf.length - pos > limits.maxLineBytes) {
        const most = limits.maxLineBytes.toLocaleString("en-US");
        throw new InputFormatError(
          `${file}:${line}`,
          `a JSON token of at most ${most} bytes (raise the limit with --max-line-bytes)`,
          `a token of more than ${most} bytes`,
        );
      }
    },
    end() {
      final = true;
      run();
    },
  };
}
