import { readFile } from "node:fs/promises";
import { InputFormatError, InputReadError } from "../../errors.js";
import type { Market } from "../../engine/types.js";
import { eraOf } from "../../traces/eras.js";

/** Seconds between an interruption notice and the reclamation (AWS's 2-minute warning). */
export const NOTICE_SECONDS = 120;

export type InterruptionModelName = "none" | "bid" | "advisor";

export const interruptionModels = {
  none: "no interruptions (the price is the only risk)",
  bid: "revoked when the spot price rises above the bid (legacy bidding market); notice first",
  advisor: "per-type hazard from the Spot Advisor frequency bucket (seeded capacity events per market)",
} as const satisfies Record<InterruptionModelName, string>;

/**
 * `auto` resolved for a window starting at `start`: the price is the revocation signal in the bidding
 * era (bid); since 2017-11-28 interruptions are capacity-driven and not in the price data (none).
 */
export function resolveInterruptionModel<Name extends InterruptionModelName>(
  name: Name | "auto",
  start: number,
): Name | "bid" | "none" {
  if (name !== "auto") return name;
  return eraOf(start) === "volatile" ? "bid" : "none";
}

/** Advisor bucket → monthly interruption frequency: the bucket's midpoint; ">20%" taken as 22.5%. */
export const advisorBucketFrequency = [0.025, 0.075, 0.125, 0.175, 0.225] as const;

const HOURS_PER_MONTH = 30 * 24;

/** Per-hour hazard λ of an instance for a monthly interruption frequency f: 1 − e^(−λ·month) = f. */
export function hazardPerHour(monthlyFrequency: number): number {
  return -Math.log(1 - monthlyFrequency) / HOURS_PER_MONTH;
}

export interface AdvisorHazards {
  readonly source: string;
  readonly region: string;
  readonly os: string;
  /** Bucket index (0..4) per instance type. */
  readonly bucketOfType: ReadonlyMap<string, number>;
}

export type InterruptionConfig =
  | { readonly kind: "none" }
  | { readonly kind: "bid"; readonly bidMultiple: number }
  | { readonly kind: "advisor"; readonly advisor: AdvisorHazards };

/** Per market id, the USD/hour above which a bid-model spot market is revoked (Infinity: never). */
export function bidsOf(markets: readonly Market[], interruptions: InterruptionConfig): Float64Array {
  const bids = new Float64Array(markets.length).fill(Infinity);
  if (interruptions.kind !== "bid") return bids;
  for (const market of markets) {
    if (market.lifecycle === "spot") bids[market.id] = interruptions.bidMultiple * market.onDemandUsd;
  }
  return bids;
}

/**
 * Reads the Spot Instance Advisor feed (spot-advisor-data.json as AWS publishes it:
 * `spot_advisor[region][os][type] = { s: savings %, r: bucket 0..4 }`) for one region and OS.
 */
export async function readAdvisorFile(path: string, region: string, os = "Linux"): Promise<AdvisorHazards> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new InputReadError(path, (error as Error).message, { cause: error });
  }
  return parseAdvisor(text, path, region, os);
}

export function parseAdvisor(text: string, path: string, region: string, os = "Linux"): AdvisorHazards {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new InputFormatError(path, "JSON (the Spot Advisor feed)", (error as Error).message, {
      cause: error,
    });
  }
  const advisor = (document as { spot_advisor?: unknown })?.spot_advisor;
  if (typeof advisor !== "object" || advisor === null) {
    throw new InputFormatError(path, 'an object with "spot_advisor"', "none");
  }
  const regions = advisor as Record<string, unknown>;
  const perOs = regions[region] as Record<string, unknown> | undefined;
  if (typeof perOs !== "object" || perOs === null) {
    throw new InputFormatError(
      path,
      `spot_advisor.${region}`,
      `regions ${Object.keys(regions).sort().join(", ")}`,
    );
  }
  const perType = perOs[os] as Record<string, unknown> | undefined;
  if (typeof perType !== "object" || perType === null) {
    throw new InputFormatError(path, `spot_advisor.${region}.${os}`, `${Object.keys(perOs).join(", ")}`);
  }
  const bucketOfType = new Map<string, number>();
  for (const [type, entry] of Object.entries(perType)) {
    const bucket = (entry as { r?: unknown })?.r;
    if (typeof bucket !== "number" || !Number.isInteger(bucket) || bucket < 0 || bucket > 4) {
      throw new InputFormatError(
        `${path}: spot_advisor.${region}.${os}.${type}`,
        '"r" a bucket 0..4',
        JSON.stringify(bucket),
      );
    }
    bucketOfType.set(type, bucket);
  }
  return { source: path, region, os, bucketOfType };
}
