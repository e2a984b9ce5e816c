import type { Catalog, WorkUnit } from "../../../catalog/types.js";
import { resolveTypes, type CatalogResolution } from "../../../catalog/work-unit.js";
import type { Ec2Api } from "../../../cloud/ec2-client.js";
import type { Lifecycle, Market } from "../../../engine/types.js";
import type { LiveConfig } from "../../../setup/config.js";
import { catalogMarket } from "../../sim/markets.js";
import type { Clock } from "../../../util/clock.js";
import { PricePoller } from "./price-poller.js";

/** The config's candidate types as the catalog prices them at `at`, and a price poller for them. */
export function zonePricePoller(input: {
  readonly config: LiveConfig;
  readonly catalog: Catalog;
  readonly workUnit: WorkUnit;
  readonly skipUnknownTypes: boolean;
  readonly at: number;
  readonly ec2: Ec2Api;
  readonly windowSeconds: number;
  readonly clock: Pick<Clock, "now">;
}): { readonly resolution: CatalogResolution; readonly poller: PricePoller } {
  const { config } = input;
  const resolution = resolveTypes(input.catalog, config.instanceTypes, {
    region: config.region,
    at: input.at,
    unit: input.workUnit,
    skipUnknownTypes: input.skipUnknownTypes,
  });
  const poller = new PricePoller({
    ec2: input.ec2,
    zone: config.zone,
    instanceTypes: [...resolution.types.keys()],
    windowSeconds: input.windowSeconds,
    clock: input.clock,
  });
  return { resolution, poller };
}

/**
 * The zone's markets from the candidate types (those `allowed`: the CPU-compatibility rule): a spot market per type EC2 reported a price for, then
 * an on-demand market per type the catalog prices, each sorted by type (the sim driver's order).
 */
export function liveMarkets(
  zone: string,
  resolution: CatalogResolution,
  spotPriced: (type: string) => boolean,
  allowed: (type: string) => boolean = () => true,
): Market[] {
  const types = [...resolution.types.keys()].filter(allowed).sort();
  const markets: Market[] = [];
  const add = (type: string, lifecycle: Lifecycle) =>
    markets.push(catalogMarket(markets.length, zone, type, lifecycle, resolution));
  for (const type of types) if (spotPriced(type)) add(type, "spot");
  for (const type of types) add(type, "on-demand");
  return markets;
}
