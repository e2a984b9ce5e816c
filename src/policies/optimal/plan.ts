import type { MigrationEstimate } from "../../engine/types.js";
import type { StepPricePath } from "../../engine/price-paths.js";
import { HotspotError } from "../../errors.js";
import { fitsMemory } from "../../engine/candidates.js";
import type { PolicyContext } from "../../engine/policy.js";
import { buildRunCostModel, MINIMUM_SECONDS } from "./engine-costs.js";
import { undominatedMarkets } from "./dominance.js";
import { solvePlan, type Objective } from "./ratio.js";
import { Scratch } from "../../util/scratch.js";

/**
 * The optimum's tables, kept for the thread's next run (a sweep worker plans hundreds): every table
 * dies with `planRun`, which is synchronous, so one run at a time owns them. They hold the largest
 * run's tables so far (bounded by buildRunCostModel's limit) until the thread ends.
 */
const tables = new Scratch();

/** The offline optimum of one run, in market ids. */
export interface RunPlan {
  /** What the engine charges for the plan: the minimum over plans that move only at decision epochs ... */
  readonly costUsd: number;
  /** ... of USD, or of USD per work-unit-hour delivered (`work`), as the objective asked. */
  readonly work: number;
  /** The decision times t_k. */
  readonly epochTimes: Float64Array;
  /** Per epoch: the market id to place the container on, or -1 to stay. */
  readonly placeAt: Int32Array;
}

function sameEstimate(a: MigrationEstimate, b: MigrationEstimate): boolean {
  return (
    a.acquireSeconds === b.acquireSeconds &&
    a.downtimeSeconds === b.downtimeSeconds &&
    a.terminateSeconds === b.terminateSeconds
  );
}

/**
 * Groups targets by hop timeline. The DP's O(1) best predecessor needs the timeline to depend on the
 * target only; the engine's does (it depends on the target's lifecycle), and this checks it.
 */
function hopGroups(
  context: PolicyContext,
  marketIds: readonly number[],
): { groupOf: Int32Array; hops: MigrationEstimate[] } {
  const hops: MigrationEstimate[] = [];
  const groupOf = new Int32Array(marketIds.length);
  marketIds.forEach((to, n) => {
    const estimate = context.migration(marketIds[n === 0 ? marketIds.length - 1 : 0], to);
    for (const from of marketIds) {
      if (from !== to && !sameEstimate(context.migration(from, to), estimate)) {
        throw new HotspotError(
          "HOTSPOT_OPTIMAL_MODEL",
          `the offline optimum needs hop durations that depend on the target market only; hops to market ${to} differ by source`,
        );
      }
    }
    let g = hops.findIndex((hop) => sameEstimate(hop, estimate));
    if (g < 0) g = hops.push(estimate) - 1;
    groupOf[n] = g;
  });
  return { groupOf, hops };
}

/** Times at which a path's price rises from at most `bid` to above it (the first change counts from below). */
function bidCrossings(path: StepPricePath, bid: number): Float64Array {
  const times: number[] = [];
  let over = false;
  for (let i = 0; i < path.times.length; i++) {
    const now = path.prices[i] > bid;
    if (now && !over) times.push(path.times[i]);
    over = now;
  }
  return Float64Array.from(times);
}

interface Candidates {
  readonly marketIds: readonly number[];
  readonly groupOf: Int32Array;
  readonly hops: MigrationEstimate[];
  readonly paths: StepPricePath[];
}

/**
 * The candidates less those an optimal plan never needs (`undominatedMarkets`): under per-second
 * billing a run's tables read prices up to a minimum bill past its end (an instance started late).
 */
function withoutDominated(all: Candidates, context: PolicyContext, demandWork: number): Candidates {
  const rates = Float64Array.from(all.marketIds, (id) => Math.min(demandWork, context.markets[id].work));
  const kept = undominatedMarkets(
    all.paths,
    all.groupOf,
    rates,
    context.start,
    context.end + MINIMUM_SECONDS,
  );
  return {
    marketIds: kept.map((n) => all.marketIds[n]),
    groupOf: Int32Array.from(kept, (n) => all.groupOf[n]),
    hops: all.hops,
    paths: kept.map((n) => all.paths[n]),
  };
}

/**
 * Solves the run's offline optimum from the whole trace in the context (simulation only). The
 * workload is taken as constant at the context's starting level (the context carries no profile).
 * `bidUsd` (per market id, Infinity for none) makes the plan avoid every bid crossing.
 */
export function planRun(context: PolicyContext, objective: Objective, bidUsd?: Float64Array): RunPlan {
  if (context.fullTrace === undefined) {
    throw new HotspotError(
      "HOTSPOT_POLICY_CONTEXT",
      "the offline optimum needs the whole trace: simulation only",
    );
  }
  const fitting = context.markets.filter((m) => fitsMemory(m, context.memoryGiB)).map((m) => m.id);
  const demandWork = context.utilisation * context.demandWork;
  const all = {
    marketIds: fitting,
    ...hopGroups(context, fitting),
    paths: fitting.map((id) => context.fullTrace!.paths[id]),
  };
  const { marketIds, groupOf, hops, paths } =
    context.billing === "per-second" && bidUsd === undefined
      ? withoutDominated(all, context, demandWork)
      : all;
  const model = buildRunCostModel(
    {
      start: context.start,
      end: context.end,
      intervalSeconds: context.intervalSeconds,
      billing: context.billing,
      paths,
      bids:
        bidUsd === undefined
          ? undefined
          : {
              bid: Float64Array.from(marketIds, (id) => bidUsd[id]),
              crossings: marketIds.map((id, n) => bidCrossings(paths[n], bidUsd[id])),
            },
      groupOf,
      hops,
      capacity: Float64Array.from(marketIds, (id) => context.markets[id].work),
      demandWork,
    },
    tables,
  );
  const plan = solvePlan(model, objective, tables);
  return {
    costUsd: plan.costUsd,
    work: plan.work,
    epochTimes: model.epochTimes,
    placeAt: plan.placeAt.map((n) => (n < 0 ? -1 : marketIds[n])),
  };
}
