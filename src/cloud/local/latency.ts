import { Random } from "../../util/random.js";

/** A modelled duration, uniform between `min` and `max` seconds (before scaling). */
export interface Range {
  readonly min: number;
  readonly max: number;
}

export type LatencyKind =
  | "onDemandAcquire"
  | "spotAcquire"
  | "attach"
  | "detach"
  | "terminate"
  | "volumeCreate"
  | "volumeDelete"
  | "spotNotice"
  | "stop"
  | "imageCreate";

/**
 * Durations of the state transitions, in seconds of the real cloud. Acquire, attach/detach and
 * terminate are the paper's Table 2 (HotSpot, SoCC 2017); volume creation is a few seconds on EBS;
 * the spot notice is AWS's two minutes; stopping and image
 * creation (an 8 GiB root) are typical EC2 durations, not from the paper and not measured here.
 */
export const TABLE2_LATENCIES: Readonly<Record<LatencyKind, Range>> = {
  onDemandAcquire: { min: 16, max: 31 },
  spotAcquire: { min: 31, max: 167 },
  attach: { min: 18, max: 48 },
  detach: { min: 18, max: 48 },
  terminate: { min: 31, max: 46 },
  volumeCreate: { min: 2, max: 8 },
  volumeDelete: { min: 2, max: 8 },
  spotNotice: { min: 120, max: 120 },
  stop: { min: 31, max: 46 },
  imageCreate: { min: 120, max: 300 },
};

export interface LatencyOptions {
  /** Multiplies every duration; default 1/100 so tests run fast. 1 is real-cloud speed. */
  readonly factor?: number;
  /** Override some ranges (seconds, before scaling). */
  readonly ranges?: Partial<Record<LatencyKind, Range>>;
  /** Seed of the draws, so a run is reproducible. */
  readonly seed?: number;
}

export class LatencyModel {
  readonly factor: number;
  private readonly ranges: Record<LatencyKind, Range>;
  private readonly random: Random;

  constructor(options: LatencyOptions = {}) {
    this.factor = options.factor ?? 0.01;
    if (!(this.factor >= 0) || !Number.isFinite(this.factor)) {
      throw new RangeError(`latency factor: expected a finite number >= 0, found ${this.factor}`);
    }
    this.ranges = { ...TABLE2_LATENCIES, ...options.ranges };
    for (const [kind, r] of Object.entries(this.ranges)) {
      if (!(r.min >= 0 && r.max >= r.min)) {
        throw new RangeError(`latency ${kind}: expected 0 <= min <= max, found min ${r.min}, max ${r.max}`);
      }
    }
    this.random = new Random(options.seed ?? 1);
  }

  /** A draw for one transition, in milliseconds of emulator time. */
  draw(kind: LatencyKind): number {
    const r = this.ranges[kind];
    const seconds = r.min === r.max ? r.min : this.random.uniform(r.min, r.max);
    return seconds * 1000 * this.factor;
  }

  /** A fixed real-cloud duration (seconds) scaled to emulator milliseconds. */
  scaled(seconds: number): number {
    return seconds * 1000 * this.factor;
  }
}
