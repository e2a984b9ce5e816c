import { InputFormatError, shown } from "../errors.js";
import { ColumnBuilder, SeriesInterner, fnvStart, fnvStep } from "./columns.js";
import { parseTimestampBytes, timestampExpected, timestampProblem } from "./timestamps.js";
import type { ZoneKind } from "./types.js";
import { zoneKindOf } from "./zones.js";

/** A bad row as reported: where, what was expected, what was found. */
export interface BadRow {
  readonly location: string;
  readonly expected: string;
  readonly found: string;
}

/** The row with the earliest or latest time, for a message when that time is implausible. */
export interface TimedRow {
  readonly time: number;
  readonly location: string;
}

export interface SkipReport {
  count: number;
  byReason: Record<string, number>;
  examples: string[];
}

const maxExamples = 5;
// AWS's shapes: zones (names, IDs, local and wavelength zones) and types are lowercase words joined
// by `-` (types `family.size`); products are printable text. Anything else (escapes, markup) is refused.
const awsNamePattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const instanceTypePattern = /^[a-z0-9]+(?:-[a-z0-9]+)*\.[a-z0-9-]+$/;
const productPattern = /^[\x20-\x7e]{1,100}$/;
const empty = Buffer.alloc(0);
const powersOfTen = Array.from({ length: 23 }, (_, k) => 10 ** k);
const plainNumber = /^[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?$|^[0-9]+\.$/;

/**
 * A price in USD as written by AWS (`0.016200`). NaN when not a decimal number; negative values are
 * returned as such so the caller can say "negative". Up to 15 digits the value is `digits / 10^k`, which
 * is the correctly rounded double (same as `Number(text)`) and allocates nothing.
 */
export function parsePriceBytes(bytes: Uint8Array, start: number, end: number): number {
  let at = start;
  const negative = bytes[at] === 45;
  if (negative) at++;
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; at < end; at++) {
    const c = bytes[at];
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (fraction >= 0) fraction++;
    } else if (c === 46 && fraction < 0) {
      fraction = 0;
    } else {
      break;
    }
  }
  let value: number;
  if (at === end && digits > 0 && digits <= 15) {
    value = fraction > 0 ? mantissa / powersOfTen[fraction] : mantissa;
  } else {
    const text = Buffer.from(
      bytes.buffer,
      bytes.byteOffset + start + (negative ? 1 : 0),
      end - start - (negative ? 1 : 0),
    ).toString("latin1");
    if (!plainNumber.test(text)) return NaN;
    value = Number(text);
    if (!Number.isFinite(value)) return NaN;
  }
  return negative ? -value : value;
}

function text(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("utf8");
}

/**
 * Where parsers put rows: takes the series key as three byte ranges, parses price and timestamp from
 * bytes, interns the key and appends to the columns. Bad rows throw, or are counted under skipBadRows.
 * `locate(n, line)` names a row for messages; it is called only when something is wrong.
 */
export class RowSink {
  readonly columns = new ColumnBuilder();
  readonly interner = new SeriesInterner();
  rowsRead = 0;
  readonly skipped: SkipReport = { count: 0, byReason: {}, examples: [] };
  firstBadRow: BadRow | null = null;
  // The rows of the earliest and latest time (first in file order), to locate a time out of bounds.
  private earliestTime = Infinity;
  private earliestN = 0;
  private earliestLine = 0;
  private latestTime = -Infinity;
  private latestN = 0;
  private latestLine = 0;
  // The key's parts are compared where they lie; they are copied only for a new series or to unquote.
  private readonly partBytes: Uint8Array[] = [empty, empty, empty];
  private readonly partStart = new Int32Array(3);
  private readonly partEnd = new Int32Array(3);
  private readonly partUnquote = new Uint8Array(3);
  private parts = 0;
  private keyHash = fnvStart;
  private needsUnquote = false;
  private key = Buffer.alloc(256);
  private keyLength = 0;
  private readonly keyPartEnds = new Int32Array(3);

  constructor(
    private readonly zoneKind: ZoneKind,
    private readonly skipBadRows: boolean,
    private readonly locate: (n: number, line: number) => string,
  ) {}

