import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createCatalog } from "../../src/catalog/catalog.js";
import { parseDescribeInstanceTypes } from "../../src/catalog/describe-types.js";
import { priceListFromRecords, readPriceListFile } from "../../src/catalog/price-list.js";
import { resolveTypes } from "../../src/catalog/work-unit.js";
import { InputFormatError } from "../../src/errors.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/catalog/${name}`, import.meta.url));
const at = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;

async function errorOf(path: string): Promise<string> {
  try {
    await readPriceListFile(path);
  } catch (error) {
    expect(error).toBeInstanceOf(InputFormatError);
    return (error as Error).message;
  }
  return "no error";
}

describe("AWS price list files", () => {
  for (const form of ["json", "csv"]) {
    it(`reads the Linux shared-tenancy on-demand price of each type from the ${form} layout`, async () => {
      const list = await readPriceListFile(fixture(`offer-small.${form}`));
      expect(list.asOf).toBe("2020-06-01");
      // Three types, five products each (Linux, Windows, dedicated, SQL Web, reservation), and a transfer product.
      expect([list.products, list.filteredOut]).toEqual([16, 13]);
      expect(list.entries.map((e) => [e.type, e.region, e.usdPerHour])).toEqual([
        ["c1.medium", "sa-east-1", 0.179],
        ["m5.large", "sa-east-1", 0.153],
        ["t3.medium", "sa-east-1", 0.0672],
      ]);
      expect(list.entries[1].spec).toEqual({
        vcpu: 2,
        memoryGiB: 8,
        ecu: 10,
        architecture: "x86_64",
        cpuVendor: "intel",
        processor: "Intel Xeon Platinum 8175",
        clockGhz: 3.1,
        network: "Up to 10 Gigabit",
      });
      expect(list.entries[2].spec.ecu).toBeNull();
    });
  }

  it("names file:line, product and type for each class of malformed list, JSON and CSV", async () => {
    const m5 = "7037A678010B2A53";
    expect(await errorOf(fixture("malformed/missing-term.json"))).toBe(
      `${fixture("malformed/missing-term.json")}:8: expected an OnDemand term for product ${m5} (m5.large, Linux, shared tenancy), found none`,
    );
    expect(await errorOf(fixture("malformed/missing-term.csv"))).toBe(
      `${fixture("malformed/missing-term.csv")}:7: expected an OnDemand term for product ${m5} (m5.large, Linux, shared tenancy), found none`,
    );
    expect(await errorOf(fixture("malformed/non-numeric-price.json"))).toBe(
      `${fixture("malformed/non-numeric-price.json")}:571: expected a USD price per hour in the on-demand term of product 4C40BBDC78E0FBAB (c1.medium), found "0.179 USD"`,
    );
    expect(await errorOf(fixture("malformed/non-numeric-price.csv"))).toBe(
      `${fixture("malformed/non-numeric-price.csv")}:17: expected a USD price per hour in the on-demand term of product 4C40BBDC78E0FBAB (c1.medium), found "n/a"`,
    );
    expect(await errorOf(fixture("malformed/unknown-unit.json"))).toBe(
      `${fixture("malformed/unknown-unit.json")}:676: expected the unit Hrs in the on-demand term of product 8672C9EB39E24DB0 (t3.medium), found "Quantity"`,
    );
    expect(await errorOf(fixture("malformed/unknown-unit.csv"))).toBe(
      `${fixture("malformed/unknown-unit.csv")}:27: expected the unit Hrs in the on-demand term of product 8672C9EB39E24DB0 (t3.medium), found "Quantity"`,
    );
    for (const form of ["json", "csv"]) {
      const path = fixture(`malformed/no-instance-type.${form}`);
      expect(await errorOf(path)).toBe(
        `${path}:${form === "json" ? 8 : 7}: expected an instanceType attribute for compute product ${m5}, found none`,
      );
    }
  });

  it("refuses an empty file, one without a publication date, and another service's list", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hotspot-prices-"));
    const path = join(dir, "p.json");
    await writeFile(path, "");
    expect(await errorOf(path)).toBe(
      `${path}:1: expected an AmazonEC2 price list (JSON or CSV), found an empty file`,
    );
    await writeFile(path, '{"offerCode":"AmazonEC2","products":{},"terms":{}}');
    expect(await errorOf(path)).toBe(
      `${path}: expected a publicationDate (the price list's as-of date), found none`,
    );
    await writeFile(path, '{\n"offerCode": "AmazonS3"}');
    expect(await errorOf(path)).toBe(`${path}:2: expected offerCode AmazonEC2, found "AmazonS3"`);
  });

  it("reads GetProducts records (product, terms, publicationDate as one JSON string each)", () => {
    const record = (sku: string, type: string, os: string, usd: string) =>
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
            memory: "4 GiB",
            physicalProcessor: "AWS Graviton2 Processor",
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
    const list = priceListFromRecords(
      [record("A", "c6g.large", "Linux", "0.1"), record("B", "c6g.large", "Windows", "0.2")],
      "GetProducts",
    );
    expect(list.asOf).toBe("2025-06-03");
    expect(list.entries.map((e) => [e.type, e.usdPerHour, e.spec.architecture, e.spec.cpuVendor])).toEqual([
      ["c6g.large", 0.1, "arm64", "aws"],
    ]);
    const block = JSON.parse(record("C", "c6g.large", "Linux", "0.5"));
    block.product.attributes.marketoption = "CapacityBlock";
    const withBlock = priceListFromRecords(
      [record("A", "c6g.large", "Linux", "0.1"), JSON.stringify(block)],
      "GetProducts",
    );
    expect([withBlock.filteredOut, withBlock.entries.map((e) => e.usdPerHour)]).toEqual([1, [0.1]]);
    expect(() => priceListFromRecords([record("A", "c6g.large", "Linux", "free")], "GetProducts")).toThrow(
      'GetProducts: record 1: expected a USD price per hour in the on-demand term of product A (c6g.large), found "free"',
    );
  });
});

