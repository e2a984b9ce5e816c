import { evaluatePlan, solveOptimalPlan, type EpochCosts } from "./dp.js";
import { freshArrays, type ArraySource } from "../../util/scratch.js";

/** What the optimum minimises. */
export type Objective = "usd-per-work" | "usd";

export interface SolvedPlan {
  readonly costUsd: number;
  readonly work: number;
  /** Per epoch: the (model) market to place the container on, or -1 to stay. */
  readonly placeAt: Int32Array;
}

const MAX_ROUNDS = 100;

/**
 * The plan with the least USD (objective "usd"), or the least USD per work-unit-hour delivered
 * (objective "usd-per-work", what results compare policies by). The ratio is minimised exactly by
 * Dinkelbach's method: with λ the best ratio so far, the plan minimising cost − λ × work has a lower
 * ratio unless that minimum is 0, in which case λ is optimal. Each round is one DP; λ strictly falls
 * over a finite set of plans, and in practice it takes a handful of rounds. `arrays`: where each
 * round's working tables come from.
 */
export function solvePlan(
  model: EpochCosts,
  objective: Objective,
  arrays: ArraySource = freshArrays,
): SolvedPlan {
  let plan = solveOptimalPlan(model, 0, arrays).placeAt;
  let { costUsd, work } = evaluatePlan(model, plan);
  if (objective === "usd" || !(work > 0)) return { costUsd, work, placeAt: plan };
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const ratio = costUsd / work;
    const next = solveOptimalPlan(model, ratio, arrays);
    const totals = evaluatePlan(model, next.placeAt);
    if (!(totals.work > 0) || totals.costUsd / totals.work >= ratio * (1 - 1e-12)) break;
    plan = next.placeAt;
    ({ costUsd, work } = totals);
  }
  return { costUsd, work, placeAt: plan };
}
