import type { Clock } from "../../src/util/clock.js";

/** A clock that only moves when slept on: every sleep is recorded and returns at once. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];

  constructor(private ms = 0) {}

  now(): number {
    return this.ms;
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.ms += ms;
    // A macrotask turn, so servers and timers of the test make progress between polls.
    await new Promise((resolve) => setImmediate(resolve));
  }
}