describe("catalog with a price list", () => {
  it("prices the 31 types of the sa-east-1 2020 fixture, keeping older snapshots and giving each field's source", async () => {
    const prices = fixture("sa-east-1-2020/price-list.json");
    const specs = fixture("sa-east-1-2020/describe-instance-types.json");
    const catalog = await createCatalog({ pricesFile: prices, specsFile: specs });
    const types = parseDescribeInstanceTypes(
      await import("node:fs/promises").then((fs) => fs.readFile(specs, "utf8")),
      specs,
    ).map((t) => t.type);
    expect(types).toHaveLength(31);
    const resolution = resolveTypes(catalog, types, {
      region: "sa-east-1",
      at: at("2020-06-11"),
      unit: "auto",
      skipUnknownTypes: false,
    });
    expect(resolution.unit).toBe("vcpu");
    expect(resolution.skipped).toEqual([]);
    expect(resolution.types.get("m5.large")?.onDemand).toEqual({
      type: "m5.large",
      region: "sa-east-1",
      usdPerHour: 0.153,
      asOf: "2020-06-01",
    });
    // The price list joins the built-in snapshots: a run in 2018 still gets the 2017 one.
    expect(resolution.types.get("r3.large")?.onDemand).toMatchObject({
      usdPerHour: 0.35,
      asOf: "2020-06-01",
    });
    expect(catalog.onDemand("r3.large", "sa-east-1", at("2018-01-01"))?.asOf).toBe("2017-11-12");
    expect(catalog.spec("m5.large")).toMatchObject({ ecu: 10, cpuClass: "intel-skylake" });
    expect(catalog.sources("m5.large")).toEqual({
      vcpu: `describe-instance-types ${specs}`,
      memoryGiB: `describe-instance-types ${specs}`,
      ecu: `price list ${prices}`,
      architecture: `describe-instance-types ${specs}`,
      cpuVendor: `describe-instance-types ${specs}`,
      cpuClass: "built-in",
    });
    expect(catalog.snapshots("m5.large").map((s) => [s.region, s.asOf, s.usdPerHour, s.source])).toEqual([
      ["sa-east-1", "2020-06-01", 0.153, `price list ${prices} (as of 2020-06-01)`],
      ["us-east-1", "2025-06-01", 0.096, "built-in snapshot 2025-06-01"],
    ]);
    const withEcu = resolveTypes(catalog, ["m5.large", "c5.large"], {
      region: "sa-east-1",
      at: at("2020-06-11"),
      unit: "auto",
      skipUnknownTypes: false,
    });
    expect([withEcu.unit, withEcu.types.get("c5.large")?.work]).toEqual(["ecu", 9]);
  });
});
