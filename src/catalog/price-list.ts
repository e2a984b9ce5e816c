import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { parse } from "csv-parse";
import { InputFormatError, InputReadError, shown } from "../errors.js";
import { cpuFromName } from "./cpu.js";
import { JsonStream, type JsonValue } from "./json-stream.js";
import type { Architecture, CpuVendor } from "./types.js";

/**
 * AWS's price lists for AmazonEC2 (the Price List Bulk API's offer files, JSON or CSV, and the
 * Price List Query API's GetProducts records): the Linux on-demand price and the spec attributes of
 * each instance type, for shared tenancy, no pre-installed software and capacity status "Used".
 */

/** The spec a price list gives a type (attributes vcpu, memory, ecu, physicalProcessor, clockSpeed ...). */
export interface PriceListSpec {
  readonly vcpu?: number;
  readonly memoryGiB?: number;
  /** null where AWS lists `Variable` or `NA`. */
  readonly ecu?: number | null;
  readonly architecture: Architecture;
  readonly cpuVendor: CpuVendor;
  readonly processor?: string;
  readonly clockGhz?: number;
  readonly network?: string;
}

export interface PriceListEntry {
  readonly type: string;
  readonly region: string;
  readonly usdPerHour: number;
  readonly spec: PriceListSpec;
  /** file:line of the product, for messages. */
  readonly at: string;
}

export interface PriceList {
  readonly path: string;
  /** The publication date, YYYY-MM-DD: the as-of date of every price. */
  readonly asOf: string;
  readonly entries: readonly PriceListEntry[];
  /** Products read, and those left out by the filters (other OS, tenancy, software, capacity status). */
  readonly products: number;
  readonly filteredOut: number;
  /** Types whose Linux on-demand price is $0 (not sold), left out and named. */
  readonly zeroPriced: readonly string[];
}

/** A product's attributes as the price list names them (JSON names; the CSV's are mapped to these). */
export type Attributes = Readonly<Record<string, string | undefined>>;

/** A candidate product after the filters: its type and spec, waiting for its on-demand term. */
export interface AcceptedProduct {
  readonly sku: string;
  readonly type: string;
  readonly region: string;
  readonly spec: PriceListSpec;
  readonly at: string;
}

const regionNames: Readonly<Record<string, string>> = {
  "US East (N. Virginia)": "us-east-1",
  "US East (Ohio)": "us-east-2",
  "US West (N. California)": "us-west-1",
  "US West (Oregon)": "us-west-2",
  "South America (Sao Paulo)": "sa-east-1",
  "Canada (Central)": "ca-central-1",
  "EU (Ireland)": "eu-west-1",
  "EU (London)": "eu-west-2",
  "EU (Paris)": "eu-west-3",
  "EU (Frankfurt)": "eu-central-1",
  "EU (Stockholm)": "eu-north-1",
  "EU (Milan)": "eu-south-1",
  "Asia Pacific (Tokyo)": "ap-northeast-1",
  "Asia Pacific (Seoul)": "ap-northeast-2",
  "Asia Pacific (Osaka)": "ap-northeast-3",
  "Asia Pacific (Singapore)": "ap-southeast-1",
  "Asia Pacific (Sydney)": "ap-southeast-2",
  "Asia Pacific (Mumbai)": "ap-south-1",
  "Asia Pacific (Hong Kong)": "ap-east-1",
  "Middle East (Bahrain)": "me-south-1",
  "Africa (Cape Town)": "af-south-1",
};

/** The published region names the Query API's `location` filter takes, by region code. */
export function locationOfRegion(region: string): string | undefined {
  return Object.entries(regionNames).find(([, code]) => code === region)?.[0];
}

const typePattern = /^[a-z0-9-]+\.[a-z0-9-]+$/;
const pricePattern = /^\d+(\.\d+)?$/;

/**
 * Applies the filters to one product. Returns undefined for products the catalog does not use, and
 * throws for a compute product the filters keep that has no instance type or an unreadable spec.
 */
export function acceptProduct(
  sku: string,
  productFamily: string | undefined,
  attributes: Attributes,
  at: string,
): AcceptedProduct | undefined {
  if (productFamily === undefined || !productFamily.startsWith("Compute Instance")) return undefined;
  const type = attributes.instanceType;
  if (type === undefined || type === "") {
    throw new InputFormatError(at, `an instanceType attribute for compute product ${sku}`, "none");
  }
  if (!typePattern.test(type)) {
    throw new InputFormatError(at, `an instance type such as m5.large for product ${sku}`, shown(type));
  }
  const kept =
    attributes.operatingSystem === "Linux" &&
    attributes.tenancy === "Shared" &&
    (attributes.preInstalledSw ?? "NA") === "NA" &&
    (attributes.capacitystatus ?? "Used") === "Used" &&
    (attributes.locationType ?? "AWS Region") === "AWS Region";
  if (!kept) return undefined;
  const region = attributes.regionCode ?? regionNames[attributes.location ?? ""];
  if (region === undefined) {
    throw new InputFormatError(
      at,
      `a regionCode attribute or a known location for product ${sku} (${type})`,
      shown(attributes.location ?? "none"),
    );
  }
  return { sku, type, region, spec: specOf(type, attributes), at };
}

