import { StepWorkload, type WorkloadProfile } from "../../../engine/workload.js";

/**
 * The container's demand level as measured while it runs: a step function that grows as samples
 * arrive, each level holding from its sample until the next (the engine never looks ahead of now).
 */
export class MeasuredWorkload implements WorkloadProfile {
  private readonly times: number[] = [-Infinity];
  private readonly levels: number[];
  private steps: StepWorkload;

  constructor(
    private readonly demandWork: number,
    initialLevel: number,
  ) {
    this.levels = [initialLevel];
    this.steps = StepWorkload.constant(demandWork, initialLevel);
  }

  /** A level in [0, 1] measured at `time` (seconds, not before the previous sample). */
  record(time: number, level: number): void {
    if (!(time >= this.times[this.times.length - 1])) {
      throw new RangeError(`workload sample at ${time} is before the previous one`);
    }
    const clamped = Math.min(Math.max(level, 0), 1);
    if (clamped === this.levels[this.levels.length - 1]) return;
    this.times.push(time);
    this.levels.push(clamped);
    this.steps = new StepWorkload(
      this.demandWork,
      Float64Array.from(this.times),
      Float64Array.from(this.levels),
    );
  }

  levelAt(t: number): number {
    return this.steps.levelAt(t);
  }

  workBetween(from: number, to: number, capacity: number): number {
    return this.steps.workBetween(from, to, capacity);
  }

  timeToDeliver(from: number, capacity: number, amount: number): number {
    return this.steps.timeToDeliver(from, capacity, amount);
  }
}
