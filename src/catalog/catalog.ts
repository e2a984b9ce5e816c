import { readFile } from "node:fs/promises";
import { InputFormatError, InputReadError } from "../errors.js";
import { builtinPrices, builtinSnapshots, builtinSpecs } from "./builtin.js";
import { cpuFromName } from "./cpu.js";
import { parseDescribeInstanceTypes } from "./describe-types.js";
import { readPriceListFile, type PriceList } from "./price-list.js";
import { parseSpecsCsv } from "./specs-csv.js";
import type { Catalog, InstanceSpec, OnDemandPrice } from "./types.js";

/** The spec fields whose source the catalog records. */
export const specFields = [
  "vcpu",
  "memoryGiB",
  "ecu",
  "score",
  "architecture",
  "cpuVendor",
  "cpuClass",
] as const satisfies readonly (keyof InstanceSpec)[];

export type SpecField = (typeof specFields)[number];

/** Where a value came from: `built-in`, `type name`, or a file (`price list F`, `--specs F`). */
export type Provenance = Readonly<Partial<Record<SpecField, string>>>;

export interface PricedSnapshot extends OnDemandPrice {
  readonly source: string;
}

/** A catalog over in-memory tables: specs by type, and per (type, region) price snapshots. */
export class TableCatalog implements Catalog {
  private readonly specs: ReadonlyMap<string, InstanceSpec>;
  /** Keyed by `type region`; each list sorted by `asOf`, oldest first. */
  private readonly prices: ReadonlyMap<string, readonly OnDemandPrice[]>;

  constructor(
    specs: readonly InstanceSpec[],
    prices: readonly OnDemandPrice[],
    readonly description: string,
    private readonly provenance: ReadonlyMap<string, Provenance> = new Map(),
    /** The source of each price, keyed `type region asOf`; built-in where absent. */
    private readonly priceSources: ReadonlyMap<string, string> = new Map(),
  ) {
    this.specs = new Map(specs.map((spec) => [spec.type, spec]));
    const byMarket = new Map<string, OnDemandPrice[]>();
    for (const price of prices) {
      const key = priceKey(price.type, price.region);
      const list = byMarket.get(key) ?? [];
      list.push(price);
      byMarket.set(key, list);
    }
    for (const list of byMarket.values()) list.sort((a, b) => a.asOf.localeCompare(b.asOf));
    this.prices = byMarket;
  }

  spec(type: string): InstanceSpec | undefined {
    return this.specs.get(type);
  }

  onDemand(type: string, region: string, at: number): OnDemandPrice | undefined {
    const list = this.prices.get(priceKey(type, region));
    if (list === undefined) return undefined;
    const day = new Date(at * 1000).toISOString().slice(0, 10);
    let chosen = list[0];
    for (const price of list) if (price.asOf <= day) chosen = price;
    return chosen;
  }

  /** Every type the catalog has, sorted. */
  types(): string[] {
    return [...this.specs.keys()].sort();
  }

  /** Where each spec field of `type` came from. */
  sources(type: string): Provenance {
    const spec = this.specs.get(type);
    if (spec === undefined) return {};
    const given = this.provenance.get(type) ?? {};
    return Object.fromEntries(
      specFields
        .filter((field) => spec[field] !== undefined)
        .map((field) => [field, given[field] ?? "built-in"]),
    );
  }

  /** Every price snapshot of `type`, in every region, oldest first, with its source. */
  snapshots(type: string): PricedSnapshot[] {
    const out: PricedSnapshot[] = [];
    for (const [key, list] of this.prices) {
      if (!key.startsWith(`${type} `)) continue;
      for (const price of list) {
        const source = this.priceSources.get(`${priceKey(price.type, price.region)} ${price.asOf}`);
        out.push({ ...price, source: source ?? `built-in snapshot ${price.asOf}` });
      }
    }
    return out.sort((a, b) => a.region.localeCompare(b.region) || a.asOf.localeCompare(b.asOf));
  }
}

function priceKey(type: string, region: string): string {
  return `${type} ${region}`;
}

const builtinDescription = `built-in (AWS prices as of ${[...new Set(builtinSnapshots.map((s) => s.asOf))].join(", ")})`;

export function builtinCatalog(): TableCatalog {
  return new TableCatalog(builtinSpecs, builtinPrices, builtinDescription);
}

export interface CatalogSource {
  /**
   * A user CSV (see specs-csv.ts) or `aws ec2 describe-instance-types --output json`, whose values
   * override and extend the built-in table and the price list.
   */
  readonly specsFile?: string;
  /** An AmazonEC2 price list file (JSON or CSV): its prices are added as a snapshot of its date. */
  readonly pricesFile?: string;
}

type MutableSpec = { -readonly [K in keyof InstanceSpec]: InstanceSpec[K] };

/**
 * The built-in table, then the price list (`pricesFile`), then `specsFile`, each overlaying the one
 * before: spec fields a source sets replace earlier ones. Price list prices join the built-in
 * snapshots (a run picks the one in force when it starts); prices a specs CSV gives for a
 * (type, region) replace every earlier price of that pair.
 */
