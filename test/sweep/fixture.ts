import { join } from "node:path";
import { builtinCatalog } from "../../src/catalog/catalog.js";
import { policyByName } from "../../src/policies/index.js";
import { prepareSweep, type SweepRequest } from "../../src/sweep/prepare.js";
import { synthesizeTrace } from "../../src/traces/synth.js";

export const day = 86_400;
export const start2016 = Date.parse("2016-03-01T00:00:00Z") / 1000;

/** The worker entry that runs src/sweep/worker.ts from TypeScript (tests have no build). */
export const tsWorkerUrl = new URL("./ts-worker.mjs", import.meta.url);

/** A small volatile-era trace: 3 types in one zone over 5 days. */
export async function writeSmallTrace(dir: string): Promise<string> {
  const path = join(dir, "trace.csv");
  await synthesizeTrace(path, {
    regime: "volatile",
    days: 5,
    types: ["m3.large", "m4.xlarge", "c4.2xlarge"],
    zones: ["us-east-1a"],
    start: start2016,
    seed: 11,
    catalog: builtinCatalog(),
  });
  return path;
}

/** 2 grid points (memory 1 and 16 GiB) × 3 one-day windows, three policies. */
export function smallRequest(tracePath: string, overrides: Partial<SweepRequest> = {}): SweepRequest {
  return {
    tracePath,
    load: { cacheDir: false },
    workUnit: "ecu",
    skipUnknownTypes: false,
    base: {
      intervalSeconds: 300,
      billing: "per-second",
      memoryGiB: 8,
      demandWork: 6.5,
      utilisation: 1,
      transfer: "network",
      bandwidthGbps: 10,
      durations: "mean",
      interruptions: "auto",
      bidMultiple: 1,
      historyWindowSeconds: day,
    },
    vary: [{ key: "memory-gib", values: [1, 16] }],
    policies: ["on-demand", "greedy", "hotspot"].map((name) => ({
      definition: policyByName(name),
      params: {},
    })),
    inputFiles: { advisorOs: "Linux" },
    windowSeconds: day,
    windows: 3,
    seed: 5,
    ...overrides,
  };
}

export const prepareSmall = (tracePath: string, overrides: Partial<SweepRequest> = {}) =>
  prepareSweep(smallRequest(tracePath, overrides));
