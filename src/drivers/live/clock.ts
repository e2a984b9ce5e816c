/** Time for the live driver: the wall clock in production, the emulator's virtual time in tests. */
export interface LiveClock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const wallClock: LiveClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/** The clock's time in seconds since the epoch, the unit of prices, policies and the engine. */
export function nowSeconds(clock: Pick<LiveClock, "now">): number {
  return clock.now() / 1000;
}
