import { describe, expect, it } from "vitest";
import { defaultMigrationModel } from "../../../../src/engine/migration-model.js";
import { learnedEstimate, learnedRates, measureHop } from "../../../../src/drivers/live/hop/hop-costs.js";
import type { HopRecord, JournalEntry, StepName } from "../../../../src/drivers/live/hop/journal.js";

const MiB = 2 ** 20;

/** A hop whose steps ran [begin, end] seconds, the checkpoint's end carrying `imageBytes`. */
function hop(
  id: string,
  lifecycle: "spot" | "on-demand",
  steps: ReadonlyArray<readonly [StepName, number, number | null]>,
  imageBytes: number | null,
  outcome: HopRecord["outcome"] = "done",
): HopRecord {
  const entries: JournalEntry[] = [];
  for (const [step, begin, end] of steps) {
    entries.push({ step, event: "begin", at: begin * 1000 });
    if (end === null) entries.push({ step, event: "error", at: begin * 1000 + 1, note: "failed" });
    else
      entries.push({
        step,
        event: "end",
        at: end * 1000,
        ...(step === "checkpoint" && imageBytes !== null ? { imageBytes } : {}),
      });
  }
  return {
    id,
    clientToken: `t-${id}`,
    source: "i-source",
    target: { instanceType: "c4.large", zone: "us-east-1c", lifecycle },
    targetInstanceId: "i-target",
    entries,
    outcome,
  };
}

/** Launch 40 s, running 20 s, CPU check 5 s; checkpoint 2 s of 10 MiB; detach 10, attach 15; restore 4 s; terminate 30. */
const done = hop(
  "hop-000001",
  "spot",
  [
    ["acquire", 0, 40],
    ["wait-running", 40, 60],
    ["cpu-check", 60, 65],
    ["checkpoint", 65, 67],
    ["detach-source", 67, 77],
    ["attach-target", 77, 92],
    ["restore", 92, 96],
    ["terminate-source", 96, 126],
  ],
  10 * MiB,
);
/** Launched in 30 s, refused by the CPU check: no checkpoint, no complete acquire phase. */
const refused = hop(
  "hop-000002",
  "spot",
  [
    ["acquire", 200, 230],
    ["wait-running", 230, 240],
    ["cpu-check", 240, null],
    ["terminate-target", 241, 250],
  ],
  null,
  "rolled-back",
);
/** The trial checkpoint at the start: 8 MiB in 0.5 s, 16 MiB/s. */
const trial = { seconds: 0.5, imageBytes: 8 * MiB };

describe("hop costs learned from the container's own checkpoints and hops", () => {
  it("measures each step from its last begin to the end after it, and the checkpoint's image", () => {
    expect(measureHop(done)).toEqual({
      hop: "hop-000001",
      target: "c4.large spot",
      lifecycle: "spot",
      outcome: "done",
      stepSeconds: {
        acquire: 40,
        "wait-running": 20,
        "cpu-check": 5,
        checkpoint: 2,
        "detach-source": 10,
        "attach-target": 15,
        restore: 4,
        "terminate-source": 30,
      },
      imageBytes: 10 * MiB,
    });
    // A checkpoint begun, cut off by a crash, begun again after the restart: the second try counts.
    const retried = hop("hop-000003", "spot", [["checkpoint", 0, null]], null);
    retried.entries.push({ step: "checkpoint", event: "begin", at: 10_000 });
    retried.entries.push({ step: "checkpoint", event: "end", at: 13_000, imageBytes: 1 * MiB });
    expect(measureHop(retried)).toMatchObject({ stepSeconds: { checkpoint: 3 }, imageBytes: MiB });
    expect(measureHop(refused).stepSeconds).toEqual({ acquire: 30, "wait-running": 10 });
  });

  it("rates: the mean of the trial's and each hop's bytes per second; restore from the checkpoint rate until a hop restored", () => {
    expect(learnedRates(trial, [])).toEqual({
      checkpointBytesPerSecond: 16 * MiB,
      restoreBytesPerSecond: 16 * MiB,
      imageBytes: 8 * MiB,
      checkpointSamples: 1,
      restoreSamples: 0,
    });
    // Checkpoint (16 MiB/s + 10 MiB / 2 s = 5 MiB/s) / 2 = 10.5 MiB/s; restore 10 MiB / 4 s = 2.5 MiB/s.
    expect(learnedRates(trial, [done, refused].map(measureHop))).toEqual({
      checkpointBytesPerSecond: 10.5 * MiB,
      restoreBytesPerSecond: 2.5 * MiB,
      imageBytes: 10 * MiB,
      checkpointSamples: 2,
      restoreSamples: 1,
    });
    expect(learnedRates(null, [])).toEqual({
      checkpointBytesPerSecond: null,
      restoreBytesPerSecond: null,
      imageBytes: null,
      checkpointSamples: 0,
      restoreSamples: 0,
    });
  });

  it("the estimate: the newest image at the learned rates, measured acquire, move and terminate, else the model's", () => {
    const model = defaultMigrationModel;
    // Nothing measured: the model's means (checkpoint 2 + move 28 + restore 2; the image goes with the volume).
    expect(learnedEstimate(model, null, [], "spot")).toEqual({
      acquireSeconds: 67,
      downtimeSeconds: 32,
      terminateSeconds: 38.5,
    });
    // The trial alone: 8 MiB at 16 MiB/s both ways (0.5 + 0.5 s), the model's move.
    expect(learnedEstimate(model, trial, [], "on-demand")).toEqual({
      acquireSeconds: 28,
      downtimeSeconds: 0.5 + 28 + 0.5,
      terminateSeconds: 38.5,
    });
    const hops = [done, refused].map(measureHop);
    // After the hop: 10 MiB / 10.5 MiB/s + (10 + 15) + 10 MiB / 2.5 MiB/s; acquire 40 + 20 + 5 (the refused hop's is incomplete).
    const spot = learnedEstimate(model, trial, hops, "spot");
    expect(spot.acquireSeconds).toBe(65);
    expect(spot.downtimeSeconds).toBeCloseTo(10 / 10.5 + 25 + 4, 12);
    expect(spot.terminateSeconds).toBe(30);
    // No on-demand hop measured: its acquire stays the model's.
    expect(learnedEstimate(model, trial, hops, "on-demand").acquireSeconds).toBe(28);
  });
});
