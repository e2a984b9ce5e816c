import type { MigrationModelConfig } from "../../../engine/migration-model.js";
import type { Lifecycle, MigrationEstimate } from "../../../engine/types.js";
import type { TrialCheckpoint } from "../host/container-host.js";
import type { HopCostDocument, LearnedRatesDocument } from "../../../results/document.js";
import { HOP_STEPS, type HopRecord, type HopStep } from "./journal.js";

/**
 * Hop costs learned from this container's own hops instead of the paper's constants: every hop's
 * steps as the journal timed them, and the rates its checkpoints and restores moved the image at.
 *
 * Rule: the checkpoint rate is the mean of image bytes / checkpoint seconds over the trial checkpoint
 * and every hop's checkpoint; the restore rate the mean over every hop's restore of its image's bytes
 * / restore seconds (until the first hop, the checkpoint rate). A hop's expected checkpoint and
 * restore are the newest image's bytes at those rates; acquire (launch, running, CPU check), move
 * (detach and attach) and terminate are the means of the hops measured so far, else the model's.
 * Transfer counts nothing: CRIU writes the image straight to the volume that moves.
 */

/** One hop as measured: each step's seconds (its last begin to the end after it) and the image size. */
export type HopMeasurement = HopCostDocument;

/** The hop's steps with a begin and a later end, in seconds. */
export function measureHop(hop: HopRecord): HopMeasurement {
  const stepSeconds: Partial<Record<string, number>> = {};
  let imageBytes: number | null = null;
  for (const step of HOP_STEPS) {
    let begin: number | null = null;
    for (const entry of hop.entries) {
      if (entry.step !== step) continue;
      if (entry.event === "begin") begin = entry.at;
      else if (entry.event === "end" && begin !== null) {
        stepSeconds[step] = (entry.at - begin) / 1000;
        if (step === "checkpoint" && entry.imageBytes !== undefined) imageBytes = entry.imageBytes;
        begin = null;
      }
    }
  }
  return {
    hop: hop.id,
    target: `${hop.target.instanceType} ${hop.target.lifecycle}`,
    lifecycle: hop.target.lifecycle,
    outcome: hop.outcome,
    stepSeconds,
    imageBytes,
  };
}

const mean = (values: readonly number[]) =>
  values.length === 0 ? null : values.reduce((sum, v) => sum + v, 0) / values.length;

/** The rates learned from the trial checkpoint (null: none was made) and the journal's hops. */
export function learnedRates(
  trial: TrialCheckpoint | null,
  hops: readonly HopMeasurement[],
): LearnedRatesDocument {
  const checkpoints: number[] = [];
  const restores: number[] = [];
  let imageBytes = trial !== null && trial.seconds > 0 ? trial.imageBytes : null;
  if (imageBytes !== null) checkpoints.push(imageBytes / trial!.seconds);
  for (const hop of hops) {
    if (hop.imageBytes === null) continue;
    imageBytes = hop.imageBytes;
    const dump = hop.stepSeconds.checkpoint;
    if (dump !== undefined && dump > 0) checkpoints.push(hop.imageBytes / dump);
    const restore = hop.stepSeconds.restore;
    if (restore !== undefined && restore > 0) restores.push(hop.imageBytes / restore);
  }
  const checkpointRate = mean(checkpoints);
  return {
    checkpointBytesPerSecond: checkpointRate,
    restoreBytesPerSecond: mean(restores) ?? checkpointRate,
    imageBytes,
    checkpointSamples: checkpoints.length,
    restoreSamples: restores.length,
  };
}

/** The estimate policies see for a hop to a `target` market, from what this container's hops measured. */
export function learnedEstimate(
  model: MigrationModelConfig,
  trial: TrialCheckpoint | null,
  hops: readonly HopMeasurement[],
  target: Lifecycle,
): MigrationEstimate {
  const rates = learnedRates(trial, hops);
  const measured = (steps: readonly HopStep[], of: readonly HopMeasurement[]) =>
    mean(
      of
        .filter((h) => steps.every((s) => h.stepSeconds[s] !== undefined))
        .map((h) => steps.reduce((sum, s) => sum + h.stepSeconds[s]!, 0)),
    );
  const acquire =
    measured(
      ["acquire", "wait-running", "cpu-check"],
      hops.filter((h) => h.lifecycle === target),
    ) ?? (target === "spot" ? model.acquireSpot.mean : model.acquireOnDemand.mean);
  const bytes = rates.imageBytes;
  const checkpoint =
    bytes === null || rates.checkpointBytesPerSecond === null
      ? model.checkpoint.mean
      : bytes / rates.checkpointBytesPerSecond;
  const restore =
    bytes === null || rates.restoreBytesPerSecond === null
      ? model.restore.mean
      : bytes / rates.restoreBytesPerSecond;
  const move = measured(["detach-source", "attach-target"], hops) ?? model.diskNetworkMove.mean;
  const terminate = measured(["terminate-source"], hops) ?? model.terminate.mean;
  return {
    acquireSeconds: acquire,
    downtimeSeconds: checkpoint + move + restore,
    terminateSeconds: terminate,
  };
}