  startRow(): void {
    this.rowsRead++;
    this.parts = 0;
    this.keyHash = fnvStart;
    this.needsUnquote = false;
  }

  /**
   * Gives the next key field (zone, type, product in that order) as `bytes[start, end)`, valid until
   * `commit`. `unquote` says the field was quoted, so a `""` inside stands for one quote.
   */
  keyPart(bytes: Uint8Array, start: number, end: number, unquote = false): void {
    const part = this.parts++;
    let hash = part > 0 ? fnvStep(this.keyHash, 9) : this.keyHash;
    let quote = false;
    if (unquote) {
      for (let i = start; i < end; i++) {
        const c = bytes[i];
        hash = fnvStep(hash, c);
        if (c === 34) quote = true;
      }
    } else {
      for (let i = start; i < end; i++) hash = fnvStep(hash, bytes[i]);
    }
    this.keyHash = hash;
    this.partBytes[part] = bytes;
    this.partStart[part] = start;
    this.partEnd[part] = end;
    this.partUnquote[part] = quote ? 1 : 0;
    if (quote) this.needsUnquote = true;
  }

  /** All three key fields of one buffer at once, with their hash already folded as `keyPart` would. */
  keyFields(
    bytes: Uint8Array,
    zoneStart: number,
    zoneEnd: number,
    typeStart: number,
    typeEnd: number,
    productStart: number,
    productEnd: number,
    hash: number,
  ): void {
    this.parts = 3;
    this.keyHash = hash;
    const { partBytes, partStart, partEnd, partUnquote } = this;
    partBytes[0] = partBytes[1] = partBytes[2] = bytes;
    partStart[0] = zoneStart;
    partEnd[0] = zoneEnd;
    partStart[1] = typeStart;
    partEnd[1] = typeEnd;
    partStart[2] = productStart;
    partEnd[2] = productEnd;
    partUnquote[0] = partUnquote[1] = partUnquote[2] = 0;
  }

  // Copies the parts into `key` as `zone\ttype\tproduct`, folding `""`, and returns its hash.
  private copyKey(): number {
    let length = 2;
    for (let part = 0; part < 3; part++) length += this.partEnd[part] - this.partStart[part];
    if (length > this.key.length) this.key = Buffer.alloc(length * 2);
    const key = this.key;
    let at = 0;
    let hash = fnvStart;
    for (let part = 0; part < 3; part++) {
      if (part > 0) {
        key[at++] = 9;
        hash = fnvStep(hash, 9);
      }
      const bytes = this.partBytes[part];
      const unquote = this.partUnquote[part] === 1;
      for (let i = this.partStart[part]; i < this.partEnd[part]; i++) {
        const c = bytes[i];
        key[at++] = c;
        hash = fnvStep(hash, c);
        if (unquote && c === 34 && bytes[i + 1] === 34) i++;
      }
      this.keyPartEnds[part] = at;
    }
    this.keyLength = at;
    return hash;
  }

  private seriesOf(n: number, line: number): number {
    if (!this.needsUnquote) {
      const { partBytes, partStart, partEnd } = this;
      const id = this.interner.findParts(
        partBytes[0],
        partStart[0],
        partEnd[0],
        partBytes[1],
        partStart[1],
        partEnd[1],
        partBytes[2],
        partStart[2],
        partEnd[2],
        this.keyHash,
      );
      if (id >= 0) return id;
    }
    const hash = this.copyKey();
    const id = this.interner.find(this.key, this.keyLength, hash);
    if (id >= 0) return id;
    return this.validKey(n, line) ? this.interner.add(this.key, this.keyLength, hash) : -1;
  }

