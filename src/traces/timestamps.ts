/**
 * The one timestamp parser of hotspot: traces, `--start`/`--end` and side files (utilisation CSV) all
 * read times through it, so 2016-02-30 or a time without an offset is refused everywhere alike.
 * Hand parser for the timestamps AWS emits: `2021-03-02T01:39:04+00:00`, `2016-03-01T00:00:35.000Z`,
 * `2021-03-02 01:39:04+00:00`, any explicit offset (`+05:30`, `-0800`). It reads bytes in place and
 * allocates nothing: it is on the ingestion hot path.
 */

const daysInMonth = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

// Consecutive rows mostly share a date: remember the last date prefix's day number.
let cachedDateKey = -1;
let cachedDays = 0;

function digits2(bytes: Uint8Array, at: number): number {
  const a = bytes[at] - 48;
  const b = bytes[at + 1] - 48;
  if (a < 0 || a > 9 || b < 0 || b > 9) return -1;
  return a * 10 + b;
}

/**
 * Seconds since the epoch (millisecond resolution, like `Date.parse(s) / 1000`), or NaN when
 * `bytes[start, end)` is not `YYYY-MM-DD(T| )HH:MM:SS(.f+)?(Z|±HH:MM|±HHMM)` with a valid date.
 */
export function parseTimestampBytes(bytes: Uint8Array, start: number, end: number): number {
  if (end - start < 20) return NaN;
  const y0 = digits2(bytes, start);
  const y1 = digits2(bytes, start + 2);
  const month = digits2(bytes, start + 5);
  const day = digits2(bytes, start + 8);
  if (y0 < 0 || y1 < 0 || month < 1 || month > 12 || day < 1) return NaN;
  if (bytes[start + 4] !== 45 || bytes[start + 7] !== 45) return NaN;
  const year = y0 * 100 + y1;
  const dateKey = (year * 16 + month) * 32 + day;
  let days: number;
  if (dateKey === cachedDateKey) {
    days = cachedDays;
  } else {
    const limit = month === 2 && isLeap(year) ? 29 : daysInMonth[month];
    if (day > limit) return NaN;
    days = daysFromCivil(year, month, day);
    cachedDateKey = dateKey;
    cachedDays = days;
  }
  const separator = bytes[start + 10];
  if (separator !== 84 && separator !== 32) return NaN;
  const hour = digits2(bytes, start + 11);
  const minute = digits2(bytes, start + 14);
  const second = digits2(bytes, start + 17);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return NaN;
  if (bytes[start + 13] !== 58 || bytes[start + 16] !== 58) return NaN;
  let at = start + 19;
  let millis = 0;
  if (bytes[at] === 46) {
    at++;
    const first = at;
    let scale = 100;
    while (at < end) {
      const d = bytes[at] - 48;
      if (d < 0 || d > 9) break;
      // Like Date.parse: digits past the millisecond are read and dropped.
      millis += d * scale;
      scale = scale / 10;
      at++;
    }
    if (at === first) return NaN;
    millis = Math.floor(millis);
  }
  let offsetMinutes: number;
  const zone = bytes[at];
  if (zone === 90 && at + 1 === end) {
    offsetMinutes = 0;
  } else if ((zone === 43 || zone === 45) && (end - at === 6 || end - at === 5)) {
    const oh = digits2(bytes, at + 1);
    const colon = end - at === 6;
    if (colon && bytes[at + 3] !== 58) return NaN;
    const om = digits2(bytes, at + (colon ? 4 : 3));
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return NaN;
    offsetMinutes = (oh * 60 + om) * (zone === 45 ? -1 : 1);
  } else {
    return NaN;
  }
  const wholeSeconds = days * 86400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60;
  return (wholeSeconds * 1000 + millis) / 1000;
}

/** `parseTimestampBytes` for a string (flags, side files, tests). */
export function parseTimestamp(text: string): number {
  const bytes = Buffer.from(text, "utf8");
  return parseTimestampBytes(bytes, 0, bytes.length);
}

/** What every timestamp message says was expected, after "a Timestamp" or "a time". */
export const timestampExpected =
  "such as 2021-03-02T01:39:04+00:00 or 2016-03-01T00:00:35.000Z (a valid date and time with Z or an offset)";

const withoutZone = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const dateShape = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/;

/**
 * Why `text` (already quoted for a message as `quoted`) is not a timestamp, when a reason can be named:
 * a missing offset, which would make the time depend on the machine's time zone, or a day the month
 * does not have.
 */
export function timestampProblem(text: string, quoted: string): string {
  if (withoutZone.test(text)) return `${quoted} (no Z or offset; add Z for UTC)`;
  const date = dateShape.exec(text);
  if (date !== null) {
    const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const limit = month === 2 && isLeap(year) ? 29 : (daysInMonth[month] ?? 0);
    if (month < 1 || month > 12 || day < 1 || day > limit) {
      return `${quoted} (no such date: ${date[1]}-${date[2]} has ${limit === 0 ? "no such month" : `${limit} days`})`;
    }
  }
  return quoted;
}
