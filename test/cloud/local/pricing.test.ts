import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { GetProductsCommand, PricingClient } from "@aws-sdk/client-pricing";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  productsFromOfferFile,
  startPricingEmulator,
  type PricingEmulator,
} from "../../../src/cloud/local/pricing.js";
import { createCatalogApi } from "../../../src/cloud/pricing-client.js";
import { CloudApiError } from "../../../src/errors.js";
import { awsTestEnvironment } from "../../support/ec2-query-server.js";

const offerPath = fileURLToPath(new URL("../../fixtures/catalog/offer-small.json", import.meta.url));
const credentials = { accessKeyId: "AKIAHOTSPOTPRICING01", secretAccessKey: "pricing-secret" };

let emulator: PricingEmulator;
let client: PricingClient;

beforeAll(async () => {
  const offer = JSON.parse(await readFile(offerPath, "utf8"));
  emulator = await startPricingEmulator({ products: productsFromOfferFile(offer) });
  client = new PricingClient({ region: "us-east-1", endpoint: emulator.endpoint, credentials });
});

afterEach(() => vi.unstubAllEnvs());

afterAll(async () => {
  client.destroy();
  await emulator.close();
});

describe("Price List Query API emulator (JSON 1.1, real SDK)", () => {
  it("answers GetProducts with one JSON string per product, filtered and paged", async () => {
    const first = await client.send(
      new GetProductsCommand({
        ServiceCode: "AmazonEC2",
        FormatVersion: "aws_v1",
        MaxResults: 2,
        Filters: [
          { Type: "TERM_MATCH", Field: "operatingSystem", Value: "Linux" },
          { Type: "TERM_MATCH", Field: "tenancy", Value: "Shared" },
          { Type: "NONE_OF", Field: "preInstalledSw", Value: "SQL Web" },
        ],
      }),
    );
    // Three types x (Linux shared NA Used, Linux shared NA reservation): 6 products, 2 per page.
    expect(first.FormatVersion).toBe("aws_v1");
    expect(first.PriceList).toHaveLength(2);
    expect(first.NextToken).toBe("2");
    const record = JSON.parse(String(first.PriceList?.[0]));
    expect(Object.keys(record).sort()).toEqual([
      "product",
      "publicationDate",
      "serviceCode",
      "terms",
      "version",
    ]);
    expect(record.product.attributes.operatingSystem).toBe("Linux");
    expect(Object.keys(record.terms)).toEqual(["OnDemand"]);
    const last = await client.send(
      new GetProductsCommand({
        ServiceCode: "AmazonEC2",
        MaxResults: 5,
        NextToken: "2",
        Filters: [
          { Type: "TERM_MATCH", Field: "operatingSystem", Value: "Linux" },
          { Type: "TERM_MATCH", Field: "tenancy", Value: "Shared" },
          { Type: "NONE_OF", Field: "preInstalledSw", Value: "SQL Web" },
        ],
      }),
    );
    expect([last.PriceList?.length, last.NextToken]).toEqual([4, undefined]);
  });

  it("returns JSON 1.1 errors the SDK raises by name, and the catalog API turns into CloudApiError", async () => {
    await expect(
      client.send(
        new GetProductsCommand({
          ServiceCode: "AmazonEC2",
          Filters: [{ Type: "SOME_OF" as "ANY_OF", Field: "x", Value: "y" }],
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterException", message: "Unknown filter type: SOME_OF" });
    for (const [name, value] of Object.entries(awsTestEnvironment("AKIAHOTSPOTPRICING02", "chain-secret"))) {
      vi.stubEnv(name, value);
    }
    const api = createCatalogApi({
      region: "sa-east-1",
      pricingRegion: "us-east-1",
      pricingEndpoint: emulator.endpoint,
    });
    const pages = api.products({ match: {}, pageSize: 101 })[Symbol.asyncIterator]();
    const error = await pages.next().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CloudApiError);
    expect((error as Error).message).toContain(
      "GetProducts in us-east-1 failed: InvalidParameterException (HTTP 400",
    );
  });
});
