import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputFormatError } from "../../src/errors.js";
import { loadTrace } from "../../src/traces/load.js";
import { createJsonParser } from "../../src/traces/parse-json.js";
import { RowSink } from "../../src/traces/row-sink.js";
import { defaultReadLimits } from "../../src/traces/types.js";

const fixture = new URL("../fixtures/traces/appended-pages.json", import.meta.url).pathname;
const at = (day: number, h: number) => Date.UTC(2021, 2, day, h) / 1000;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-json-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function record(price: string, time: string, zone = "us-east-1a"): string {
  return `{"AvailabilityZone": "${zone}", "InstanceType": "m5.large", "ProductDescription": "Linux/UNIX", "SpotPrice": ${price}, "Timestamp": "${time}"}`;
}

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe("JSON traces (describe-spot-price-history --output json)", () => {
  it("reads concatenated newest-first documents, ignores NextToken, drops the repeated record", async () => {
    const trace = await loadTrace(fixture);
    expect(trace.source.format).toBe("json");
    expect(trace.series.map((key) => key.zone)).toEqual(["us-east-1a", "us-east-1b"]);
    // Records: 12:00 a, 06:00 a, 23:00(1st) b | 06:00 a again (boto3 style stamp), 20:00(1st) a (escaped "Linux\/UNIX").
    expect(Array.from(trace.time)).toEqual([at(1, 20), at(1, 23), at(2, 6), at(2, 12)]);
    expect(Array.from(trace.seriesId)).toEqual([0, 1, 0, 0]);
    expect(Array.from(trace.price)).toEqual([0.03, 0.05, 0.035, 0.04]);
    expect(trace.report.rowsRead).toBe(5);
    expect(trace.report.duplicatesDropped).toBe(1);
    expect(trace.report.rowsKept).toBe(4);
  });

  it("carries the last price before the window start in (records predating the requested start)", async () => {
    const trace = await loadTrace(fixture, { start: at(2, 0), end: at(2, 12) });
    expect(Array.from(trace.time)).toEqual([at(2, 0), at(2, 0), at(2, 6)]);
    expect(Array.from(trace.seriesId)).toEqual([0, 1, 0]);
    expect(Array.from(trace.price)).toEqual([0.03, 0.05, 0.035]);
    expect(trace.report.carriedIn).toBe(2);
    expect(trace.report.filteredOut).toEqual({ product: 0, zone: 0, type: 0, window: 1 });
    expect(trace.window).toEqual({ start: at(2, 0), end: at(2, 12) });
  });

  it("accepts SpotPrice as a JSON number and compact single-line documents back to back", async () => {
    const path = await file(
      "compact.json",
      `{"SpotPriceHistory":[${record("0.5", "2021-03-02T01:00:00Z")}]}{"SpotPriceHistory":[${record('"0.25"', "2021-03-02T00:00:00Z")}],"NextToken":""}`,
    );
    const trace = await loadTrace(path);
    expect(Array.from(trace.price)).toEqual([0.25, 0.5]);
  });

  it("gives the same rows whatever the chunk boundaries", async () => {
    const bytes = await readFile(fixture);
    const parse = (cuts: number[]) => {
      const sink = new RowSink("zone-name", false, (n) => `record ${n}`);
      const parser = createJsonParser("f.json", sink, defaultReadLimits);
      let from = 0;
      for (const cut of [...cuts, bytes.length]) {
        parser.push(bytes.subarray(from, cut));
        from = cut;
      }
      parser.end();
      return [Array.from(sink.columns.time.subarray(0, sink.columns.length)), sink.interner.keys()];
    };
    const whole = parse([]);
    for (let cut = 1; cut < bytes.length; cut += 7)
      expect(parse([cut, Math.min(cut + 3, bytes.length)])).toEqual(whole);
    expect(parse(Array.from({ length: bytes.length - 1 }, (_, i) => i + 1))).toEqual(whole);
  });

  it.each([
    [
      "an unparsable price, located by record and line",
      `{"SpotPriceHistory": [\n  ${record('"0.1"', "2021-03-02T00:00:00Z")},\n  ${record('"x"', "2021-03-02T00:00:00Z")}\n]}\n`,
      ': record 2 (line 3): expected a SpotPrice in USD (a decimal number such as 0.0162), found "x"',
    ],
    [
      "a record in the second document (records count across documents)",
      `{"SpotPriceHistory": [${record('"0.1"', "2021-03-02T00:00:00Z")}]}\n{"SpotPriceHistory": [\n${record('"0.1"', "2021-03-32T00:00:00Z")}]}\n`,
      ': record 2 (line 3): expected a Timestamp such as 2021-03-02T01:39:04+00:00 or 2016-03-01T00:00:35.000Z (a valid date and time with Z or an offset), found "2021-03-32T00:00:00Z" (no such date: 2021-03 has 31 days)',
    ],
    [
      "a negative price",
      `{"SpotPriceHistory": [${record('"-0.5"', "2021-03-02T00:00:00Z")}]}`,
      ': record 1 (line 1): expected a non-negative SpotPrice, found "-0.5"',
    ],
    [
      "a missing field",
      `{"SpotPriceHistory": [\n{"AvailabilityZone": "us-east-1a", "InstanceType": "m5.large", "ProductDescription": "Linux/UNIX"}]}`,
      ": record 1 (line 2): expected a record with AvailabilityZone, InstanceType, ProductDescription, SpotPrice, Timestamp, found no SpotPrice, Timestamp",
    ],
    [
      "a record that is not an object",
      `{"SpotPriceHistory": [42]}`,
      ": record 1 (line 1): expected a record object {...}, found 42",
    ],
    [
      "a field that is not a string",
      `{"SpotPriceHistory": [{"AvailabilityZone": null, "InstanceType": "m5.large", "ProductDescription": "Linux/UNIX", "SpotPrice": "1", "Timestamp": "2021-03-02T00:00:00Z"}]}`,
      ": record 1 (line 1): expected a string AvailabilityZone, found null",
    ],
    [
      "a JSON syntax error",
      `{"SpotPriceHistory": [\n {"AvailabilityZone": "us-east-1a" "InstanceType": "m5.large"}]}`,
      `:2: expected ',' or '}', found the string "InstanceType"`,
    ],
    [
      "a truncated document",
      `{"SpotPriceHistory": [\n${record('"0.1"', "2021-03-02T00:00:00Z")},\n`,
      ":3: expected the rest of the JSON document (the file is truncated), found the end of the file",
    ],
    [
      "a document without SpotPriceHistory",
      `{"SpotPriceHistory": []}\n{"Reservations": [{"a": [1, {"b": 2}]}]}`,
      ':2: expected a document with a "SpotPriceHistory" array, found a document without one',
    ],
    [
      "SpotPriceHistory that is not an array",
      `{"SpotPriceHistory": {}}`,
      `:1: expected an array after "SpotPriceHistory", found '{'`,
    ],
  ])("fails on %s", async (_what, text, message) => {
    const path = await file("bad.json", text);
    const error = await loadTrace(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputFormatError);
    expect((error as Error).message).toBe(`${path}${message}`);
  });

  it("fails on a top-level value that is not a document when the format is forced", async () => {
    const path = await file("array.json", `[1, 2]`);
    await expect(loadTrace(path, { format: "json" })).rejects.toThrow(
      `${path}:1: expected a JSON document {"SpotPriceHistory": [...]}, found '['`,
    );
  });

  it("skips bad records under skipBadRows, counting them by reason", async () => {
    const path = await file(
      "some-bad.json",
      `{"SpotPriceHistory": [${record('"0.1"', "2021-03-02T00:00:00Z")}, 7, ["x"], ${record('"bad"', "2021-03-02T01:00:00Z")}, {"InstanceType": "m5.large"}]}`,
    );
    const trace = await loadTrace(path, { skipBadRows: true });
    expect(Array.from(trace.price)).toEqual([0.1]);
    expect(trace.report.rowsRead).toBe(5);
    expect(trace.report.skipped.count).toBe(4);
    expect(trace.report.skipped.byReason).toEqual({ record: 2, price: 1, "missing-field": 1 });
    expect(trace.report.skipped.examples[1]).toBe(
      `${path}: record 3 (line 1): expected a record object {...}, found '['`,
    );
  });
});
