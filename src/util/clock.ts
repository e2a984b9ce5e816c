import { HotspotError } from "../errors.js";

/** Time for everything that waits or stamps: the wall clock in production, a fake or virtual one in tests. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const wallClock: Clock = {
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
export function nowSeconds(clock: Pick<Clock, "now">): number {
  return clock.now() / 1000;
}

/**
 * Polls `check` every `pollMs` until it gives a value (not null), which it returns; a HotspotError
 * naming `what` once `timeoutMs` passed without one.
 */
export async function pollFor<T>(
  clock: Clock,
  what: string,
  timing: { readonly timeoutMs: number; readonly pollMs: number },
  check: () => Promise<T | null>,
): Promise<T> {
  const deadline = clock.now() + timing.timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null) return value;
    if (clock.now() > deadline) {
      throw new HotspotError(
        "HOTSPOT_TIMEOUT",
        `timed out after ${timing.timeoutMs / 1000} s waiting for ${what}`,
      );
    }
    await clock.sleep(timing.pollMs);
  }
}
