import { resolve } from "node:path";
import { InputFormatError, UnknownNameError, shown } from "../errors.js";
import { readCache, writeCache, type CacheKey, type ParsedTrace } from "./cache.js";
import { canonicalSeriesOrder, sortAndDedup } from "./columns.js";
import { applyFilters } from "./filter.js";
import { detectFormat, traceFormats, type ChunkParser, type TraceFormat } from "./formats.js";
import { RowSink } from "./row-sink.js";
import { openSource, statSource, type SourceFacts } from "./source.js";
import type { SkipReport } from "./row-sink.js";
import {
  defaultReadLimits,
  type LoadOptions,
  type ReadLimits,
  type TimeBounds,
  type Trace,
  type TraceFormatName,
} from "./types.js";
import { isoSeconds } from "../util/iso-seconds.js";

const defaultProducts = ["Linux/UNIX"];
// Detection reads at most this much looking for the end of the first line.
const detectionBytes = 1 << 16;

/**
 * Loads a spot price trace (csv, json, text or archive-tsv, optionally gzip) into sorted, deduplicated
 * columns, then applies the product/zone/type filters and the window. With `cacheDir`, the parse before
 * filtering is cached per file and reused while the file's size and mtime are unchanged.
 */
export async function loadTrace(path: string, options: LoadOptions = {}): Promise<Trace> {
  if (options.format !== undefined && !Object.hasOwn(traceFormats, options.format)) {
    throw new UnknownNameError("trace format", options.format, Object.keys(traceFormats));
  }
  const skipBadRows = options.skipBadRows ?? false;
  const limits = options.limits ?? defaultReadLimits;
  const facts = await statSource(path);
  const key: CacheKey = {
    path: resolve(path),
    size: facts.size,
    mtimeMs: facts.mtimeMs,
    ino: facts.ino,
    ctimeMs: facts.ctimeMs,
  };
  const cacheDir = options.cacheDir ?? false;

  let parsed = cacheDir === false ? undefined : await readCache(cacheDir, key);
  if (parsed !== undefined && !cacheFits(parsed, path, options.format)) parsed = undefined;
  if (parsed?.firstBadRow && !skipBadRows) {
    const bad = parsed.firstBadRow;
    throw new InputFormatError(bad.location, bad.expected, bad.found);
  }
  const fromCache = parsed !== undefined;
  let cacheWriteError: string | undefined;
  if (parsed === undefined) {
    parsed = await parseFile(path, facts, key, options.format, skipBadRows, limits, options.onProgress);
    if (cacheDir !== false) {
      try {
        await writeCache(cacheDir, parsed);
      } catch (error) {
        // The cache only saves time: a load succeeds without it, and says why it was not written.
        cacheWriteError = (error as Error).message;
      }
    }
  }

  const bounded = withinTimeBounds(parsed, options.timeBounds, skipBadRows);
  const filtered = applyFilters(parsed.series, bounded, {
    products: options.products ?? defaultProducts,
    zones: options.zones,
    types: options.types,
    start: options.start,
    end: options.end,
  });
  return {
    source: { path, format: parsed.format, gzip: parsed.gzip, sha256: parsed.sha256, bytes: key.size },
    zoneKind: parsed.zoneKind,
    series: filtered.series,
    time: filtered.time,
    seriesId: filtered.seriesId,
    price: filtered.price,
    window: { start: options.start ?? null, end: options.end ?? null },
    report: {
      rowsRead: parsed.rowsRead,
      rowsKept: filtered.time.length,
      duplicatesDropped: parsed.duplicatesDropped,
      conflictsDropped: parsed.conflictsDropped,
      filteredOut: filtered.filteredOut,
      carriedIn: filtered.carriedIn,
      skipped: bounded.skipped,
      fromCache,
      ...(cacheWriteError === undefined ? {} : { cacheWriteError }),
    },
  };
}

/** A bound as a message shows it: the date alone at midnight UTC. */
function boundText(seconds: number): string {
  const iso = isoSeconds(seconds);
  return seconds % 86400 === 0 ? iso.slice(0, 10) : iso;
}

/**
 * The sorted columns cut to the plausible time range. A row outside it (year 0000, 9999) is an error
 * at its location, or under skipBadRows counted as a skip, like any other bad row.
 */
