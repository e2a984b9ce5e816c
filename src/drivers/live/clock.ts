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
      const onAbort = () => (clearTimeout(timer), resolve());
      // The listener goes with the timer: a long run sleeps on one signal many times.
      const timer = setTimeout(
        () => (signal?.removeEventListener("abort", onAbort), resolve()),
        Math.max(0, ms),
      );
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

/** The clock's time in seconds since the epoch, the unit of prices, policies and the engine. */
export function nowSeconds(clock: Pick<LiveClock, "now">): number {
  return clock.now() / 1000;
}
