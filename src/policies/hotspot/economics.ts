import type { MigrationEstimate } from "../../engine/types.js";

/**
 * The HotSpot policy's equations (Shastri & Irwin, SoCC 2017), as pure functions of numbers. Prices are
 * USD per hour, durations seconds, work in the run's work unit (ECU by default), results USD.
 */

/** An idle container (u = 0) would make every cost-efficiency infinite; this floor keeps the ranking by price. */
const MIN_USED_WORK_FRACTION = 1e-6;

/**
 * u_i = min(w / W_i, 1): the utilisation the container would have on a server of `work` capacity when it
 * uses `usedWork` work units (see `usedWork`).
 */
export function expectedUtilisation(usedWork: number, work: number): number {
  return Math.max(MIN_USED_WORK_FRACTION, Math.min(usedWork / work, 1));
}

/** True when u_c ≥ 1 − ε: the paper's test that the application would use a bigger server fully. */
export function isSaturated(utilisation: number, epsilon: number): boolean {
  return utilisation >= 1 - epsilon;
}

/**
 * w, the work the container would use anywhere: u_c × W_c; when the current server is saturated the
 * paper assumes the application can use more (u_i = 1 everywhere), which this bounds by the demand the
 * workload declares (Infinity gives the paper's rule exactly).
 */
export function usedWork(
  utilisation: number,
  currentWork: number,
  demandWork: number,
  epsilon: number,
): number {
  const measured = utilisation * currentWork;
  return isSaturated(utilisation, epsilon) ? Math.max(measured, demandWork) : measured;
}

/** (1) e_i = p_i / (W_i × u_i): USD per utilised work-unit-hour. */
export function costEfficiency(price: number, work: number, utilisation: number): number {
  return price / (work * utilisation);
}

/**
 * (2) C_i = p_i × T_d + p_c × max(T_r, T_a + T_d + T_k), in USD, with the engine's hop timeline: the
 * target is billed from the end of acquire (T_a), so it is paid without doing work for the downtime T_d
 * (checkpoint + transfer M / B + disk/network move + restore: the paper's T_m); the source is paid until
 * it is terminated (T_a + T_d + T_k) or, when later, until its paid interval ends (T_r). Both servers
 * are paid while neither does work.
 */
export function transactionCost(
  targetPrice: number,
  sourcePrice: number,
  paidTimeLeftSeconds: number,
  hop: MigrationEstimate,
): number {
  const sourceBilled = Math.max(
    paidTimeLeftSeconds,
    hop.acquireSeconds + hop.downtimeSeconds + hop.terminateSeconds,
  );
  return (targetPrice * hop.downtimeSeconds + sourcePrice * sourceBilled) / 3600;
}

/**
 * (3) before carried-forward costs: S_i = (e_c − e_i) × (u_i × W_i) × T_i, in USD, with `horizonSeconds`
 * = T_i = max(billing interval, mean time-to-change of the cheapest market).
 */
export function expectedSavings(
  currentEfficiency: number,
  candidateEfficiency: number,
  candidateUsedWork: number,
  horizonSeconds: number,
): number {
  return ((currentEfficiency - candidateEfficiency) * candidateUsedWork * horizonSeconds) / 3600;
}

/**
 * T_i = max(billing interval, mean time-to-change of the cheapest market). When the cheapest market did
 * not change within the look-back window, the evidence says only "at least the window", so the window
 * length stands in for an infinite mean (an infinite horizon would make any cheaper server worth any cost).
 */
export function savingsHorizon(
  billingIntervalSeconds: number,
  meanTimeToChangeSeconds: number,
  windowSeconds: number,
): number {
  const meanTime = Number.isFinite(meanTimeToChangeSeconds) ? meanTimeToChangeSeconds : windowSeconds;
  return Math.max(billingIntervalSeconds, meanTime);
}
