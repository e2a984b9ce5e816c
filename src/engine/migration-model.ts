import type { Lifecycle, MigrationEstimate } from "./types.js";
import type { Random } from "../util/random.js";

/**
 * The migration timeline model: how long each step of a hop takes. Defaults are the HotSpot paper's
 * measurements (SoCC 2017). The sim driver times its commands with it; the engine's estimates for
 * policies, and the offline optimum's DP, use `meanHopSteps` so every policy sees one cost model.
 */

/** A step's duration in seconds: its range and its mean. */
export interface DurationRange {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
}

/** How the checkpoint travels: memory-to-memory over the network, or written to and read from EBS. */
export type TransferMedium = "network" | "ebs";

export interface MigrationModelConfig {
  /** Spot request until running (paper: 31–167 s, mean 67); the container keeps running. */
  readonly acquireSpot: DurationRange;
  /** On-demand request until running (paper: 16–31 s, mean 28). */
  readonly acquireOnDemand: DurationRange;
  /** Freeze and dump the container (criu dump); downtime starts here. */
  readonly checkpoint: DurationRange;
  readonly transfer: TransferMedium;
  /** Memory-to-memory bandwidth, Gbit/s (paper: 10). */
  readonly networkGbitPerSecond: number;
  /** Checkpoint via EBS, GiB/s (paper: ~200 s for 32 GB, i.e. 0.16 GiB/s). */
  readonly ebsGiBPerSecond: number;
  /** Detach and re-attach EBS volume and ENI (paper: 18–48 s, mean 28). */
  readonly diskNetworkMove: DurationRange;
  /** Restore the container (criu restore); downtime ends here. */
  readonly restore: DurationRange;
  /** Terminate the source (paper: 31–46 s); billed, no downtime. */
  readonly terminate: DurationRange;
}

export const defaultMigrationModel: MigrationModelConfig = {
  acquireSpot: { min: 31, max: 167, mean: 67 },
  acquireOnDemand: { min: 16, max: 31, mean: 28 },
  checkpoint: { min: 1, max: 3, mean: 2 },
  transfer: "network",
  networkGbitPerSecond: 10,
  ebsGiBPerSecond: 32 / 200,
  diskNetworkMove: { min: 18, max: 48, mean: 28 },
  restore: { min: 1, max: 3, mean: 2 },
  terminate: { min: 31, max: 46, mean: 38.5 },
};

/** Every step takes no time (for laws such as "zero-overhead greedy = lower envelope"). */
export const instantMigrationModel: MigrationModelConfig = {
  acquireSpot: { min: 0, max: 0, mean: 0 },
  acquireOnDemand: { min: 0, max: 0, mean: 0 },
  checkpoint: { min: 0, max: 0, mean: 0 },
  transfer: "network",
  networkGbitPerSecond: Infinity,
  ebsGiBPerSecond: Infinity,
  diskNetworkMove: { min: 0, max: 0, mean: 0 },
  restore: { min: 0, max: 0, mean: 0 },
  terminate: { min: 0, max: 0, mean: 0 },
};

/** Seconds per step of one hop. */
export interface HopSteps {
  readonly acquire: number;
  readonly checkpoint: number;
  readonly transfer: number;
  readonly move: number;
  readonly restore: number;
  readonly terminate: number;
}

/** Seconds to move `memoryGiB` of checkpoint (deterministic: size over bandwidth). */
export function transferSeconds(config: MigrationModelConfig, memoryGiB: number): number {
  if (memoryGiB === 0) return 0;
  if (config.transfer === "ebs") return memoryGiB / config.ebsGiBPerSecond;
  return (memoryGiB * 8 * 1024 ** 3) / (config.networkGbitPerSecond * 1e9);
}

function acquireRange(config: MigrationModelConfig, target: Lifecycle): DurationRange {
  return target === "spot" ? config.acquireSpot : config.acquireOnDemand;
}

/** Mean step durations of a hop to a `target` market. */
export function meanHopSteps(config: MigrationModelConfig, memoryGiB: number, target: Lifecycle): HopSteps {
  return {
    acquire: acquireRange(config, target).mean,
    checkpoint: config.checkpoint.mean,
    transfer: transferSeconds(config, memoryGiB),
    move: config.diskNetworkMove.mean,
    restore: config.restore.mean,
    terminate: config.terminate.mean,
  };
}

/**
 * A draw from [min, max] with mean `mean`: uniform on [min, mean] with probability
 * (max − mean) / (max − min), else uniform on [mean, max]. Unlike a plain uniform it keeps the paper's
 * mean (67 s is far from the 31–167 s midpoint) and never leaves the measured range.
 */
export function sampleDuration(range: DurationRange, random: Random): number {
  if (range.max <= range.min) return range.min;
  const low = (range.max - range.mean) / (range.max - range.min);
  return random.next() < low ? random.uniform(range.min, range.mean) : random.uniform(range.mean, range.max);
}

/** The seconds one step takes, as the mean or a seeded draw. */
export type DurationMode = "mean" | "sampled";

export const durationModes = { mean: true, sampled: true } as const satisfies Record<DurationMode, true>;

/** Duration of one named step under `mode`. Transfer is always size over bandwidth. */
export function stepSeconds(
  config: MigrationModelConfig,
  step: keyof HopSteps,
  memoryGiB: number,
  target: Lifecycle,
  mode: DurationMode,
  random: Random,
): number {
  if (step === "transfer") return transferSeconds(config, memoryGiB);
  const range =
    step === "acquire"
      ? acquireRange(config, target)
      : step === "checkpoint"
        ? config.checkpoint
        : step === "move"
          ? config.diskNetworkMove
          : step === "restore"
            ? config.restore
            : config.terminate;
  return mode === "mean" ? range.mean : sampleDuration(range, random);
}

/** The estimate policies see: acquire (no downtime), downtime, terminate (billed, no downtime). */
export function migrationEstimate(
  config: MigrationModelConfig,
  memoryGiB: number,
  target: Lifecycle,
): MigrationEstimate {
  const steps = meanHopSteps(config, memoryGiB, target);
  return {
    acquireSeconds: steps.acquire,
    downtimeSeconds: steps.checkpoint + steps.transfer + steps.move + steps.restore,
    terminateSeconds: steps.terminate,
  };
}
