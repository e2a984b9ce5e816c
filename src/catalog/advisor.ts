import { readFile } from "node:fs/promises";
import { InputFormatError, InputReadError } from "../errors.js";

/** The Spot Instance Advisor's view of one region and OS: how often each type is interrupted. */
export interface AdvisorHazards {
  readonly source: string;
  readonly region: string;
  readonly os: string;
  /** Bucket index (0..4) per instance type. */
  readonly bucketOfType: ReadonlyMap<string, number>;
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
