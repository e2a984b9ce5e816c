/**
 * Billing models. Both engines (sim and live) and the offline optimum charge through these functions,
 * so every policy is measured under one cost model.
 */
export type BillingModelName = "per-second" | "hourly";

export const billingModels = {
  "per-second": {
    intervalSeconds: 1,
    minimumSeconds: 60,
    description:
      "per second, 60 s minimum; an AWS-interrupted spot instance's first hour is free (Linux today)",
  },
  hourly: {
    intervalSeconds: 3600,
    minimumSeconds: 3600,
    description:
      "hourly, price at the start of each hour; a revoked partial hour is free (legacy, HotSpot's era)",
  },
} as const satisfies Record<
  BillingModelName,
  { intervalSeconds: number; minimumSeconds: number; description: string }
>;

/** A market's price as a step function of time (seconds since epoch). */
export interface PricePath {
  /** USD per hour in force at `t`. */
  priceAt(t: number): number;
  /** The first change strictly after `t`, or Infinity. */
  nextChange(t: number): number;
}

/** Who ended an instance: the user (hotspot terminated it) or the cloud (spot interruption). */
export type EndedBy = "user" | "interruption";

/** USD charged for one instance held from `start` to `end` under `model`. */
export function instanceCost(
  model: BillingModelName,
  path: PricePath,
  lifecycle: "spot" | "on-demand",
  start: number,
  end: number,
  endedBy: EndedBy,
): number {
  const interrupted = endedBy === "interruption" && lifecycle === "spot";
  if (model === "hourly") {
    let total = 0;
    for (let hourStart = start; hourStart < end; hourStart += 3600) {
      const partial = hourStart + 3600 > end;
      if (partial && interrupted) break;
      total += path.priceAt(hourStart);
    }
    return total;
  }
  if (interrupted && end - start < 3600) return 0;
  const billedEnd = Math.max(end, start + 60);
  return integrate(path, start, billedEnd);
}

/** ∫ price dt over [from, to), in USD (price is per hour). */
export function integrate(path: PricePath, from: number, to: number): number {
  let total = 0;
  let t = from;
  while (t < to) {
    const next = Math.min(path.nextChange(t), to);
    total += (path.priceAt(t) * (next - t)) / 3600;
    t = next;
  }
  return total;
}

/**
 * Seconds left in the interval already paid for, for an instance started at `start`, at time `now`:
 * the rest of the current hour (hourly), or of the 60 s minimum (per second).
 */
export function paidTimeLeft(model: BillingModelName, start: number, now: number): number {
  const elapsed = Math.max(0, now - start);
  if (model === "hourly") {
    const intoHour = elapsed % 3600;
    return intoHour === 0 && elapsed > 0 ? 0 : 3600 - intoHour;
  }
  return Math.max(0, 60 - elapsed);
}
