/** Time for the live driver: the wall clock in production, the emulator's virtual time in tests. */
export interface LiveClock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const wallClock: LiveClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(resolve, Math.max(0, ms));
      signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
    }),
};

/** The clock's time in seconds since the epoch, the unit of prices, policies and the engine. */
export function nowSeconds(clock: Pick<LiveClock, "now">): number {
  return clock.now() / 1000;
}
