import { InputFormatError } from "../errors.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { knownCpu } from "./cpu.js";
import { describedType, type DescribedType, type InstanceTypeInfo } from "./describe-types.js";
import { PriceListBuilder, readQueryRecord, type PriceList } from "./price-list.js";
import { specsCsvColumns } from "./specs-csv.js";

/** A GetProducts query: TERM_MATCH on each attribute of `match`, and ANY_OF the instance types. */
export interface ProductQuery {
  readonly match: Readonly<Record<string, string>>;
  readonly instanceTypes?: readonly string[];
  readonly pageSize?: number;
}

/** What `catalog fetch` needs from AWS, kept narrow so the emulators (or a test) can stand in. */
export interface CatalogApi {
  /** Pages of GetProducts PriceList records (JSON strings). */
  products(query: ProductQuery): AsyncIterable<readonly string[]>;
  /** Pages of DescribeInstanceTypes results, all types when `types` is undefined. */
  instanceTypes(types: readonly string[] | undefined): AsyncIterable<readonly InstanceTypeInfo[]>;
}

export interface FetchCatalogOptions {
  readonly region: string;
  readonly instanceTypes?: readonly string[];
  readonly out: string;
  readonly onProgress?: (progress: { records: number; pages: number; types: number }) => void;
}

export interface FetchCatalogResult {
  readonly asOf: string;
  /** Rows written: one per type, with a price where the region sells it. */
  readonly rows: number;
  readonly priced: number;
  /** Types DescribeInstanceTypes lists that have no Linux on-demand price in the region. */
  readonly unpriced: readonly string[];
  /** Types with a price whose specs DescribeInstanceTypes did not give (taken from the price list). */
  readonly undescribed: readonly string[];
  /** Types AWS lists at $0 (not sold), left out. */
  readonly zeroPriced: readonly string[];
  /** Requested types neither API knows. */
  readonly unknown: readonly string[];
  readonly records: number;
}

/** The columns `catalog fetch` writes: the `--specs` CSV format but `score` (a user's own benchmark; AWS has none). */
export const fetchedColumns = specsCsvColumns.filter((column) => column !== "score");

/**
 * Fetches Linux on-demand prices (GetProducts: Linux, shared tenancy, no pre-installed software,
 * capacity status Used) and specs (DescribeInstanceTypes) of `region`, joins them by type and
 * writes them atomically as a `--specs` CSV with the price list's publication date as `as_of`.
 */
export async function fetchCatalog(
  api: CatalogApi,
  options: FetchCatalogOptions,
): Promise<FetchCatalogResult> {
  const builder = new PriceListBuilder("GetProducts");
  let records = 0;
  let pages = 0;
  const described = new Map<string, DescribedType>();
  const report = () => options.onProgress?.({ records, pages, types: described.size });
  const query: ProductQuery = {
    match: {
      regionCode: options.region,
      operatingSystem: "Linux",
      tenancy: "Shared",
      preInstalledSw: "NA",
      capacitystatus: "Used",
    },
    instanceTypes: options.instanceTypes,
    pageSize: 100,
  };
  for await (const page of api.products(query)) {
    pages++;
    for (const record of page)
      readQueryRecord(builder, record, `GetProducts page ${pages} record ${++records}`);
    report();
  }
  if (records === 0) {
    throw new InputFormatError(
      "GetProducts",
      `Linux on-demand products for regionCode ${options.region}${options.instanceTypes === undefined ? "" : ` and types ${options.instanceTypes.join(", ")}`}`,
      "none (is the region code right?)",
    );
  }
  const list: PriceList = builder.finish();
  let index = 0;
  for await (const page of api.instanceTypes(options.instanceTypes)) {
    for (const info of page) {
      const type = describedType(info, `DescribeInstanceTypes record ${++index}`);
      described.set(type.type, type);
    }
    report();
  }
  const entries = list.entries.filter((entry) => entry.region === options.region);
  const priced = new Map(entries.map((entry) => [entry.type, entry]));
  const types = [...new Set([...priced.keys(), ...described.keys()])].sort();
  const lines = [fetchedColumns.join(",")];
  for (const type of types) {
    const entry = priced.get(type);
    const spec = described.get(type);
    const vcpu = spec?.vcpu ?? entry?.spec.vcpu;
    const memory = spec?.memoryGiB ?? entry?.spec.memoryGiB;
    const ecu = entry?.spec.ecu;
    const cells = [
      type,
      vcpu === undefined ? "" : String(vcpu),
      memory === undefined ? "" : String(memory),
      ecu === undefined ? "" : ecu === null ? "variable" : String(ecu),
      spec?.architecture ?? entry?.spec.architecture ?? "",
      spec?.cpuVendor ?? entry?.spec.cpuVendor ?? "",
      knownCpu(type)?.cpuClass ?? "",
      String(spec?.clockGhz ?? entry?.spec.clockGhz ?? ""),
      spec?.hypervisor ?? "",
      spec?.network ?? entry?.spec.network ?? "",
      entry === undefined ? "" : options.region,
      entry === undefined ? "" : String(entry.usdPerHour),
      entry === undefined ? "" : list.asOf,
    ];
    lines.push(cells.map(csvCell).join(","));
  }
  await writeFileAtomic(options.out, [`${lines.join("\n")}\n`]);
  const requested = options.instanceTypes ?? [];
  return {
    asOf: list.asOf,
    rows: types.length,
    priced: priced.size,
    unpriced: types.filter((type) => !priced.has(type)),
    undescribed: types.filter((type) => !described.has(type)),
    zeroPriced: list.zeroPriced,
    unknown: requested.filter((type) => !priced.has(type) && !described.has(type)),
    records,
  };
}

function csvCell(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