function specOf(type: string, attributes: Attributes): PriceListSpec {
  const processor = attributes.physicalProcessor;
  const named = cpuFromName(type);
  const cpu = /graviton/i.test(processor ?? "")
    ? { architecture: "arm64" as const, cpuVendor: "aws" as const }
    : /\bAMD\b/.test(processor ?? "")
      ? { architecture: "x86_64" as const, cpuVendor: "amd" as const }
      : /\bIntel\b/.test(processor ?? "")
        ? { architecture: "x86_64" as const, cpuVendor: "intel" as const }
        : named;
  const vcpu = positive(attributes.vcpu);
  const memory = /^([\d,.]+) GiB$/.exec(attributes.memory ?? "");
  const memoryGiB = positive(memory?.[1].replaceAll(",", ""));
  const ecuRaw = attributes.ecu;
  const ecu = ecuRaw === undefined || ecuRaw === "" ? undefined : (positive(ecuRaw) ?? null);
  const clock = /([\d.]+) GHz/.exec(attributes.clockSpeed ?? "");
  return {
    architecture: cpu.architecture,
    cpuVendor: cpu.cpuVendor,
    ...(vcpu !== undefined && Number.isInteger(vcpu) ? { vcpu } : {}),
    ...(memoryGiB !== undefined ? { memoryGiB } : {}),
    ...(ecu !== undefined ? { ecu } : {}),
    ...(processor !== undefined && processor !== "" ? { processor } : {}),
    ...(clock !== null ? { clockGhz: Number(clock[1]) } : {}),
    ...(attributes.networkPerformance ? { network: attributes.networkPerformance } : {}),
  };
}

function positive(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** One price dimension of an on-demand term: its unit must be hours and its USD price a decimal. */
export function hourlyUsd(
  usd: string | undefined,
  unit: string | undefined,
  at: string,
  sku: string,
): number {
  if (unit !== "Hrs") {
    throw new InputFormatError(
      at,
      `the unit Hrs in the on-demand term of product ${sku}`,
      shown(unit ?? "none"),
    );
  }
  if (usd === undefined || !pricePattern.test(usd)) {
    throw new InputFormatError(
      at,
      `a USD price per hour in the on-demand term of product ${sku}`,
      shown(usd ?? "none"),
    );
  }
  return Number(usd);
}

/** Collects accepted products and their terms, in either order, into a PriceList. */
export class PriceListBuilder {
  readonly accepted = new Map<string, AcceptedProduct>();
  /** Hourly prices by SKU, with the term's effective date, from terms read so far. */
  readonly terms = new Map<string, { usd: number; effective: string }>();
  products = 0;
  filteredOut = 0;
  asOf: string | undefined;

  constructor(readonly path: string) {}

  product(sku: string, productFamily: string | undefined, attributes: Attributes, at: string): void {
    this.products++;
    const product = acceptProduct(sku, productFamily, attributes, at);
    if (product === undefined) this.filteredOut++;
    else this.accepted.set(sku, product);
  }

  term(sku: string, usd: number, effective: string): void {
    const earlier = this.terms.get(sku);
    if (earlier === undefined || earlier.effective < effective) this.terms.set(sku, { usd, effective });
  }

  publication(raw: string, at: string): void {
    const day = raw.slice(0, 10);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !Number.isFinite(Date.parse(`${day}T00:00:00Z`))) {
      throw new InputFormatError(at, "a publication date such as 2025-06-01T00:00:00Z", shown(raw));
    }
    this.asOf = day;
  }

  finish(): PriceList {
    if (this.asOf === undefined) {
      throw new InputFormatError(this.path, "a publicationDate (the price list's as-of date)", "none");
    }
    const entries: PriceListEntry[] = [];
    const zeroPriced: string[] = [];
    const byMarket = new Map<string, PriceListEntry>();
    for (const product of this.accepted.values()) {
      const term = this.terms.get(product.sku);
      if (term === undefined) {
        throw new InputFormatError(
          product.at,
          `an OnDemand term for product ${product.sku} (${product.type}, Linux, shared tenancy)`,
          "none",
        );
      }
      if (term.usd === 0) {
        zeroPriced.push(product.type);
        continue;
      }
      const key = `${product.type} ${product.region}`;
      const earlier = byMarket.get(key);
      if (earlier !== undefined && earlier.usdPerHour !== term.usd) {
        throw new InputFormatError(
          product.at,
          `one Linux on-demand price for ${product.type} in ${product.region} (${earlier.at} gives ${earlier.usdPerHour})`,
          String(term.usd),
        );
      }
      if (earlier !== undefined) continue;
      const entry = {
        type: product.type,
        region: product.region,
        usdPerHour: term.usd,
        spec: product.spec,
        at: product.at,
      };
      byMarket.set(key, entry);
      entries.push(entry);
    }
    entries.sort((a, b) => a.type.localeCompare(b.type) || a.region.localeCompare(b.region));
    return {
      path: this.path,
      asOf: this.asOf,
      entries,
      products: this.products,
      filteredOut: this.filteredOut,
      zeroPriced: [...new Set(zeroPriced)].sort(),
    };
  }
}

