import { Ec2Error } from "./errors.js";
import type { Params } from "./params.js";
import type { ServedPrice } from "./spot-prices.js";
import { matchesValue, type World } from "./world.js";
import { el, isoTime, set, type XmlValue } from "./xml.js";

const FIELDS: Record<string, (p: ServedPrice) => string> = {
  "availability-zone": (p) => p.record.availabilityZone,
  "instance-type": (p) => p.record.instanceType,
  "product-description": (p) => p.record.productDescription,
  "spot-price": (p) => String(p.record.price),
  timestamp: (p) => isoTime(p.record.timeMs),
};

/**
 * DescribeSpotPriceHistory over the served trace: newest first, each series' last change before
 * StartTime included, nothing after now. The NextToken pins "now", so pages stay consistent while
 * a replayed trace keeps revealing prices.
 */
export function describeSpotPriceHistory(world: World, params: Params): XmlValue[] {
  const startMs = params.time("StartTime");
  const endMs = params.time("EndTime");
  if (startMs !== undefined && endMs !== undefined && startMs > endMs) {
    throw new Ec2Error("InvalidParameterValue", "The parameter StartTime must be before EndTime.");
  }
  const max = params.integer("MaxResults") ?? 1000;
  if (max < 5 || max > 1000) {
    throw new Ec2Error(
      "InvalidParameterValue",
      `Value ( ${max} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`,
    );
  }
  let offset = 0;
  let nowMs = world.now;
  const token = params.string("NextToken");
  if (token !== undefined && token !== "") {
    const m = /^(\d+):(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
    if (m === null) throw new Ec2Error("InvalidParameterValue", `Invalid NextToken '${token}'`);
    offset = Number(m[1]);
    nowMs = Number(m[2]);
  }
  const zone = params.string("AvailabilityZone");
  const types = params.strings("InstanceType");
  const products = params.strings("ProductDescription");
  let served = world.config.prices.query({
    startMs,
    endMs,
    nowMs,
    zones: zone === undefined ? undefined : [zone],
    types: types.length > 0 ? types : undefined,
    products: products.length > 0 ? products : undefined,
  });
  for (const f of params.members("Filter")) {
    const name = f.required("Name");
    const field = FIELDS[name];
    if (field === undefined) throw new Ec2Error("InvalidParameterValue", `The filter '${name}' is invalid`);
    const values = f.strings("Value");
    served = served.filter((p) => values.some((v) => matchesValue(v, field(p))));
  }
  if (offset > served.length) throw new Ec2Error("InvalidParameterValue", `Invalid NextToken '${token}'`);
  const page = served.slice(offset, offset + max);
  const next =
    offset + max < served.length ? Buffer.from(`${offset + max}:${nowMs}`).toString("base64url") : undefined;
  return [
    set("spotPriceHistorySet", page, ({ record: r }) => [
      el("instanceType", r.instanceType),
      el("productDescription", r.productDescription),
      el("spotPrice", r.price.toFixed(6)),
      el("timestamp", isoTime(r.timeMs)),
      el("availabilityZone", r.availabilityZone),
    ]),
    el("nextToken", next),
  ];
}
