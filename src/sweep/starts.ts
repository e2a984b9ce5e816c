import { UsageError } from "../errors.js";
import { Random } from "../util/random.js";

/** One Monte Carlo window: where it starts and the seed of its simulations' random draws. */
export interface WindowStart {
  readonly start: number;
  readonly seed: number;
}

/**
 * `count` window starts, whole seconds drawn uniformly so that a window of `windowSeconds` fits in
 * `span`, each with its own simulation seed; the same seed gives the same starts. Every grid point
 * reuses these starts and seeds, so points are compared on the same windows and random events.
 */
export function sampleStarts(
  seed: number,
  span: { readonly start: number; readonly end: number },
  windowSeconds: number,
  count: number,
): WindowStart[] {
  const room = Math.floor(span.end - windowSeconds - span.start);
  if (room < 0) {
    throw new UsageError(
      "--windows",
      `a window no longer than the trace span (${((span.end - span.start) / 86400).toFixed(2)} days)`,
      `${(windowSeconds / 86400).toFixed(2)} days`,
    );
  }
  const random = new Random(seed);
  return Array.from({ length: count }, () => ({
    start: span.start + random.integer(0, room),
    seed: random.integer(0, 2 ** 32 - 1),
  }));
}
