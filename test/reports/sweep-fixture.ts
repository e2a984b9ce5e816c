import { fileURLToPath } from "node:url";
import { policyByName } from "../../src/policies/index.js";
import type { SweepDocument } from "../../src/sweep/document.js";
import { prepareSweep } from "../../src/sweep/prepare.js";
import { runSweep } from "../../src/sweep/run.js";

const demoTrace = fileURLToPath(new URL("../../traces/demo-volatile.csv", import.meta.url));
const day = 86_400;

/** 2 memory sizes × 2 one-day windows of the demo trace, four policies paired against spot-stay, on the main thread. */
export async function demoSweep(out: string): Promise<SweepDocument> {
  const prepared = await prepareSweep({
    tracePath: demoTrace,
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
    vary: [{ key: "memory-gib", values: [1, 64] }],
    inputFiles: { advisorOs: "Linux" },
    policies: ["spot-stay", "greedy", "hotspot", "optimal"].map((name) => ({
      definition: policyByName(name),
      params: {},
    })),
    baseline: "spot-stay",
    windowSeconds: day,
    windows: 2,
    seed: 3,
  });
  const outcome = await runSweep({
    ...prepared,
    out,
    resume: false,
    shard: null,
    execution: { kind: "inline" },
  });
  return outcome.document;
}
