/**
 * Every error hotspot raises on purpose is a HotspotError: a stable `code` that scripts can match,
 * `retryable` telling a controller whether the same call may succeed later, and the underlying `cause`.
 * Only the CLI turns these into exit codes.
 */
export class HotspotError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** A flag or config value is invalid. `flag` names where it came from (e.g. `--interval`). */
export class UsageError extends HotspotError {
  constructor(
    readonly flag: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super("HOTSPOT_USAGE", `${flag}: expected ${expected}, found ${found}`);
  }
}

/** An unknown name for a registry (policy, driver, trace format ...). */
export class UnknownNameError extends HotspotError {
  constructor(
    readonly kind: string,
    readonly found: string,
    readonly valid: readonly string[],
  ) {
    super("HOTSPOT_UNKNOWN_NAME", `unknown ${kind} ${JSON.stringify(found)}; valid: ${valid.join(", ")}`);
  }
}

/**
 * Input data is malformed at a known place. `location` is `file:line` (text formats) or
 * `file: record N` (JSON); the message says what was expected and what was found.
 */
export class InputFormatError extends HotspotError {
  constructor(
    readonly location: string,
    readonly expected: string,
    readonly found: string,
    options: { cause?: unknown } = {},
  ) {
    super("HOTSPOT_INPUT_FORMAT", `${location}: expected ${expected}, found ${found}`, options);
  }
}

/** A file could not be read at all (missing, unreadable, truncated compression). */
export class InputReadError extends HotspotError {
  constructor(
    readonly path: string,
    detail: string,
    options: { cause?: unknown } = {},
  ) {
    super("HOTSPOT_INPUT_READ", `${path}: ${detail}`, options);
  }
}

/** Instance types lack a spec or an on-demand price needed by the run. */
export class CatalogGapError extends HotspotError {
  constructor(
    readonly missing: readonly string[],
    what: string,
    remedy = "give them with --specs FILE, or pass --skip-unknown-types to leave those markets out",
  ) {
    super("HOTSPOT_CATALOG_GAP", `no ${what} for instance type(s): ${missing.join(", ")}; ${remedy}`);
  }
}

/** A cloud API call failed. Throttling and capacity errors are retryable. */
export class CloudApiError extends HotspotError {
  constructor(
    readonly apiCode: string,
    message: string,
    options: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(`HOTSPOT_CLOUD_${apiCode}`, message, options);
  }
}

/** Quote a found value for an error message, shortened and with control characters made visible. */
export function shown(value: string, max = 60): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  // JSON escapes C0 controls; DEL, C1 controls and bidi overrides are escaped too.
  return JSON.stringify(cut).replace(
    /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** An output file could not be written (folder missing, read-only, a directory in the way). */
export class OutputError extends HotspotError {
  constructor(
    readonly path: string,
    detail: string,
    options: { cause?: unknown } = {},
  ) {
    super("HOTSPOT_OUTPUT", `${path}: ${detail}`, options);
  }
}
