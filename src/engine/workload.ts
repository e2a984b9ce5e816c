/**
 * The container's demand over time: a level a(t) in [0, 1] of its demand D (work units). On a server
 * of capacity C it gets min(a(t) × D, C) work units; work is counted in work-unit-hours.
 */
export interface WorkloadProfile {
  /** a(t). */
  levelAt(t: number): number;
  /** Work-unit-hours delivered on a server of `capacity` over [from, to). */
  workBetween(from: number, to: number, capacity: number): number;
  /** The time at which `amount` work-unit-hours are delivered from `from` on, or Infinity. */
  timeToDeliver(from: number, capacity: number, amount: number): number;
  /** The first time after `t` at which the level may change, or Infinity; absent: at any time. */
  nextChange?(t: number): number;
}

/**
 * A step function: level `levels[i]` from `times[i]` until `times[i + 1]`; before the first time the
 * first level holds. A constant profile is one step.
 */
export class StepWorkload implements WorkloadProfile {
  constructor(
    private readonly demandWork: number,
    private readonly times: Float64Array,
    private readonly levels: Float64Array,
  ) {
    if (times.length === 0 || times.length !== levels.length) {
      throw new RangeError("a workload profile needs at least one (time, level) step");
    }
  }

  static constant(demandWork: number, level: number): StepWorkload {
    return new StepWorkload(demandWork, Float64Array.of(-Infinity), Float64Array.of(level));
  }

  private indexAt(t: number): number {
    let lo = 0;
    let hi = this.times.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.times[mid] <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  levelAt(t: number): number {
    return this.levels[this.indexAt(t)];
  }

  nextChange(t: number): number {
    const next = this.indexAt(t) + 1;
    return next < this.times.length ? this.times[next] : Infinity;
  }

  private rate(index: number, capacity: number): number {
    return Math.min(this.levels[index] * this.demandWork, capacity);
  }

  workBetween(from: number, to: number, capacity: number): number {
    let total = 0;
    let t = from;
    let i = this.indexAt(from);
    while (t < to) {
      const next = i + 1 < this.times.length ? Math.min(this.times[i + 1], to) : to;
      total += (this.rate(i, capacity) * (next - t)) / 3600;
      t = next;
      i++;
    }
    return total;
  }

  timeToDeliver(from: number, capacity: number, amount: number): number {
    let left = amount;
    let t = from;
    let i = this.indexAt(from);
    for (;;) {
      const rate = this.rate(i, capacity);
      const next = i + 1 < this.times.length ? this.times[i + 1] : Infinity;
      const segment = rate * ((next - t) / 3600);
      if (segment >= left) return rate > 0 ? t + (left / rate) * 3600 : Infinity;
      if (next === Infinity) return Infinity;
      left -= segment;
      t = next;
      i++;
    }
  }
}