export async function createCatalog(source: CatalogSource = {}): Promise<TableCatalog> {
  if (source.specsFile === undefined && source.pricesFile === undefined) return builtinCatalog();
  const specs = new Map<string, MutableSpec>(builtinSpecs.map((spec) => [spec.type, { ...spec }]));
  const provenance = new Map<string, Partial<Record<SpecField, string>>>();
  const priceSources = new Map<string, string>();
  let prices: OnDemandPrice[] = [...builtinPrices];
  const described = [builtinDescription];

  const overlay = (
    type: string,
    fields: Partial<Omit<InstanceSpec, "type">>,
    label: string,
    at: string,
  ): void => {
    const defined = Object.fromEntries(
      Object.entries(fields).filter(([, value]) => value !== undefined),
    ) as Partial<MutableSpec>;
    const base = specs.get(type);
    if (base === undefined && (defined.vcpu === undefined || defined.memoryGiB === undefined)) {
      throw new InputFormatError(
        at,
        `vcpu and memory_gib for ${type}, which the built-in table does not have`,
        defined.vcpu === undefined ? "no vcpu" : "no memory_gib",
      );
    }
    const named = cpuFromName(type);
    const merged = {
      ecu: null,
      ...named,
      ...base,
      ...defined,
      type,
    } as MutableSpec;
    if (base === undefined) {
      const origin: Partial<Record<SpecField, string>> = provenance.get(type) ?? {};
      for (const field of ["architecture", "cpuVendor", "cpuClass"] as const) origin[field] = "type name";
      provenance.set(type, origin);
    }
    if ((merged.architecture === "arm64") !== (merged.cpuVendor === "aws")) {
      throw new InputFormatError(
        at,
        `a cpu_vendor that builds ${merged.architecture} CPUs for ${type} (aws for arm64; intel or amd for x86_64)`,
        `architecture ${merged.architecture} with cpu_vendor ${merged.cpuVendor}`,
      );
    }
    specs.set(type, merged);
    const origin = provenance.get(type) ?? {};
    for (const field of Object.keys(defined) as SpecField[]) origin[field] = label;
    provenance.set(type, origin);
  };

  if (source.pricesFile !== undefined) {
    const list: PriceList = await readPriceListFile(source.pricesFile);
    const label = `price list ${source.pricesFile}`;
    for (const entry of list.entries) {
      const { vcpu, memoryGiB, ecu, architecture, cpuVendor } = entry.spec;
      // The price list names a CPU model, not a generation: a known family keeps the table's class.
      overlay(entry.type, { vcpu, memoryGiB, ecu, architecture, cpuVendor }, label, entry.at);
      prices.push({ type: entry.type, region: entry.region, usdPerHour: entry.usdPerHour, asOf: list.asOf });
      priceSources.set(`${priceKey(entry.type, entry.region)} ${list.asOf}`, `${label} (as of ${list.asOf})`);
    }
    described.push(`price list ${source.pricesFile} (as of ${list.asOf}, ${list.entries.length} types)`);
  }

  if (source.specsFile !== undefined) {
    const text = await readText(source.specsFile);
    if (
      text
        .replace(/^\uFEFF/, "")
        .trimStart()
        .startsWith("{")
    ) {
      const label = `describe-instance-types ${source.specsFile}`;
      parseDescribeInstanceTypes(text, source.specsFile).forEach((info, index) => {
        const { vcpu, memoryGiB, architecture, cpuVendor } = info;
        overlay(
          info.type,
          { vcpu, memoryGiB, architecture, cpuVendor },
          label,
          `${source.specsFile}: record ${index + 1}`,
        );
      });
    } else {
      const label = `--specs ${source.specsFile}`;
      const user = parseSpecsCsv(text, source.specsFile, (type) => specs.has(type));
      for (const override of user.specs) {
        const { vcpu, memoryGiB, ecu, score, architecture, cpuVendor, cpuClass } = override;
        overlay(
          override.type,
          { vcpu, memoryGiB, ecu, score, architecture, cpuVendor, cpuClass },
          label,
          `${source.specsFile}:${override.line}`,
        );
      }
      const replaced = new Set(user.prices.map((price) => priceKey(price.type, price.region)));
      prices = [
        ...prices.filter((price) => !replaced.has(priceKey(price.type, price.region))),
        ...user.prices,
      ];
      for (const price of user.prices) {
        priceSources.set(
          `${priceKey(price.type, price.region)} ${price.asOf}`,
          `${label} (as of ${price.asOf})`,
        );
      }
    }
    described.push(`--specs ${source.specsFile}`);
  }
  return new TableCatalog([...specs.values()], prices, described.join(" + "), provenance, priceSources);
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new InputReadError(path, `cannot read the specs file (${(error as Error).message})`, {
      cause: error,
    });
  }
}
