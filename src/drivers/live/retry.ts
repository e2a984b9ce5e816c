import { CloudApiError, HotspotError } from "../../errors.js";
import type { Clock } from "../../util/clock.js";

export interface RetryPolicy {
  /** Attempts in all for throttling and server errors. */
  readonly attempts: number;
  /** Attempts in all for capacity errors: few, since the policy should rather pick another market. */
  readonly capacityAttempts: number;
  /** First backoff; doubles per attempt up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 6,
  capacityAttempts: 2,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
};

const CAPACITY_CODES = new Set([
  "InsufficientInstanceCapacity",
  "InsufficientHostCapacity",
  "InsufficientCapacity",
  "SpotMaxPriceTooLow",
  "MaxSpotInstanceCountExceeded",
]);

export function isCapacityError(error: unknown): error is CloudApiError {
  return error instanceof CloudApiError && CAPACITY_CODES.has(error.apiCode);
}

/**
 * The target market cannot give an instance now. The engine reports it as `acquire-failed` so the
 * policy can exclude the market for a cool-down and choose again.
 */
export class TargetCapacityError extends HotspotError {
  constructor(
    readonly instanceType: string,
    readonly zone: string,
    readonly lifecycle: string,
    cause: CloudApiError,
  ) {
    super(
      "HOTSPOT_LIVE_NO_CAPACITY",
      `no ${lifecycle} capacity for ${instanceType} in ${zone} (${cause.apiCode}); exclude this market and choose again`,
      { retryable: false, cause },
    );
  }
}

/** Run `call`, retrying retryable CloudApiErrors with exponential backoff on `clock`. */
export async function withRetry<T>(
  call: () => Promise<T>,
  clock: Clock,
  policy: RetryPolicy = DEFAULT_RETRY,
  onRetry: (error: CloudApiError, attempt: number, delayMs: number) => void = () => undefined,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof CloudApiError) || !error.retryable) throw error;
      const limit = isCapacityError(error) ? policy.capacityAttempts : policy.attempts;
      if (attempt >= limit) throw error;
      const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      onRetry(error, attempt, delay);
      await clock.sleep(delay);
    }
  }
}
