import { readFile } from "node:fs/promises";
import { InputFormatError, InputReadError } from "../errors.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { version } from "../version.js";
import type { SweepConfig } from "./config.js";
import type { ItemResult, PolicyOutcome } from "./item.js";
import { expandGrid, type SettingValue } from "./settings.js";
import type { Shard } from "./shard.js";
import {
  intervalSeed,
  pairedComparison,
  summarize,
  type MetricStats,
  type PairedComparison,
} from "./stats.js";

/** Identifies the document kind and layout; bump `SWEEP_VERSION` on any incompatible change. */
export const SWEEP_SCHEMA = "hotspot.sweep-results";
export const SWEEP_VERSION = 2;

/** The metrics summarised per (grid point, policy) over the windows. */
export const summarizedMetrics = [
  "costUsd",
  "percentOfOnDemand",
  "usdPerEcuHour",
  "migrationsPerZoneDay",
  "downtimeSecondsPerZoneDay",
  "gapToOptimal",
] as const satisfies readonly (keyof PolicyOutcome)[];

export type SummarizedMetric = (typeof summarizedMetrics)[number];

export interface PolicySummary {
  readonly policy: string;
  readonly metrics: Readonly<Record<SummarizedMetric, MetricStats>>;
}

export interface PointSummary {
  readonly point: number;
  /** The varied settings of this point (the rest are `config.base`). */
  readonly varied: Readonly<Record<string, SettingValue>>;
  /** Windows of this point that are in the document. */
  readonly windows: number;
  readonly policies: readonly PolicySummary[];
  /** Each other policy against `config.baseline` on this point's windows; empty without a baseline. */
  readonly comparisons: readonly PairedComparison[];
}

export interface SweepDocument {
  readonly schema: typeof SWEEP_SCHEMA;
  readonly version: typeof SWEEP_VERSION;
  readonly tool: { readonly name: "hotspot"; readonly version: string };
  readonly configHash: string;
  readonly config: SweepConfig;
  /** The slice this document holds, or null for the whole sweep (also after `hotspot merge`). */
  readonly shard: Shard | null;
  /** True when every item of the shard (or sweep) is in `items`. */
  readonly complete: boolean;
  /** Sorted by index. */
  readonly items: readonly ItemResult[];
  /** Statistics over the items present, per grid point and policy. */
  readonly points: readonly PointSummary[];
}

function pointSummaries(config: SweepConfig, items: readonly ItemResult[]): PointSummary[] {
  return expandGrid(config.base, config.vary).map((point) => {
    const mine = items.filter((item) => item.point === point.index);
    return {
      point: point.index,
      varied: point.varied,
      windows: mine.length,
      policies: config.policies.map(({ name }) => {
        const outcomes = outcomesOf(mine, name);
        const metrics = Object.fromEntries(
          summarizedMetrics.map((metric) => [
            metric,
            summarize(
              outcomes.map((outcome) => outcome[metric]),
              intervalSeed(config.seed, point.index, name, metric),
            ),
          ]),
        ) as Record<SummarizedMetric, MetricStats>;
        return { policy: name, metrics };
      }),
      comparisons: comparisons(config, point.index, mine),
    };
  });
}

function outcomesOf(items: readonly ItemResult[], policy: string): PolicyOutcome[] {
  return items.map((item) => item.outcomes.find((outcome) => outcome.policy === policy)!);
}

/** Paired savings in $ per unit of work delivered (runs deliver different work: lost work, downtime). */
function comparisons(config: SweepConfig, point: number, items: readonly ItemResult[]): PairedComparison[] {
  const baseline = config.baseline;
  if (baseline === null) return [];
  const base = outcomesOf(items, baseline).map((outcome) => outcome.usdPerEcuHour);
  return config.policies
    .filter(({ name }) => name !== baseline)
    .map(({ name }) =>
      pairedComparison(
        { policy: name, baseline },
        outcomesOf(items, name).map((outcome) => outcome.usdPerEcuHour),
        base,
        intervalSeed(config.seed, point, name, "paired", baseline),
      ),
    );
}

/** The document of the items finished so far; the same items give the same document in any order. */
export function buildSweepDocument(input: {
  readonly config: SweepConfig;
  readonly configHash: string;
  readonly shard: Shard | null;
  readonly expected: number;
  readonly items: Iterable<ItemResult>;
}): SweepDocument {
  const items = [...input.items].sort((a, b) => a.index - b.index);
  return {
    schema: SWEEP_SCHEMA,
    version: SWEEP_VERSION,
    tool: { name: "hotspot", version },
    configHash: input.configHash,
    config: input.config,
    shard: input.shard,
    complete: items.length === input.expected,
    items,
    points: pointSummaries(input.config, items),
  };
}

export function serializeSweep(document: SweepDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

export async function writeSweep(path: string, document: SweepDocument): Promise<void> {
  await writeFileAtomic(path, [serializeSweep(document)]);
}

/** Reads a sweep results document, checking its kind and version. */
export async function readSweep(path: string): Promise<SweepDocument> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new InputReadError(path, (error as Error).message, { cause: error });
  }
  let document: Partial<SweepDocument>;
  try {
    document = JSON.parse(text) as Partial<SweepDocument>;
  } catch (error) {
    throw new InputFormatError(path, "a JSON sweep results document", (error as Error).message, {
      cause: error,
    });
  }
  if (document?.schema !== SWEEP_SCHEMA || document.version !== SWEEP_VERSION) {
    throw new InputFormatError(
      path,
      `schema ${SWEEP_SCHEMA} version ${SWEEP_VERSION}`,
      `schema ${JSON.stringify(document?.schema)} version ${JSON.stringify(document?.version)}`,
    );
  }
  if (
    !Array.isArray(document.items) ||
    typeof document.configHash !== "string" ||
    document.config === undefined
  ) {
    throw new InputFormatError(path, "configHash, config and items", "a document missing some of them");
  }
  return document as SweepDocument;
}
