import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for the Price List Query API (service AWSPriceListService, JSON 1.1 protocol:
 * `POST /` with `X-Amz-Target: AWSPriceListService.<Operation>` and an
 * `application/x-amz-json-1.1` body). It answers GetProducts over a fixed set of products with
 * TERM_MATCH, EQUALS, ANY_OF and NONE_OF filters and NextToken paging, as the real service does;
 * each PriceList entry is one product's JSON (product, serviceCode, terms, version, publicationDate).
 */

/** One product as GetProducts returns it (before being serialised into a PriceList string). */
export interface PricingProduct {
  readonly product: {
    readonly productFamily?: string;
    readonly attributes: Readonly<Record<string, string>>;
    readonly sku: string;
  };
  readonly serviceCode: string;
  readonly terms: Readonly<Record<string, unknown>>;
  readonly version: string;
  readonly publicationDate: string;
}

export interface PricingEmulatorOptions {
  readonly products: readonly PricingProduct[];
  /** Page size when the request gives no MaxResults (the service's default is 100). */
  readonly defaultPageSize?: number;
  /** At most this many records per page whatever MaxResults asks, as the service may return fewer. */
  readonly maxPageSize?: number;
  readonly host?: string;
  readonly port?: number;
}

export interface PricingEmulator {
  readonly endpoint: string;
  /** GetProducts requests served, for assertions. */
  readonly requests: readonly { readonly filters: readonly PricingFilter[]; readonly nextToken?: string }[];
  close(): Promise<void>;
}

export interface PricingFilter {
  readonly Type: string;
  readonly Field: string;
  readonly Value: string;
}

class PricingFault extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** The products of an AmazonEC2 offer file (`{products, terms: {OnDemand}}`) in GetProducts form. */
export function productsFromOfferFile(offer: {
  readonly products: Readonly<Record<string, PricingProduct["product"]>>;
  readonly terms: { readonly OnDemand?: Readonly<Record<string, unknown>> };
  readonly version: string;
  readonly publicationDate: string;
}): PricingProduct[] {
  return Object.values(offer.products).map((product) => ({
    product,
    serviceCode: "AmazonEC2",
    terms: { OnDemand: offer.terms.OnDemand?.[product.sku] ?? {} },
    version: offer.version,
    publicationDate: offer.publicationDate,
  }));
}

function matches(product: PricingProduct, filter: PricingFilter): boolean {
  const value =
    filter.Field === "ServiceCode" ? product.serviceCode : product.product.attributes[filter.Field];
  switch (filter.Type) {
    case "TERM_MATCH":
    case "EQUALS":
      return value !== undefined && value.toLowerCase() === filter.Value.toLowerCase();
    case "CONTAINS":
      return value !== undefined && value.toLowerCase().includes(filter.Value.toLowerCase());
    case "ANY_OF":
      return value !== undefined && filter.Value.split(",").some((v) => v.trim() === value);
    case "NONE_OF":
      return value === undefined || !filter.Value.split(",").some((v) => v.trim() === value);
    default:
      throw new PricingFault("InvalidParameterException", `Unknown filter type: ${filter.Type}`);
  }
}

function getProducts(
  options: PricingEmulatorOptions,
  body: Record<string, unknown>,
  log: { filters: readonly PricingFilter[]; nextToken?: string }[],
): Record<string, unknown> {
  if (typeof body.ServiceCode !== "string") {
    throw new PricingFault("InvalidParameterException", "ServiceCode is required");
  }
  const filters = (Array.isArray(body.Filters) ? body.Filters : []) as PricingFilter[];
  for (const filter of filters) {
    if (typeof filter?.Field !== "string" || typeof filter?.Value !== "string") {
      throw new PricingFault("InvalidParameterException", "Each filter needs Type, Field and Value");
    }
  }
  const nextToken = typeof body.NextToken === "string" ? body.NextToken : undefined;
  log.push({ filters, ...(nextToken === undefined ? {} : { nextToken }) });
  const start = nextToken === undefined ? 0 : Number.parseInt(nextToken, 36);
  if (!Number.isInteger(start) || start < 0)
    throw new PricingFault("InvalidNextTokenException", "Invalid NextToken");
  const size = typeof body.MaxResults === "number" ? body.MaxResults : (options.defaultPageSize ?? 100);
  if (!Number.isInteger(size) || size < 1 || size > 100) {
    throw new PricingFault("InvalidParameterException", "MaxResults must be between 1 and 100");
  }
  const selected = options.products.filter(
    (product) =>
      product.serviceCode === body.ServiceCode && filters.every((filter) => matches(product, filter)),
  );
  const served = Math.min(size, options.maxPageSize ?? size);
  const page = selected.slice(start, start + served);
  const next = start + served < selected.length ? (start + served).toString(36) : undefined;
  return {
    FormatVersion: "aws_v1",
    PriceList: page.map((product) => JSON.stringify(product)),
    ...(next === undefined ? {} : { NextToken: next }),
  };
}

export async function startPricingEmulator(options: PricingEmulatorOptions): Promise<PricingEmulator> {
  const requests: { filters: readonly PricingFilter[]; nextToken?: string }[] = [];
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const target = String(request.headers["x-amz-target"] ?? "");
      let status = 200;
      let payload: Record<string, unknown>;
      try {
        if (request.method !== "POST" || !target.startsWith("AWSPriceListService.")) {
          throw new PricingFault("UnknownOperationException", `Unknown operation ${target}`);
        }
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
        if (target !== "AWSPriceListService.GetProducts") {
          throw new PricingFault("UnknownOperationException", `Unsupported operation ${target}`);
        }
        payload = getProducts(options, body, requests);
      } catch (error) {
        status = 400;
        const fault =
          error instanceof PricingFault ? error : new PricingFault("SerializationException", String(error));
        payload = { __type: fault.type, message: fault.message };
        response.setHeader("x-amzn-ErrorType", fault.type);
      }
      response.setHeader("content-type", "application/x-amz-json-1.1");
      response.setHeader("x-amzn-RequestId", `pricing-${requests.length}`);
      response.statusCode = status;
      response.end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve),
  );
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://${address.address}:${address.port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
