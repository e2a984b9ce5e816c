import { homedir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { defaultCacheDir, loadOptionsFromArgs, timeBoundsFromArgs } from "../../src/cli/trace-options.js";
import { defaultReadLimits } from "../../src/traces/types.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

const DAY = 86400;
// 2026-03-02 12:00 UTC, in seconds.
const NOW = Date.UTC(2026, 2, 2, 12) / 1000;

describe("timeBoundsFromArgs", () => {
  it("defaults to 2006-01-01 through a year and a day past today's midnight", () => {
    expect(timeBoundsFromArgs(undefined, NOW)).toEqual({
      earliest: Date.UTC(2006, 0, 1) / 1000,
      latest: Date.UTC(2026, 2, 2) / 1000 + 366 * DAY,
    });
  });

  it("takes FROM..TO, or none for no bounds", () => {
    expect(timeBoundsFromArgs("2010-01-01..2011-01-01", NOW)).toEqual({
      earliest: Date.UTC(2010, 0, 1) / 1000,
      latest: Date.UTC(2011, 0, 1) / 1000,
    });
    expect(timeBoundsFromArgs(" none ", NOW)).toBeUndefined();
  });

  it("refuses another shape and an empty or inverted range", () => {
    expect(() => timeBoundsFromArgs("2010-01-01", NOW)).toThrow(
      '--time-bounds: expected FROM..TO (2006-01-01..2030-01-01) or none, found "2010-01-01"',
    );
    expect(() => timeBoundsFromArgs("2011-01-01..2010-01-01", NOW)).toThrow(
      '--time-bounds: expected TO after FROM, found "2011-01-01..2010-01-01"',
    );
    expect(() => timeBoundsFromArgs("2010-01-01..2010-01-01", NOW)).toThrow("expected TO after FROM");
    expect(() => timeBoundsFromArgs("2010-13-01..2011-01-01", NOW)).toThrow(
      /^--time-bounds: expected an ISO 8601/,
    );
  });
});

describe("loadOptionsFromArgs", () => {
  it("fills the loader's defaults: Linux/UNIX, every zone and type, default limits, the user's cache", () => {
    vi.stubEnv("XDG_CACHE_HOME", "/tmp/xdg");
    expect(loadOptionsFromArgs({}, NOW)).toEqual({
      format: undefined,
      products: ["Linux/UNIX"],
      zones: undefined,
      types: undefined,
      start: undefined,
      end: undefined,
      skipBadRows: false,
      limits: defaultReadLimits,
      timeBounds: timeBoundsFromArgs(undefined, NOW),
      cacheDir: "/tmp/xdg/hotspot",
    });
  });

  it("turns every flag into its typed value", () => {
    const options = loadOptionsFromArgs(
      {
        format: "archive-tsv",
        product: ["Linux/UNIX,SUSE Linux"],
        zones: ["us-east-1a", "us-east-1b"],
        types: ["m4.large"],
        start: "2016-03-01",
        end: "2016-03-02T06:00Z",
        skipBadRows: true,
        maxLineBytes: "64",
        maxInputBytes: "1000",
        timeBounds: "none",
        cacheDir: "/c",
      },
      NOW,
    );
    expect(options).toEqual({
      format: "archive-tsv",
      products: ["Linux/UNIX", "SUSE Linux"],
      zones: ["us-east-1a", "us-east-1b"],
      types: ["m4.large"],
      start: Date.UTC(2016, 2, 1) / 1000,
      end: Date.UTC(2016, 2, 2, 6) / 1000,
      skipBadRows: true,
      limits: { maxLineBytes: 64, maxInputBytes: 1000 },
      timeBounds: undefined,
      cacheDir: "/c",
    });
    expect(loadOptionsFromArgs({ cache: false, cacheDir: "/c" }, NOW).cacheDir).toBe(false);
  });

  it("refuses an end not after the start, an unknown format and limits out of range", () => {
    expect(() => loadOptionsFromArgs({ start: "2016-03-02", end: "2016-03-01" }, NOW)).toThrow(
      '--end: expected a time after --start (2016-03-02), found "2016-03-01"',
    );
    expect(() => loadOptionsFromArgs({ format: "xml" }, NOW)).toThrow(
      '--format: expected one of csv, json, text, archive-tsv, found "xml"',
    );
    expect(() => loadOptionsFromArgs({ maxLineBytes: "63" }, NOW)).toThrow(/^--max-line-bytes: expected /);
    expect(() => loadOptionsFromArgs({ maxInputBytes: "1.5" }, NOW)).toThrow(
      '--max-input-bytes: expected a whole number, found "1.5"',
    );
  });
});

describe("defaultCacheDir", () => {
  it("is $XDG_CACHE_HOME/hotspot, else ~/.cache/hotspot", () => {
    vi.stubEnv("XDG_CACHE_HOME", "/x");
    expect(defaultCacheDir()).toBe("/x/hotspot");
    vi.stubEnv("XDG_CACHE_HOME", "");
    expect(defaultCacheDir()).toBe(join(homedir(), ".cache", "hotspot"));
  });
});
