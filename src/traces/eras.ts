/** Spot pricing changed on 2017-11-28: before it prices came from bids; since, they are smoothed. */
export const smoothedEraStart = Date.parse("2017-11-28T00:00:00Z") / 1000;

export type Era = "volatile" | "smoothed";

/** The era of a time (seconds since epoch). */
export function eraOf(time: number): Era {
  return time < smoothedEraStart ? "volatile" : "smoothed";
}
