import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputFormatError } from "../../src/errors.js";
import { loadTrace } from "../../src/traces/load.js";

const fixture = new URL("../fixtures/traces/reordered-bom-crlf.csv", import.meta.url).pathname;
const header = "AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp";
const hour = (h: number) => Date.UTC(2021, 2, 2, h) / 1000;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-csv-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, lines: string[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, lines.join("\n") + "\n");
  return path;
}

describe("CSV traces", () => {
  it("reads a header in any order with extra columns, quotes, CRLF and a BOM; dedups and resolves conflicts", async () => {
    const trace = await loadTrace(fixture);
    expect(trace.source.format).toBe("csv");
    expect(trace.zoneKind).toBe("zone-name");
    expect(trace.series).toEqual([
      { zone: "us-east-1a", instanceType: "m5.large", product: "Linux/UNIX" },
      { zone: "us-east-1b", instanceType: "c5.large", product: "Linux/UNIX" },
    ]);
    // Row 4 restates row 1's time (06:30+05:30 = 01:00Z) at 0.11: the later row wins, one conflict.
    // Row 5 repeats row 3 exactly: one duplicate. Row 6 is Windows: filtered by product.
    expect(Array.from(trace.time)).toEqual([hour(0), hour(1), hour(2)]);
    expect(Array.from(trace.seriesId)).toEqual([0, 0, 1]);
    expect(Array.from(trace.price)).toEqual([0.09, 0.11, 0.2]);
    expect(trace.report).toEqual({
      rowsRead: 6,
      rowsKept: 3,
      duplicatesDropped: 1,
      conflictsDropped: 1,
      filteredOut: { product: 1, zone: 0, type: 0, window: 0 },
      carriedIn: 0,
      skipped: { count: 0, byReason: {}, examples: [] },
      fromCache: false,
    });
    const bytes = await readFile(fixture);
    expect(trace.source.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(trace.source.bytes).toBe(bytes.length);
    expect(trace.source.gzip).toBe(false);
  });

  it("reads the same file gzip-compressed, detected by its magic bytes and not its name", async () => {
    const gz = gzipSync(await readFile(fixture));
    const path = join(dir, "compressed-without-suffix.csv");
    await writeFile(path, gz);
    const plain = await loadTrace(fixture);
    const trace = await loadTrace(path);
    expect(trace.source.gzip).toBe(true);
    expect(trace.source.sha256).toBe(createHash("sha256").update(gz).digest("hex"));
    expect(trace.source.bytes).toBe(gz.length);
    expect({ ...trace, source: null }).toEqual({ ...plain, source: null });
  });

  it("folds doubled quotes inside quoted key fields, finding the same series every time", async () => {
    const path = await file("escaped.csv", [
      header,
      'us-east-1a,m5.large,"Linux ""beta""",0.1,2021-03-02T00:00:00Z',
      'us-east-1a,"m5.large","Linux ""beta""",0.2,2021-03-02T01:00:00Z',
      "us-east-1a,m5.large,Linux,0.3,2021-03-02T02:00:00Z",
    ]);
    const trace = await loadTrace(path, { products: ['Linux "beta"', "Linux"] });
    expect(trace.series.map((key) => key.product)).toEqual(["Linux", 'Linux "beta"']);
    expect(Array.from(trace.seriesId)).toEqual([1, 1, 0]);
  });

  it("accepts a header with no rows", async () => {
    const trace = await loadTrace(await file("header-only.csv", [header]));
    expect(trace.time.length).toBe(0);
    expect(trace.report.rowsRead).toBe(0);
  });

  it.each([
    [
      "a missing column, named",
      ["AvailabilityZone,InstanceType,SpotPrice", "us-east-1a,m5.large,0.01"],
      ':1: expected a header naming AvailabilityZone, InstanceType, ProductDescription, SpotPrice, Timestamp (missing: ProductDescription, Timestamp), found header "AvailabilityZone,InstanceType,SpotPrice"',
    ],
    [
      "an unparsable price",
      [
        header,
        "us-east-1a,m5.large,Linux/UNIX,0.01,2021-03-02T00:00:00Z",
        "us-east-1a,m5.large,Linux/UNIX,abc,2021-03-02T01:00:00Z",
      ],
      ':3: expected a SpotPrice in USD (a decimal number such as 0.0162), found "abc"',
    ],
    [
      "a negative price",
      [header, "us-east-1a,m5.large,Linux/UNIX,-0.01,2021-03-02T00:00:00Z"],
      ':2: expected a non-negative SpotPrice, found "-0.01"',
    ],
    [
      "an unparsable timestamp",
      [header, "us-east-1a,m5.large,Linux/UNIX,0.01,2021-02-30T00:00:00Z"],
      ':2: expected a Timestamp such as 2021-03-02T01:39:04+00:00 or 2016-03-01T00:00:35.000Z (a valid date and time with Z or an offset), found "2021-02-30T00:00:00Z" (no such date: 2021-02 has 28 days)',
    ],
    [
      "a wrong number of fields",
      [header, "us-east-1a,m5.large,Linux/UNIX,0.01"],
      ":2: expected 5 fields as in the header, found 4 fields",
    ],
    [
      "an unterminated quote",
      [header, 'us-east-1a,"m5.large,Linux/UNIX,0.01,2021-03-02T00:00:00Z'],
      ':2: expected fields separated by commas, quoted fields closed on the same line, found "\\"m5.large,Linux/UNIX,0.01,2021-03-02T00:" at column 12',
    ],
    [
      "a zone ID where zone names are expected",
      [header, "use1-az4,m5.large,Linux/UNIX,0.01,2021-03-02T00:00:00Z"],
      ':2: expected an AvailabilityZone name such as us-east-1a, found "use1-az4"',
    ],
  ])("fails on %s with its location, expectation and finding", async (_what, lines, message) => {
    const path = await file("bad.csv", lines);
    const error = await loadTrace(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputFormatError);
    expect((error as Error).message).toBe(`${path}${message}`);
  });

  it("counts bad rows under skipBadRows instead of failing, and keeps the good ones", async () => {
    const path = await file("some-bad.csv", [
      header,
      "us-east-1a,m5.large,Linux/UNIX,0.01,2021-03-02T00:00:00Z",
      "us-east-1a,m5.large,Linux/UNIX,abc,2021-03-02T01:00:00Z",
      "us-east-1a,m5.large,Linux/UNIX,0.02",
      "us-east-1a,m5.large,Linux/UNIX,0.03,2021-03-02T03:00:00Z",
      "us-east-1a,m5.large,Linux/UNIX,-1,2021-03-02T04:00:00Z",
    ]);
    const trace = await loadTrace(path, { skipBadRows: true });
    expect(Array.from(trace.price)).toEqual([0.01, 0.03]);
    expect(trace.report.rowsRead).toBe(5);
    expect(trace.report.skipped).toEqual({
      count: 3,
      byReason: { price: 1, fields: 1, "negative-price": 1 },
      examples: [
        `${path}:3: expected a SpotPrice in USD (a decimal number such as 0.0162), found "abc"`,
        `${path}:4: expected 5 fields as in the header, found 4 fields`,
        `${path}:6: expected a non-negative SpotPrice, found "-1"`,
      ],
    });
  });

  it("still fails on a missing column under skipBadRows (a file-level error)", async () => {
    const path = await file("no-price.csv", ["AvailabilityZone,InstanceType,ProductDescription,Timestamp"]);
    await expect(loadTrace(path, { skipBadRows: true })).rejects.toThrow("(missing: SpotPrice)");
  });
});