  /** Finishes the row whose key parts were given; `n` and `line` locate it in messages. */
  commit(
    priceBytes: Uint8Array,
    priceStart: number,
    priceEnd: number,
    timeBytes: Uint8Array,
    timeStart: number,
    timeEnd: number,
    n: number,
    line: number,
  ): void {
    const price = parsePriceBytes(priceBytes, priceStart, priceEnd);
    if (!(price >= 0)) {
      const found = shown(text(priceBytes, priceStart, priceEnd));
      if (price < 0) this.fail("negative-price", "a non-negative SpotPrice", found, n, line);
      else this.fail("price", "a SpotPrice in USD (a decimal number such as 0.0162)", found, n, line);
      return;
    }
    const time = parseTimestampBytes(timeBytes, timeStart, timeEnd);
    if (time !== time) {
      const found = text(timeBytes, timeStart, timeEnd);
      this.fail(
        "timestamp",
        `a Timestamp ${timestampExpected}`,
        timestampProblem(found, shown(found)),
        n,
        line,
      );
      return;
    }
    const id = this.seriesOf(n, line);
    if (id < 0) return;
    this.columns.append(id, time, price);
    if (time < this.earliestTime) {
      this.earliestTime = time;
      this.earliestN = n;
      this.earliestLine = line;
    }
    if (time > this.latestTime) {
      this.latestTime = time;
      this.latestN = n;
      this.latestLine = line;
    }
  }

  /** The rows of the earliest and latest time kept, or null when no row was kept. */
  extremes(): { earliest: TimedRow; latest: TimedRow } | null {
    if (this.earliestTime === Infinity) return null;
    return {
      earliest: { time: this.earliestTime, location: this.locate(this.earliestN, this.earliestLine) },
      latest: { time: this.latestTime, location: this.locate(this.latestN, this.latestLine) },
    };
  }

  /** A bad row: thrown, or counted with its reason when skipping bad rows. */
  fail(reason: string, expected: string, found: string, n: number, line: number): void {
    const bad = { location: this.locate(n, line), expected, found };
    if (!this.skipBadRows) throw new InputFormatError(bad.location, bad.expected, bad.found);
    this.firstBadRow ??= bad;
    this.skipped.count++;
    this.skipped.byReason[reason] = (this.skipped.byReason[reason] ?? 0) + 1;
    if (this.skipped.examples.length < maxExamples) {
      this.skipped.examples.push(`${bad.location}: expected ${bad.expected}, found ${bad.found}`);
    }
  }

  // Checked once per new series: every row of a series shares its key.
  private validKey(n: number, line: number): boolean {
    const names = ["AvailabilityZone", "InstanceType", "ProductDescription"];
    for (let part = 0; part < 3; part++) {
      const from = part === 0 ? 0 : this.keyPartEnds[part - 1] + 1;
      if (this.keyPartEnds[part] === from) {
        this.fail("empty-field", `a non-empty ${names[part]}`, '""', n, line);
        return false;
      }
    }
    const zone = this.key.toString("utf8", 0, this.keyPartEnds[0]);
    if (!awsNamePattern.test(zone)) {
      this.fail(
        "zone",
        "an AvailabilityZone such as us-east-1a or use1-az4 (lowercase letters, digits, -)",
        shown(zone),
        n,
        line,
      );
      return false;
    }
    const type = this.key.toString("utf8", this.keyPartEnds[0] + 1, this.keyPartEnds[1]);
    if (!instanceTypePattern.test(type)) {
      this.fail(
        "type",
        "an InstanceType such as m5.large (family.size: lowercase letters, digits, -)",
        shown(type),
        n,
        line,
      );
      return false;
    }
    const product = this.key.toString("utf8", this.keyPartEnds[1] + 1, this.keyPartEnds[2]);
    if (!productPattern.test(product)) {
      this.fail(
        "product",
        "a ProductDescription of printable characters such as Linux/UNIX",
        shown(product),
        n,
        line,
      );
      return false;
    }
    // Only the other kind is refused: local and wavelength zones fit neither pattern but are real.
    const kind = zoneKindOf(zone);
    if (kind !== undefined && kind !== this.zoneKind) {
      const expected =
        this.zoneKind === "zone-id"
          ? "an AvailabilityZone ID such as use1-az4"
          : "an AvailabilityZone name such as us-east-1a";
      this.fail("zone", expected, shown(zone), n, line);
      return false;
    }
    return true;
  }
}