function stringRecord(value: JsonValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) return out;
  for (const [key, field] of Object.entries(value)) if (typeof field === "string") out[key] = field;
  return out;
}

function objectOf(value: JsonValue | undefined): { [key: string]: JsonValue } | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value : undefined;
}

/** The hourly price of one on-demand term object (`{sku, effectiveDate, priceDimensions}`). */
export function termUsd(sku: string, term: JsonValue, at: string): { usd: number; effective: string } {
  const body = objectOf(term);
  const dimensions = Object.values(objectOf(body?.priceDimensions) ?? {});
  if (dimensions.length === 0) {
    throw new InputFormatError(at, `priceDimensions in the on-demand term of product ${sku}`, "none");
  }
  let usd = 0;
  for (const dimension of dimensions) {
    const fields = objectOf(dimension);
    const unit = typeof fields?.unit === "string" ? fields.unit : undefined;
    const raw = stringRecord(fields?.pricePerUnit).USD;
    usd = Math.max(usd, hourlyUsd(raw, unit, at, sku));
  }
  return { usd, effective: typeof body?.effectiveDate === "string" ? body.effectiveDate : "" };
}

/** The on-demand terms of one SKU (`{ "SKU.CODE": term, ... }`) folded into the builder. */
function addTerms(builder: PriceListBuilder, sku: string, terms: JsonValue, at: string): void {
  const type = builder.accepted.get(sku)?.type;
  for (const term of Object.values(objectOf(terms) ?? {})) {
    const { usd, effective } = termUsd(type === undefined ? sku : `${sku} (${type})`, term, at);
    builder.term(sku, usd, effective);
  }
}

/** One GetProducts PriceList record (a JSON string: product, terms, publicationDate). */
export function readQueryRecord(builder: PriceListBuilder, record: string, at: string): void {
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(record) as JsonValue;
  } catch (error) {
    throw new InputFormatError(at, "a JSON price list record", (error as Error).message, { cause: error });
  }
  const body = objectOf(parsed);
  const product = objectOf(body?.product);
  const sku = typeof product?.sku === "string" ? product.sku : "(no sku)";
  if (typeof body?.publicationDate === "string" && builder.asOf === undefined) {
    builder.publication(body.publicationDate, at);
  }
  const family = typeof product?.productFamily === "string" ? product.productFamily : undefined;
  builder.product(sku, family, stringRecord(product?.attributes), at);
  if (builder.accepted.has(sku)) addTerms(builder, sku, objectOf(body?.terms)?.OnDemand ?? {}, at);
}

/** Reads GetProducts records (one string each) into a PriceList; `where` names the source in errors. */
export function priceListFromRecords(records: Iterable<string>, where: string): PriceList {
  const builder = new PriceListBuilder(where);
  let index = 0;
  for (const record of records) readQueryRecord(builder, record, `${where}: record ${++index}`);
  return builder.finish();
}

/** Reads a price list file, JSON or CSV by its first character, streamed in bounded memory. */
export async function readPriceListFile(path: string): Promise<PriceList> {
  const builder = new PriceListBuilder(path);
  const first = await firstCharacter(path);
  if (first === undefined) {
    throw new InputFormatError(`${path}:1`, "an AmazonEC2 price list (JSON or CSV)", "an empty file");
  }
  try {
    if (first === "{") {
      const json = jsonPriceList(builder, path);
      for await (const chunk of createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 20 })) {
        json.feed(chunk as string);
      }
      json.end();
    } else {
      const csv = new CsvPriceList(builder, path);
      const parser = createReadStream(path, { highWaterMark: 1 << 20 }).pipe(
        parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true }),
      );
      for await (const { record, info } of parser as AsyncIterable<{
        record: string[];
        info: { lines: number };
      }>) {
        csv.row(record, `${path}:${info.lines}`);
      }
      csv.end();
    }
  } catch (error) {
    if (error instanceof InputFormatError) throw error;
    const line = (error as { lines?: number }).lines;
    if (line !== undefined) {
      throw new InputFormatError(`${path}:${line}`, "well-formed CSV", (error as Error).message, {
        cause: error,
      });
    }
    throw new InputReadError(path, `cannot read the price list (${(error as Error).message})`, {
      cause: error,
    });
  }
  return builder.finish();
}

