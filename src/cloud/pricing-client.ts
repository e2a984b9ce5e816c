import {
  EC2Client,
  paginateDescribeInstanceTypes,
  type InstanceTypeInfo as SdkInstanceTypeInfo,
  type _InstanceType,
} from "@aws-sdk/client-ec2";
import { paginateGetProducts, PricingClient, type Filter } from "@aws-sdk/client-pricing";
import type { InstanceTypeInfo } from "../catalog/describe-types.js";
import type { CatalogApi, ProductQuery } from "../catalog/fetch.js";
import { toCloudApiError } from "./ec2-client.js";

/** The Price List Query API answers in these regions only; us-east-1 is the default. */
export const pricingRegions = ["us-east-1", "eu-central-1", "ap-south-1"] as const;
export type PricingRegion = (typeof pricingRegions)[number];

export interface CatalogClientOptions {
  /** The region whose prices and types are fetched (DescribeInstanceTypes runs there). */
  readonly region: string;
  readonly pricingRegion: PricingRegion;
  /** Another endpoint for both services, e.g. a local emulator (testing only). */
  readonly endpoint?: string;
  /** Separate Pricing endpoint, when the emulators listen apart. */
  readonly pricingEndpoint?: string;
}

/**
 * GetProducts (Price List Query API) and DescribeInstanceTypes through the AWS SDK, each with its
 * paginator; credentials come only from the SDK's default provider chain.
 */
export function createCatalogApi(options: CatalogClientOptions): CatalogApi {
  const pricing = new PricingClient({
    region: options.pricingRegion,
    endpoint: options.pricingEndpoint ?? options.endpoint,
  });
  const ec2 = new EC2Client({ region: options.region, endpoint: options.endpoint });
  return {
    async *products(query: ProductQuery) {
      const filters: Filter[] = Object.entries(query.match).map(([Field, Value]) => ({
        Type: "TERM_MATCH",
        Field,
        Value,
      }));
      if (query.instanceTypes !== undefined) {
        filters.push({ Type: "ANY_OF", Field: "instanceType", Value: query.instanceTypes.join(",") });
      }
      const pages = paginateGetProducts(
        { client: pricing, pageSize: query.pageSize },
        { ServiceCode: "AmazonEC2", FormatVersion: "aws_v1", Filters: filters },
      );
      const iterator = pages[Symbol.asyncIterator]();
      for (;;) {
        let next;
        try {
          next = await iterator.next();
        } catch (error) {
          throw await toCloudApiError(error, "GetProducts", options.pricingRegion);
        }
        if (next.done === true) return;
        yield (next.value.PriceList ?? []).map((record: unknown) => String(record));
      }
    },
    async *instanceTypes(types: readonly string[] | undefined) {
      // DescribeInstanceTypes takes at most 100 names per request.
      const batches: (readonly string[] | undefined)[] = [];
      if (types === undefined) batches.push(undefined);
      else for (let i = 0; i < types.length; i += 100) batches.push(types.slice(i, i + 100));
      for (const batch of batches) {
        const pages = paginateDescribeInstanceTypes(
          { client: ec2 },
          { InstanceTypes: batch as _InstanceType[] | undefined },
        );
        const iterator = pages[Symbol.asyncIterator]();
        for (;;) {
          let next;
          try {
            next = await iterator.next();
          } catch (error) {
            throw await toCloudApiError(error, "DescribeInstanceTypes", options.region, ec2);
          }
          if (next.done === true) break;
          yield (next.value.InstanceTypes ?? []).map((info: SdkInstanceTypeInfo) => info as InstanceTypeInfo);
        }
      }
    },
  };
}
