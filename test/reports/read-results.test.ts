import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputFormatError, InputReadError } from "../../src/errors.js";
import { RESULTS_SCHEMA, RESULTS_VERSION } from "../../src/results/document.js";
import { readResultsDocument, validateResultsDocument } from "../../src/reports/read-results.js";
import { handRun } from "./fixtures.js";

const valid = {
  schema: RESULTS_SCHEMA,
  version: RESULTS_VERSION,
  tool: { name: "hotspot", version: "0.1.0" },
  seed: 1,
  trace: {
    path: "t.csv",
    sha256: "ab",
    bytes: 10,
    format: "csv",
    start: "2021-03-01T00:00:00.000Z",
    end: "2021-03-01T04:00:00.000Z",
    rowsKept: 4,
    series: 2,
  },
  workUnit: "ecu",
  configuration: {},
  runs: [handRun({})],
  aggregate: [],
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-read-results-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("validateResultsDocument", () => {
  it("accepts a results document of this schema and version", () => {
    expect(validateResultsDocument("r.json", valid)).toBe(valid);
  });

  it("names the file and the schema it expected", () => {
    expect(() => validateResultsDocument("r.json", { ...valid, schema: "other" })).toThrow(
      'r.json: schema: expected "hotspot.sim-results", found "other"',
    );
  });

  it("names the file and the version it expected", () => {
    expect(() => validateResultsDocument("r.json", { ...valid, version: 2 })).toThrow(
      "r.json: version: expected 1, found 2",
    );
  });

  it("accepts a price summary and names where one is malformed", () => {
    const market = {
      instanceType: "m4.large",
      lifecycle: "spot",
      workPerHour: 6.5,
      column: [0, 7],
      usdPerHour: [null, 0.03],
    };
    const prices = (markets: unknown[]) => [
      {
        zone: "us-east-1a",
        start: "2021-03-01T00:00:00.000Z",
        end: "2021-03-01T04:00:00.000Z",
        columns: 10,
        markets,
      },
    ];
    const withPrices = { ...valid, prices: prices([market]) };
    expect(validateResultsDocument("r.json", withPrices)).toBe(withPrices);
    expect(() =>
      validateResultsDocument("r.json", { ...valid, prices: prices([{ ...market, column: [0, 10] }]) }),
    ).toThrow(new InputFormatError("r.json: prices[0].markets[0].column[1]", "an integer in (0, 10)", "10"));
    expect(() =>
      validateResultsDocument("r.json", { ...valid, prices: prices([{ ...market, column: [0] }]) }),
    ).toThrow(
      new InputFormatError("r.json: prices[0].markets[0].usdPerHour", "as many prices as columns (1)", "2"),
    );
    expect(() =>
      validateResultsDocument("r.json", {
        ...valid,
        prices: prices([{ ...market, usdPerHour: [null, "0.03"] }]),
      }),
    ).toThrow(new InputFormatError("r.json: prices[0].markets[0].usdPerHour[1]", "number|null", "string"));
  });

  it("names the field of the run that has the wrong type", () => {
    const bad = { ...valid, runs: [{ ...handRun({}), costUsd: "3" }] };
    expect(() => validateResultsDocument("r.json", bad)).toThrow(
      new InputFormatError("r.json: runs[0].costUsd", "number", "string"),
    );
  });

  it("names a bad timeline entry by run and index", () => {
    const run = handRun({});
    const bad = { ...valid, runs: [run, { ...run, timeline: [{ time: 5 }] }] };
    expect(() => validateResultsDocument("r.json", bad)).toThrow(
      "r.json: runs[1].timeline[0].time: expected string",
    );
  });

  it("rejects something that is not an object", () => {
    expect(() => validateResultsDocument("r.json", [valid])).toThrow(
      "r.json: expected a results document object, found array",
    );
  });
});

describe("readResultsDocument", () => {
  it("reads a valid file", async () => {
    const file = join(dir, "ok.json");
    await writeFile(file, JSON.stringify(valid));
    expect(await readResultsDocument(file)).toEqual(valid);
  });

  it("says the file is not JSON, naming it", async () => {
    const file = join(dir, "broken.json");
    await writeFile(file, '{"schema": ');
    const error = await readResultsDocument(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputFormatError);
    expect((error as Error).message).toMatch(
      new RegExp(`^${file}: expected JSON \\(a hotspot results document\\)`),
    );
  });

  it("says a missing file cannot be read, naming it", async () => {
    const file = join(dir, "missing.json");
    const error = await readResultsDocument(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputReadError);
    expect((error as Error).message).toContain(`${file}: ENOENT`);
  });
});
