import { readFile } from "node:fs/promises";
import { InputFormatError, InputReadError } from "../errors.js";
import { RESULTS_SCHEMA, RESULTS_VERSION, type ResultsDocument } from "../results/document.js";

type Check = "string" | "number" | "number|null" | "boolean" | "array" | "object";

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function matches(value: unknown, check: Check): boolean {
  const kind = kindOf(value);
  if (check === "number|null") return kind === "number" || kind === "null";
  return kind === check;
}

const metricFields: Readonly<Record<string, Check>> = {
  policy: "string",
  costUsd: "number",
  onDemandCostUsd: "number|null",
  percentOfOnDemand: "number|null",
  workEcuHours: "number",
  usdPerEcuHour: "number|null",
  migrations: "number",
  revocations: "number",
  downtimeSeconds: "number",
  downtimeP95Seconds: "number",
  outages: "number",
  lostWorkEcuHours: "number",
  gapToOptimal: "number|null",
};

const runFields: Readonly<Record<string, Check>> = {
  ...metricFields,
  zone: "string",
  start: "string",
  end: "string",
  finished: "boolean",
  timeline: "array",
  instances: "array",
};

const timelineFields: Readonly<Record<string, Check>> = {
  time: "string",
  kind: "string",
  instanceType: "string",
  lifecycle: "string",
  reason: "string",
};

const instanceFields: Readonly<Record<string, Check>> = {
  instanceType: "string",
  lifecycle: "string",
  start: "string",
  end: "string",
  costUsd: "number",
};

const traceFields: Readonly<Record<string, Check>> = {
  path: "string",
  sha256: "string",
  bytes: "number",
  format: "string",
  start: "string",
  end: "string",
  rowsKept: "number",
  series: "number",
};

const zonePricesFields: Readonly<Record<string, Check>> = {
  zone: "string",
  start: "string",
  end: "string",
  columns: "number",
  markets: "array",
};

const marketPricesFields: Readonly<Record<string, Check>> = {
  instanceType: "string",
  lifecycle: "string",
  workPerHour: "number",
  column: "array",
  usdPerHour: "array",
};

function checkFields(file: string, where: string, value: unknown, fields: Readonly<Record<string, Check>>) {
  if (kindOf(value) !== "object") throw new InputFormatError(`${file}: ${where}`, "an object", kindOf(value));
  const record = value as Record<string, unknown>;
  for (const [name, check] of Object.entries(fields)) {
    if (!matches(record[name], check)) {
      throw new InputFormatError(`${file}: ${where}.${name}`, check, kindOf(record[name]));
    }
  }
}

/** The optional price summary: every step a column in [0, columns) in order, each price a number or null. */
function checkPrices(file: string, prices: unknown): void {
  if (kindOf(prices) !== "array")
    throw new InputFormatError(`${file}: document.prices`, "array", kindOf(prices));
  (prices as unknown[]).forEach((zone, z) => {
    checkFields(file, `prices[${z}]`, zone, zonePricesFields);
    const { columns, markets } = zone as { columns: number; markets: unknown[] };
    if (!(Number.isInteger(columns) && columns > 0)) {
      throw new InputFormatError(`${file}: prices[${z}].columns`, "a positive integer", String(columns));
    }
    markets.forEach((market, m) => {
      const where = `prices[${z}].markets[${m}]`;
      checkFields(file, where, market, marketPricesFields);
      const { column, usdPerHour } = market as { column: unknown[]; usdPerHour: unknown[] };
      if (column.length !== usdPerHour.length) {
        throw new InputFormatError(
          `${file}: ${where}.usdPerHour`,
          `as many prices as columns (${column.length})`,
          String(usdPerHour.length),
        );
      }
      column.forEach((value, i) => {
        const previous = i === 0 ? -1 : (column[i - 1] as number);
        if (!(Number.isInteger(value) && (value as number) > previous && (value as number) < columns)) {
          throw new InputFormatError(
            `${file}: ${where}.column[${i}]`,
            `an integer in (${previous}, ${columns})`,
            JSON.stringify(value),
          );
        }
        if (!matches(usdPerHour[i], "number|null")) {
          throw new InputFormatError(
            `${file}: ${where}.usdPerHour[${i}]`,
            "number|null",
            kindOf(usdPerHour[i]),
          );
        }
      });
    });
  });
}

/** Checks that parsed JSON is a results document this reporter understands; errors name the field. */
export function validateResultsDocument(file: string, value: unknown): ResultsDocument {
  if (kindOf(value) !== "object")
    throw new InputFormatError(file, "a results document object", kindOf(value));
  const doc = value as Record<string, unknown>;
  if (doc.schema !== RESULTS_SCHEMA) {
    throw new InputFormatError(`${file}: schema`, JSON.stringify(RESULTS_SCHEMA), JSON.stringify(doc.schema));
  }
  if (doc.version !== RESULTS_VERSION) {
    throw new InputFormatError(`${file}: version`, String(RESULTS_VERSION), JSON.stringify(doc.version));
  }
  checkFields(file, "document", doc, {
    tool: "object",
    seed: "number",
    trace: "object",
    workUnit: "string",
    configuration: "object",
    runs: "array",
    aggregate: "array",
  });
  checkFields(file, "trace", doc.trace, traceFields);
  (doc.runs as unknown[]).forEach((run, r) => {
    checkFields(file, `runs[${r}]`, run, runFields);
    const { timeline, instances } = run as { timeline: unknown[]; instances: unknown[] };
    timeline.forEach((entry, e) => checkFields(file, `runs[${r}].timeline[${e}]`, entry, timelineFields));
    instances.forEach((entry, i) => checkFields(file, `runs[${r}].instances[${i}]`, entry, instanceFields));
  });
  (doc.aggregate as unknown[]).forEach((row, a) => checkFields(file, `aggregate[${a}]`, row, metricFields));
  if (doc.prices !== undefined) checkPrices(file, doc.prices);
  return value as ResultsDocument;
}

/** Reads and validates one results document (`hotspot sim --out` / `--json`). */
export async function readResultsDocument(file: string): Promise<ResultsDocument> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new InputReadError(file, (error as Error).message, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputFormatError(file, "JSON (a hotspot results document)", (error as Error).message, {
      cause: error,
    });
  }
  return validateResultsDocument(file, parsed);
}