async function firstCharacter(path: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, "r");
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    return buffer
      .subarray(0, bytesRead)
      .toString("utf8")
      .replace(/^\uFEFF/, "")
      .trimStart()[0];
  } catch (error) {
    throw new InputReadError(path, `cannot read the price list (${(error as Error).message})`, {
      cause: error,
    });
  } finally {
    await handle?.close();
  }
}

function jsonPriceList(builder: PriceListBuilder, path: string): JsonStream {
  return new JsonStream(
    path,
    (keys) =>
      (keys.length === 1 && (keys[0] === "publicationDate" || keys[0] === "offerCode")) ||
      (keys.length === 2 && keys[0] === "products") ||
      (keys.length === 3 && keys[0] === "terms" && keys[1] === "OnDemand"),
    (keys, value, line) => {
      const at = `${path}:${line}`;
      if (keys[0] === "offerCode") {
        if (value !== "AmazonEC2")
          throw new InputFormatError(at, "offerCode AmazonEC2", shown(String(value)));
      } else if (keys[0] === "publicationDate") {
        builder.publication(String(value), at);
      } else if (keys[0] === "products") {
        const product = objectOf(value);
        const family = typeof product?.productFamily === "string" ? product.productFamily : undefined;
        builder.product(String(keys[1]), family, stringRecord(product?.attributes), at);
      } else if (builder.accepted.has(String(keys[2])) || builder.products === 0) {
        addTerms(builder, String(keys[2]), value, at);
      }
    },
  );
}

/** The CSV columns the catalog reads, with the JSON attribute each one is. */
const csvAttributes: Readonly<Record<string, string>> = {
  "Instance Type": "instanceType",
  "Operating System": "operatingSystem",
  Tenancy: "tenancy",
  "Pre Installed S/W": "preInstalledSw",
  CapacityStatus: "capacitystatus",
  "Location Type": "locationType",
  Location: "location",
  "Region Code": "regionCode",
  vCPU: "vcpu",
  Memory: "memory",
  ECU: "ecu",
  "Clock Speed": "clockSpeed",
  "Physical Processor": "physicalProcessor",
  "Network Performance": "networkPerformance",
};

/**
 * The CSV offer file: metadata lines (`"Publication Date","2025-06-01T00:00:00Z"` ...), then a header
 * starting with SKU, then one row per price dimension of every term (TermType OnDemand or Reserved).
 */
class CsvPriceList {
  private header: Map<string, number> | undefined;
  /** SKUs whose product attributes were read (rows of one SKU repeat them). */
  private readonly seen = new Set<string>();

  constructor(
    private readonly builder: PriceListBuilder,
    private readonly path: string,
  ) {}

  end(): void {
    if (this.header === undefined) {
      throw new InputFormatError(`${this.path}:1`, "a header row starting with SKU", "none");
    }
  }

  row(record: string[], at: string): void {
    if (this.header === undefined) {
      if (record[0] === "SKU") {
        this.header = new Map(record.map((name, index) => [name, index]));
        for (const needed of ["TermType", "Unit", "PricePerUnit", "Product Family", "Instance Type"]) {
          if (!this.header.has(needed))
            throw new InputFormatError(at, `a ${needed} column in the header`, "none");
        }
      } else if (record[0] === "Publication Date") this.builder.publication(record[1] ?? "", at);
      else if (record[0] === "OfferCode" && record[1] !== "AmazonEC2") {
        throw new InputFormatError(at, "OfferCode AmazonEC2", shown(record[1] ?? ""));
      }
      return;
    }
    const header = this.header;
    const cell = (name: string): string | undefined => {
      const index = header.get(name);
      return index === undefined ? undefined : record[index];
    };
    const sku = cell("SKU") ?? "";
    if (!this.seen.has(sku)) {
      this.seen.add(sku);
      const attributes: Record<string, string> = {};
      for (const [column, attribute] of Object.entries(csvAttributes)) {
        const value = cell(column);
        if (value !== undefined && value !== "") attributes[attribute] = value;
      }
      this.builder.product(sku, cell("Product Family"), attributes, at);
    }
    if (cell("TermType") !== "OnDemand" || !this.builder.accepted.has(sku)) return;
    const currency = cell("Currency");
    if (currency !== undefined && currency !== "USD") {
      throw new InputFormatError(at, `a USD price for product ${sku}`, shown(currency));
    }
    this.builder.term(
      sku,
      hourlyUsd(cell("PricePerUnit"), cell("Unit"), at, `${sku} (${this.builder.accepted.get(sku)?.type})`),
      cell("EffectiveDate") ?? "",
    );
  }
}
