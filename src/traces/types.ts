/** Trace formats hotspot reads; the registry lives in `formats.ts`. */
export type TraceFormatName = "csv" | "json" | "text" | "archive-tsv";

/** Zone names (`us-east-1a`) are per-account labels; zone IDs (`use1-az4`) are global. */
export type ZoneKind = "zone-name" | "zone-id";

/** One price series: (zone, instance type, product description). */
export interface SeriesKey {
  readonly zone: string;
  readonly instanceType: string;
  readonly product: string;
}

export interface TraceSource {
  readonly path: string;
  readonly format: TraceFormatName;
  readonly gzip: boolean;
  /** Hex SHA-256 of the file's bytes as stored (compressed when gzip). */
  readonly sha256: string;
  readonly bytes: number;
}

/** What ingestion did with every row it saw, so nothing is dropped silently. */
export interface IngestReport {
  /** Data rows (text formats) or records (JSON) read from the file. */
  readonly rowsRead: number;
  /** Price changes in the returned trace (after dedup and filters, including carried-in rows). */
  readonly rowsKept: number;
  /** Rows identical to another row (same series, time and price), dropped. */
  readonly duplicatesDropped: number;
  /** Rows left out by each filter. */
  readonly filteredOut: {
    readonly product: number;
    readonly zone: number;
    readonly type: number;
    readonly window: number;
  };
  /** Per series, the last row before the window start, kept and re-stamped to the window start. */
  readonly carriedIn: number;
  /** Bad rows skipped under `--skip-bad-rows` (always 0 without it: a bad row is then an error). */
  readonly skipped: {
    readonly count: number;
    readonly byReason: Readonly<Record<string, number>>;
    readonly examples: readonly string[];
  };
  /** True when the columns came from the binary cache instead of parsing. */
  readonly fromCache: boolean;
  /**
   * Superseded prices: of rows sharing series and time, the last in file order is kept; each other
   * distinct price among them counts here once (repeats count as duplicates). Always set by `loadTrace`.
   */
  readonly conflictsDropped?: number;
  /** Why the cache could not be written (the load itself succeeded), when it could not. */
  readonly cacheWriteError?: string;
}

/**
 * A loaded trace in columnar form. Row i is a price change: from `time[i]` on, series `seriesId[i]`
 * costs `price[i]` USD per hour, until the next row of the same series. Rows are sorted by
 * (time, seriesId); within one series there is at most one row per time.
 */
export interface Trace {
  readonly source: TraceSource;
  readonly zoneKind: ZoneKind;
  readonly series: readonly SeriesKey[];
  /** Seconds since the Unix epoch, UTC (millisecond resolution). */
  readonly time: Float64Array;
  readonly seriesId: Uint32Array;
  /** USD per instance-hour. */
  readonly price: Float64Array;
  /** The window asked for (seconds since epoch), or null for the file's own span. */
  readonly window: { readonly start: number | null; readonly end: number | null };
  readonly report: IngestReport;
}

/** Bounds on the work of reading one file, each raised by the flag its error names. */
export interface ReadLimits {
  /** Longest line (text formats) or JSON token, bytes (--max-line-bytes). */
  readonly maxLineBytes: number;
  /** Most bytes after decompression (--max-input-bytes). */
  readonly maxInputBytes: number;
}

export const defaultReadLimits: ReadLimits = { maxLineBytes: 1 << 20, maxInputBytes: 32 * 2 ** 30 };

/** Row times outside [earliest, latest] (seconds since epoch) are errors, or skips under skipBadRows. */
export interface TimeBounds {
  readonly earliest: number;
  readonly latest: number;
}

export interface LoadOptions {
  /** Force a format; auto-detected from the content when absent. */
  readonly format?: TraceFormatName;
  /** Product descriptions to keep; default `["Linux/UNIX"]`. */
  readonly products?: readonly string[];
  readonly zones?: readonly string[];
  readonly types?: readonly string[];
  /** Window bounds, seconds since epoch; `start` inclusive, `end` exclusive. */
  readonly start?: number;
  readonly end?: number;
  /** Turn row errors into counted skips instead of failing. */
  readonly skipBadRows?: boolean;
  /** Directory of the columnar cache, or false to neither read nor write it. */
  readonly cacheDir?: string | false;
  /** Read limits; `defaultReadLimits` when absent. */
  readonly limits?: ReadLimits;
  /** Plausible row times; none checked when absent (the CLI always sets them). */
  readonly timeBounds?: TimeBounds;
  /** Called as the file is read: stored (compressed) bytes read so far, and the file's size. */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
}
