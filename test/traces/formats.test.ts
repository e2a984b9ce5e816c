import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UnknownNameError } from "../../src/errors.js";
import { detectFormat, traceFormats } from "../../src/traces/formats.js";
import { loadTrace } from "../../src/traces/load.js";
import type { TraceFormatName } from "../../src/traces/types.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-formats-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("traceFormats", () => {
  it("is keyed by format name", () => {
    expect(Object.keys(traceFormats).sort()).toEqual(["archive-tsv", "csv", "json", "text"]);
    for (const [name, format] of Object.entries(traceFormats)) expect(format.name).toBe(name);
  });

  it.each<[string, TraceFormatName | undefined]>([
    ['{"SpotPriceHistory": [', "json"],
    ["{", "json"],
    ["SPOTPRICEHISTORY\tus-east-1a\tm5.large\tLinux/UNIX\t0.04\t2021-03-02T12:00:00Z", "text"],
    ["NEXTTOKEN\tabc", "text"],
    ["use1-az4\tc5.large\tLinux/UNIX\t0.0350\t2022-01-01 00:00:12+00:00", "archive-tsv"],
    ["AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp", "csv"],
    ['"Timestamp","SpotPrice"', "csv"],
    ["us-east-1a\tc5.large\tLinux/UNIX\t0.0350\t2022-01-01 00:00:12+00:00", undefined],
    ["zone,type,product,price,time", undefined],
    ["hello", undefined],
  ])("detects %j as %s", (line, expected) => {
    expect(detectFormat(line)?.name).toBe(expected);
  });
});

describe("format selection in loadTrace", () => {
  it("names every format tried when none matches", async () => {
    const path = join(dir, "unknown.txt");
    await writeFile(path, "\n\nhello world\nmore\n");
    await expect(loadTrace(path)).rejects.toThrow(
      `${path}:3: expected a trace in one of the formats tried (` +
        'json: {"SpotPriceHistory": [...]} (aws ec2 describe-spot-price-history --output json); ' +
        "text: SPOTPRICEHISTORY<TAB>zone<TAB>type<TAB>product<TAB>price<TAB>timestamp lines (--output text); " +
        "archive-tsv: headerless zoneId<TAB>type<TAB>product<TAB>price<TAB>timestamp lines (monthly archive); " +
        'csv: a CSV header naming AvailabilityZone, InstanceType, ProductDescription, SpotPrice, Timestamp), found "hello world"',
    );
  });

  it("locates the first line of a file without a final newline", async () => {
    const path = join(dir, "one-line.txt");
    await writeFile(path, "\r\n\r\nhello");
    await expect(loadTrace(path)).rejects.toThrow(
      /one-line\.txt:3: expected a trace in one of the formats tried \(.*\), found "hello"$/,
    );
  });

  it("uses a forced format instead of detecting (zone names read as archive rows are refused)", async () => {
    const path = join(dir, "forced.txt");
    await writeFile(path, "us-east-1a\tc5.large\tLinux/UNIX\t0.0350\t2022-01-01T00:00:00Z\n");
    await expect(loadTrace(path, { format: "archive-tsv" })).rejects.toThrow(
      `${path}:1: expected an AvailabilityZone ID such as use1-az4, found "us-east-1a"`,
    );
  });

  it("refuses an unknown format name, listing the valid ones", async () => {
    const path = join(dir, "any.csv");
    await writeFile(path, "x\n");
    const error = await loadTrace(path, { format: "yaml" as TraceFormatName }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UnknownNameError);
    expect((error as Error).message).toBe('unknown trace format "yaml"; valid: json, text, archive-tsv, csv');
  });
});
