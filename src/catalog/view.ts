import type { TableCatalog } from "./catalog.js";
import type { InstanceSpec } from "./types.js";
import { workOf, workUnits } from "./work-unit.js";

/** One type as `hotspot catalog list/show` shows it: each field's source, its prices, work and gaps. */
export interface TypeView {
  readonly type: string;
  readonly spec: InstanceSpec;
  readonly sources: Record<string, string>;
  readonly onDemand: { usdPerHour: number; asOf: string; source: string } | null;
  readonly snapshots: readonly { region: string; asOf: string; usdPerHour: number; source: string }[];
  readonly work: Record<string, number | null>;
  readonly gaps: readonly string[];
}

/** `type`'s view with the on-demand price of `region` in force at `at` (epoch seconds); undefined: not in the catalog. */
export function typeView(
  catalog: TableCatalog,
  type: string,
  region: string,
  at: number,
): TypeView | undefined {
  const spec = catalog.spec(type);
  if (spec === undefined) return undefined;
  const snapshots = catalog.snapshots(type);
  const price = catalog.onDemand(type, region, at);
  const chosen =
    price === undefined ? undefined : snapshots.find((s) => s.region === region && s.asOf === price.asOf);
  const gaps = [
    ...(price === undefined ? [`no ${region} on-demand price`] : []),
    ...(spec.ecu === null ? ["no ECU (work unit vCPU or score)"] : []),
    ...(spec.cpuClass === null ? ["no CPU class"] : []),
  ];
  return {
    type,
    spec,
    sources: { ...catalog.sources(type) },
    onDemand:
      chosen === undefined
        ? null
        : { usdPerHour: chosen.usdPerHour, asOf: chosen.asOf, source: chosen.source },
    snapshots: snapshots.map(({ region: r, asOf, usdPerHour, source }) => ({
      region: r,
      asOf,
      usdPerHour,
      source,
    })),
    work: Object.fromEntries(
      Object.keys(workUnits).map((unit) => [unit, workOf(spec, unit as keyof typeof workUnits) ?? null]),
    ),
    gaps,
  };
}
