import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { BUILT_IN_INSTANCE_TYPES, startEmulator, type Emulator } from "../../src/cloud/local/index.js";
import {
  productsFromOfferFile,
  startPricingEmulator,
  type PricingEmulator,
} from "../../src/cloud/local/pricing.js";
import { createCatalogApi } from "../../src/cloud/pricing-client.js";
import { CloudApiError } from "../../src/errors.js";
import { awsTestEnvironment } from "../support/ec2-query-server.js";

const offerPath = fileURLToPath(new URL("../fixtures/catalog/offer-small.json", import.meta.url));

let pricing: PricingEmulator;
let ec2: Emulator;
beforeAll(async () => {
  for (const [name, value] of Object.entries(awsTestEnvironment("AKIAHOTSPOTCATALOG01", "catalog-secret"))) {
    vi.stubEnv(name, value);
  }
  pricing = await startPricingEmulator({
    products: productsFromOfferFile(JSON.parse(await readFile(offerPath, "utf8"))),
  });
  ec2 = await startEmulator({ region: "sa-east-1" });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await pricing.close();
  await ec2.close();
});

const api = () =>
  createCatalogApi({
    region: "sa-east-1",
    pricingRegion: "us-east-1",
    endpoint: ec2.endpoint,
    pricingEndpoint: pricing.endpoint,
  });

async function collect<T>(pages: AsyncIterable<readonly T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const page of pages) out.push([...page]);
  return out;
}

describe("createCatalogApi (real SDK against the local Pricing and EC2 emulators)", () => {
  it("pages GetProducts with TERM_MATCH for each field and ANY_OF for the instance types", async () => {
    const pages = await collect(
      api().products({
        match: { operatingSystem: "Linux", tenancy: "Shared" },
        instanceTypes: ["m5.large"],
        pageSize: 1,
      }),
    );
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) expect(page).toHaveLength(1);
    const products = pages.flat().map((text) => JSON.parse(text).product.attributes);
    expect(new Set(products.map((a) => a.instanceType))).toEqual(new Set(["m5.large"]));
    expect(new Set(products.map((a) => [a.operatingSystem, a.tenancy].join(" ")))).toEqual(
      new Set(["Linux Shared"]),
    );
  });

  it("asks DescribeInstanceTypes at most 100 names a request and yields every type", async () => {
    const names = BUILT_IN_INSTANCE_TYPES.slice(0, 150).map((t) => t.type);
    const before = ec2.state.requestCounts.get("DescribeInstanceTypes") ?? 0;
    const types = (await collect(api().instanceTypes(names))).flat();
    expect(types.map((t) => t.InstanceType).sort()).toEqual([...names].sort());
    // 150 names: a batch of 100 (one page of 100) and a batch of 50.
    expect((ec2.state.requestCounts.get("DescribeInstanceTypes") ?? 0) - before).toBe(2);
  });

  it("turns a failed DescribeInstanceTypes into a CloudApiError naming the operation and region", async () => {
    const error = await collect(api().instanceTypes(["zz.nothing"])).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CloudApiError);
    expect(error).toMatchObject({ apiCode: "InvalidInstanceType" });
    expect((error as Error).message).toContain(
      "DescribeInstanceTypes in sa-east-1 failed: InvalidInstanceType (HTTP 400",
    );
  });
});
