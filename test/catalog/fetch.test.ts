import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InstanceTypeInfo } from "../../src/catalog/describe-types.js";
import { fetchCatalog, fetchedColumns, type CatalogApi, type ProductQuery } from "../../src/catalog/fetch.js";

/** A GetProducts record of a shared-tenancy on-demand product in sa-east-1. */
const record = (
  sku: string,
  type: string,
  os: string,
  usd: string,
  attributes: Record<string, string> = {},
) =>
  JSON.stringify({
    product: {
      productFamily: "Compute Instance",
      attributes: {
        instanceType: type,
        operatingSystem: os,
        tenancy: "Shared",
        preInstalledSw: "NA",
        capacitystatus: "Used",
        regionCode: "sa-east-1",
        vcpu: "2",
        ...attributes,
      },
      sku,
    },
    serviceCode: "AmazonEC2",
    terms: {
      OnDemand: {
        [`${sku}.JRTCKXETXF`]: {
          priceDimensions: { d: { unit: "Hrs", pricePerUnit: { USD: usd } } },
          sku,
          effectiveDate: "2025-06-01T00:00:00Z",
        },
      },
    },
    version: "20250601",
    publicationDate: "2025-06-03T10:00:00Z",
  });

const products = [
  record("A", "c6g.large", "Linux", "0.1", { memory: "4 GiB", physicalProcessor: "AWS Graviton2 Processor" }),
  record("B", "m5.large", "Linux", "0.153", {
    memory: "8 GiB",
    ecu: "10",
    physicalProcessor: "Intel Xeon Platinum 8175",
  }),
  record("C", "m5.large", "Windows", "0.245", { memory: "8 GiB" }),
  record("D", "x1.large", "Linux", "0.0000000000", { memory: "8 GiB" }),
];
const described: InstanceTypeInfo[] = [
  {
    InstanceType: "c6g.large",
    VCpuInfo: { DefaultVCpus: 2 },
    MemoryInfo: { SizeInMiB: 4096 },
    ProcessorInfo: { SupportedArchitectures: ["arm64"], SustainedClockSpeedInGhz: 2.5, Manufacturer: "AWS" },
    Hypervisor: "nitro",
    NetworkInfo: { NetworkPerformance: "Up to 10 Gigabit" },
  },
  {
    InstanceType: "t9.large",
    VCpuInfo: { DefaultVCpus: 2 },
    MemoryInfo: { SizeInMiB: 16384 },
    ProcessorInfo: { SupportedArchitectures: ["x86_64"], Manufacturer: "AMD" },
  },
];

/** Serves `products` in pages of 3 and `described` in one page, recording the queries. */
function fakeApi(records: readonly string[]): CatalogApi & { queries: ProductQuery[] } {
  const queries: ProductQuery[] = [];
  return {
    queries,
    async *products(query) {
      queries.push(query);
      for (let i = 0; i < records.length; i += 3) yield records.slice(i, i + 3);
    },
    async *instanceTypes(types) {
      yield described.filter((info) => types === undefined || types.includes(info.InstanceType!));
    },
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hotspot-fetch-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("fetchCatalog", () => {
  it("asks for Linux shared on-demand products of the region, joins specs by type and writes a --specs CSV", async () => {
    const api = fakeApi(products);
    const out = join(dir, "specs.csv");
    const progress: unknown[] = [];
    const result = await fetchCatalog(api, { region: "sa-east-1", out, onProgress: (p) => progress.push(p) });
    expect(api.queries).toEqual([
      {
        match: {
          regionCode: "sa-east-1",
          operatingSystem: "Linux",
          tenancy: "Shared",
          preInstalledSw: "NA",
          capacitystatus: "Used",
        },
        instanceTypes: undefined,
        pageSize: 100,
      },
    ]);
    expect(result).toEqual({
      asOf: "2025-06-03",
      rows: 3,
      priced: 2,
      unpriced: ["t9.large"],
      undescribed: ["m5.large"],
      zeroPriced: ["x1.large"],
      unknown: [],
      records: 4,
    });
    expect(progress).toEqual([
      { records: 3, pages: 1, types: 0 },
      { records: 4, pages: 2, types: 0 },
      { records: 4, pages: 2, types: 2 },
    ]);
    expect((await readFile(out, "utf8")).split("\n")).toEqual([
      fetchedColumns.join(","),
      "c6g.large,2,4,,arm64,aws,graviton2,2.5,nitro,Up to 10 Gigabit,sa-east-1,0.1,2025-06-03",
      "m5.large,2,8,10,x86_64,intel,intel-skylake,,,,sa-east-1,0.153,2025-06-03",
      "t9.large,2,16,,x86_64,amd,,,,,,,",
      "",
    ]);
  });

  it("names requested types neither API knows", async () => {
    const result = await fetchCatalog(fakeApi(products), {
      region: "sa-east-1",
      instanceTypes: ["c6g.large", "nope.large"],
      out: join(dir, "two.csv"),
    });
    expect([result.rows, result.unknown]).toEqual([2, ["nope.large"]]);
  });

  it("refuses a region without products, saying what it asked for", async () => {
    await expect(
      fetchCatalog(fakeApi([]), { region: "xx-1", instanceTypes: ["m5.large"], out: join(dir, "none.csv") }),
    ).rejects.toThrow(
      "GetProducts: expected Linux on-demand products for regionCode xx-1 and types m5.large, found none (is the region code right?)",
    );
  });
});
