import { builtinPrices, builtinSnapshots, builtinSpecs } from "./builtin.js";
import { InputFormatError } from "../errors.js";
import { cpuFromName } from "./cpu.js";
import { readSpecsCsv } from "./specs-csv.js";
import type { Catalog, InstanceSpec, OnDemandPrice } from "./types.js";

/** A catalog over in-memory tables: specs by type, and per (type, region) price snapshots. */
export class TableCatalog implements Catalog {
  private readonly specs: ReadonlyMap<string, InstanceSpec>;
  /** Keyed by `type region`; each list sorted by `asOf`, oldest first. */
  private readonly prices: ReadonlyMap<string, readonly OnDemandPrice[]>;

  constructor(
    specs: readonly InstanceSpec[],
    prices: readonly OnDemandPrice[],
    readonly description: string,
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
}

function priceKey(type: string, region: string): string {
  return `${type} ${region}`;
}

const builtinDescription = `built-in (AWS prices as of ${[...new Set(builtinSnapshots.map((s) => s.asOf))].join(", ")})`;

export function builtinCatalog(): TableCatalog {
  return new TableCatalog(builtinSpecs, builtinPrices, builtinDescription);
}

export interface CatalogSource {
  /** A user CSV (see specs-csv.ts) whose rows override and extend the built-in table. */
  readonly specsFile?: string;
}

/**
 * The built-in table, overlaid with `specsFile` when given: spec fields the file sets replace the
 * built-in ones, and prices it gives for a (type, region) replace every built-in price of that pair.
 */
export async function createCatalog(source: CatalogSource = {}): Promise<TableCatalog> {
  if (source.specsFile === undefined) return builtinCatalog();
  const specs = new Map(builtinSpecs.map((spec) => [spec.type, spec]));
  const user = await readSpecsCsv(source.specsFile, (type) => specs.has(type));
  for (const override of user.specs) {
    const { vcpu, memoryGiB, ecu, score, architecture, cpuVendor, cpuClass } = override;
    // readSpecsCsv guarantees vcpu and memoryGiB for types the built-in table lacks.
    const base = specs.get(override.type) ?? { ecu: null, ...cpuFromName(override.type) };
    const fields = definedFields({ vcpu, memoryGiB, ecu, score, architecture, cpuVendor, cpuClass });
    const merged = { ...base, ...fields, type: override.type } as InstanceSpec;
    if ((merged.architecture === "arm64") !== (merged.cpuVendor === "aws")) {
      throw new InputFormatError(
        `${source.specsFile}:${override.line}`,
        `a cpu_vendor that builds ${merged.architecture} CPUs for ${override.type} (aws for arm64; intel or amd for x86_64)`,
        `architecture ${merged.architecture} with cpu_vendor ${merged.cpuVendor}`,
      );
    }
    specs.set(override.type, merged);
  }
  const replaced = new Set(user.prices.map((price) => priceKey(price.type, price.region)));
  const prices = [
    ...builtinPrices.filter((price) => !replaced.has(priceKey(price.type, price.region))),
    ...user.prices,
  ];
  return new TableCatalog([...specs.values()], prices, `${builtinDescription} + --specs ${source.specsFile}`);
}

function definedFields<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}