function withinTimeBounds(
  parsed: ParsedTrace,
  bounds: TimeBounds | undefined,
  skipBadRows: boolean,
): { time: Float64Array; seriesId: Uint32Array; price: Float64Array; skipped: SkipReport } {
  const { time, seriesId, price, skipped, extremes } = parsed;
  if (
    bounds === undefined ||
    extremes === null ||
    (extremes.earliest.time >= bounds.earliest && extremes.latest.time <= bounds.latest)
  ) {
    return { time, seriesId, price, skipped };
  }
  const outside = extremes.earliest.time < bounds.earliest ? extremes.earliest : extremes.latest;
  const expected = `a Timestamp from ${boundText(bounds.earliest)} to ${boundText(bounds.latest)} (spot prices exist from 2006 on; widen the range with --time-bounds FROM..TO, or --time-bounds none)`;
  const found = isoSeconds(outside.time);
  if (!skipBadRows) throw new InputFormatError(outside.location, expected, found);
  const first = lowerBound(time, bounds.earliest, (t, bound) => t < bound);
  const stop = lowerBound(time, bounds.latest, (t, bound) => t <= bound);
  const out = first + (time.length - stop);
  const examples = [...skipped.examples];
  if (examples.length < 5) examples.push(`${outside.location}: expected ${expected}, found ${found}`);
  return {
    time: time.subarray(first, stop),
    seriesId: seriesId.subarray(first, stop),
    price: price.subarray(first, stop),
    skipped: {
      count: skipped.count + out,
      byReason: { ...skipped.byReason, "time-range": out },
      examples,
    },
  };
}

// The first index whose time does not satisfy `before(time, bound)`; times are sorted.
function lowerBound(
  time: Float64Array,
  bound: number,
  before: (t: number, bound: number) => boolean,
): number {
  let low = 0;
  let high = time.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (before(time[middle], bound)) low = middle + 1;
    else high = middle;
  }
  return low;
}

// A forced format must match; stored messages about bad rows name the file as it was given then.
function cacheFits(parsed: ParsedTrace, path: string, format: TraceFormatName | undefined): boolean {
  if (format !== undefined && parsed.format !== format) return false;
  return parsed.skipped.count === 0 || parsed.shownPath === path;
}

/** The first non-blank line, once it is complete (`atEnd`: the input ends here), and its number. */
function firstLineOf(head: Buffer, atEnd: boolean): { text: string; line: number } | undefined {
  let at = 0;
  let line = 1;
  while (at < head.length && (head[at] === 32 || head[at] === 9 || head[at] === 13 || head[at] === 10)) {
    if (head[at] === 10) line++;
    at++;
  }
  if (at === head.length) return undefined;
  const newline = head.indexOf(10, at);
  if (newline < 0 && !atEnd && head.length < detectionBytes) return undefined;
  const stop = newline < 0 ? head.length : newline;
  const text = head.toString("utf8", at, stop > at && head[stop - 1] === 13 ? stop - 1 : stop);
  return { text, line };
}

function chooseFormat(
  path: string,
  forced: TraceFormatName | undefined,
  first: { text: string; line: number },
): TraceFormat {
  if (forced !== undefined) return traceFormats[forced];
  const format = detectFormat(first.text);
  if (format !== undefined) return format;
  const tried = Object.values(traceFormats)
    .map((candidate: TraceFormat) => `${candidate.name}: ${candidate.looksLike}`)
    .join("; ");
  throw new InputFormatError(
    `${path}:${first.line}`,
    `a trace in one of the formats tried (${tried})`,
    shown(first.text, 80),
  );
}

async function parseFile(
  path: string,
  facts: SourceFacts,
  key: CacheKey,
  forced: TraceFormatName | undefined,
  skipBadRows: boolean,
  limits: ReadLimits,
  onProgress: LoadOptions["onProgress"],
): Promise<ParsedTrace> {
  const source = openSource(path, facts, limits.maxInputBytes, onProgress);
  let parsing: { format: TraceFormat; sink: RowSink; parser: ChunkParser } | undefined;
  let head: Buffer = Buffer.alloc(0);
  const begin = (first: { text: string; line: number }) => {
    const format = chooseFormat(path, forced, first);
    const sink = new RowSink(format.zoneKind, skipBadRows, (n, line) => format.locate(path, n, line));
    const parser = format.createParser(path, sink, limits);
    parser.push(head);
    return { format, sink, parser };
  };
  for await (const chunk of source.chunks) {
    if (parsing !== undefined) {
      parsing.parser.push(chunk);
      continue;
    }
    head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    const first = firstLineOf(head, false);
    if (first !== undefined) parsing = begin(first);
  }
  if (parsing === undefined) {
    const first = firstLineOf(head, true);
    if (first === undefined) {
      throw new InputFormatError(
        path,
        "trace data",
        head.length === 0 ? "an empty file" : "only blank space",
      );
    }
    parsing = begin(first);
  }
  const { format, sink: rows, parser } = parsing;
  parser.end();
  const keys = canonicalSeriesOrder(rows.interner.keys(), rows.columns.seriesId, rows.columns.length);
  const sorted = sortAndDedup(rows.columns, rows.columns.length);
  return {
    key,
    shownPath: path,
    format: format.name,
    gzip: source.gzip,
    sha256: source.sha256(),
    zoneKind: format.zoneKind,
    series: keys,
    rowsRead: rows.rowsRead,
    duplicatesDropped: sorted.duplicatesDropped,
    conflictsDropped: sorted.conflictsDropped,
    skipped: rows.skipped,
    firstBadRow: rows.firstBadRow,
    extremes: rows.extremes(),
    time: sorted.time,
    seriesId: sorted.seriesId,
    price: sorted.price,
  };
}
