import type { RunDocument, RunMetrics } from "../../src/results/document.js";

export const zeroMetrics: RunMetrics = {
  costUsd: 0,
  onDemandCostUsd: null,
  percentOfOnDemand: null,
  workEcuHours: 0,
  usdPerEcuHour: null,
  migrations: 0,
  abortedMigrations: 0,
  restarts: 0,
  revocations: 0,
  notices: 0,
  downtimeSeconds: 0,
  downtimeP95Seconds: 0,
  outages: 0,
  lostWorkEcuHours: 0,
  decisions: 0,
  gapToOptimal: null,
};

/** A run document built by hand: only what a test sets differs from an empty run. */
export function handRun(fields: Partial<RunDocument>): RunDocument {
  return {
    ...zeroMetrics,
    policy: "greedy",
    params: {},
    zone: "us-east-1a",
    start: "2021-03-01T00:00:00.000Z",
    end: "2021-03-01T04:00:00.000Z",
    finished: false,
    onDemandMarket: "m4.large",
    priceEventsReplayed: 0,
    advisorMissingTypes: [],
    timeline: [],
    instances: [],
    ...fields,
  };
}
