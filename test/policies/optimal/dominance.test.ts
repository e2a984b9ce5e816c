import { describe, expect, it } from "vitest";
import { StepPricePath } from "../../../src/engine/price-paths.js";
import { undominatedMarkets } from "../../../src/policies/optimal/dominance.js";
import { buildRunCostModel, type RunCostInput } from "../../../src/policies/optimal/engine-costs.js";
import { solvePlan } from "../../../src/policies/optimal/ratio.js";
import { Random } from "../../../src/util/random.js";
import { steps } from "../../support/optimal-tables.js";

const same = Int32Array.of(0, 0);
const rates = Float64Array.of(8, 8);

describe("undominatedMarkets (hand cases over [0, 1000))", () => {
  it("drops a market never cheaper than another of its group and rate", () => {
    const cheap = steps([
      [-Infinity, 0.5],
      [400, 0.7],
    ]);
    const dear = steps([
      [-Infinity, 0.6],
      [300, 0.7],
      [600, 0.9],
    ]);
    expect(undominatedMarkets([cheap, dear], same, rates, 0, 1000)).toEqual([0]);
    expect(undominatedMarkets([dear, cheap], same, rates, 0, 1000)).toEqual([1]);
  });

  it("keeps both when their prices cross", () => {
    const a = steps([
      [-Infinity, 0.5],
      [500, 0.8],
    ]);
    const b = steps([[-Infinity, 0.6]]);
    expect(undominatedMarkets([a, b], same, rates, 0, 1000)).toEqual([0, 1]);
  });

  it("keeps a dearer market whose hops take another time, or that delivers more work", () => {
    const cheap = steps([[-Infinity, 0.5]]);
    const dear = steps([[-Infinity, 0.9]]);
    expect(undominatedMarkets([cheap, dear], Int32Array.of(0, 1), rates, 0, 1000)).toEqual([0, 1]);
    expect(undominatedMarkets([cheap, dear], same, Float64Array.of(4, 8), 0, 1000)).toEqual([0, 1]);
    // More work and a lower price: the smaller market goes.
    expect(undominatedMarkets([cheap, dear], same, Float64Array.of(8, 4), 0, 1000)).toEqual([0]);
  });

  it("keeps the first of markets with the same prices and rate", () => {
    const a = steps([
      [-Infinity, 0.5],
      [200, 0.4],
    ]);
    const b = steps([
      [-Infinity, 0.5],
      [200, 0.4],
    ]);
    const c = steps([
      [-Infinity, 0.5],
      [200, 0.4],
      [700, 0.45],
    ]);
    expect(undominatedMarkets([a, b, c], Int32Array.of(0, 0, 0), Float64Array.of(8, 8, 8), 0, 1000)).toEqual([
      0,
    ]);
    expect(undominatedMarkets([c, b, a], Int32Array.of(0, 0, 0), Float64Array.of(8, 8, 8), 0, 1000)).toEqual([
      1,
    ]);
  });

  it("keeps a market whose price is known where the cheaper one's is not yet", () => {
    const late = steps([[300, 0.1]]);
    const early = steps([[-Infinity, 0.6]]);
    expect(undominatedMarkets([late, early], same, rates, 0, 1000)).toEqual([0, 1]);
    // Known only from 300 on, both: the cheaper one dominates.
    expect(undominatedMarkets([late, steps([[300, 0.6]])], same, rates, 0, 1000)).toEqual([0]);
  });

  it("compares prices only inside the window, counting the price in force at its start", () => {
    const a = steps([
      [-Infinity, 0.9],
      [100, 0.5],
      [1000, 0.9],
    ]);
    const b = steps([[-Infinity, 0.6]]);
    expect(undominatedMarkets([a, b], same, rates, 100, 1000)).toEqual([0]);
    expect(undominatedMarkets([a, b], same, rates, 50, 1000)).toEqual([0, 1]);
    expect(undominatedMarkets([a, b], same, rates, 100, 1001)).toEqual([0, 1]);
  });
});

/** A random path, or a copy of `base` scaled up by at least 1 with rises of its own. */
function randomPath(random: Random, start: number, end: number, base?: StepPricePath): StepPricePath {
  const points: [number, number][] = [];
  if (base !== undefined) {
    const scale = random.next() < 0.3 ? 1 : random.uniform(1, 1.4);
    base.times.forEach((time, i) => {
      points.push([time, Math.round(base.prices[i] * scale * 1e4) / 1e4]);
      const next = i + 1 < base.times.length ? base.times[i + 1] : end;
      if (random.next() < 0.3) {
        const at = (time === -Infinity ? start : time) + random.uniform(0, next - Math.max(time, start));
        if (at > time && at < next) points.push([at, Math.round(base.prices[i] * scale * 1.5 * 1e4) / 1e4]);
      }
    });
    return steps(points);
  }
  let t = random.next() < 0.3 ? start + random.uniform(0, 900) : -Infinity;
  while (t < end + 600) {
    points.push([t, Math.round(random.uniform(0.01, 2) * 1e4) / 1e4]);
    t = (t === -Infinity ? start : t) + random.uniform(1, 900);
  }
  return steps(points);
}

describe("the optimum without dominated markets", () => {
  it("is the optimum over every market, in USD and in USD per work, on random per-second runs", () => {
    const random = new Random(23);
    let dropped = 0;
    for (let trial = 0; trial < 120; trial++) {
      const step = [300, 420][trial % 2];
      const start = trial % 3 === 0 ? 1_614_643_200 : 0;
      const end = start + step * random.integer(8, 30) + random.integer(0, step - 1);
      const bases = random.integer(2, 3);
      const paths: StepPricePath[] = [];
      const groupOf: number[] = [];
      const capacity: number[] = [];
      for (let m = 0; m < bases; m++) {
        paths.push(randomPath(random, start, end));
        groupOf.push(m % 2);
        capacity.push(random.integer(4, 12));
      }
      for (let copies = random.integer(1, 3); copies > 0; copies--) {
        const of = random.integer(0, bases - 1);
        paths.push(randomPath(random, start, end, paths[of]));
        groupOf.push(random.next() < 0.8 ? groupOf[of] : 1 - groupOf[of]);
        capacity.push(random.next() < 0.8 ? random.integer(1, capacity[of]) : capacity[of] + 1);
      }
      const demandWork = 8;
      const input: RunCostInput = {
        start,
        end,
        intervalSeconds: step,
        billing: "per-second",
        paths,
        groupOf: Int32Array.from(groupOf),
        hops: [
          { acquireSeconds: 67, downtimeSeconds: 10.7, terminateSeconds: 40 },
          { acquireSeconds: 15.5, downtimeSeconds: 30, terminateSeconds: 25 },
        ],
        capacity: Float64Array.from(capacity),
        demandWork,
      };
      const rates = Float64Array.from(capacity, (work) => Math.min(demandWork, work));
      const kept = undominatedMarkets(paths, input.groupOf, rates, start, end + 60);
      dropped += paths.length - kept.length;
      const pruned: RunCostInput = {
        ...input,
        paths: kept.map((m) => paths[m]),
        groupOf: Int32Array.from(kept, (m) => groupOf[m]),
        capacity: Float64Array.from(kept, (m) => capacity[m]),
      };
      for (const objective of ["usd", "usd-per-work"] as const) {
        const full = solvePlan(buildRunCostModel(input), objective);
        const less = solvePlan(buildRunCostModel(pruned), objective);
        const value = (plan: typeof full) => (objective === "usd" ? plan.costUsd : plan.costUsd / plan.work);
        const where = `trial ${trial}, ${objective}, kept ${kept.join(",")} of ${paths.length}`;
        // No plan at all (no price known at the start) is no plan either way.
        if (!Number.isFinite(value(full))) expect(value(less), where).toBe(value(full));
        else expect(Math.abs(value(less) - value(full)), where).toBeLessThanOrEqual(1e-12 * value(full));
      }
    }
    // Most trials had a copy to drop: the law was tested, not skipped.
    expect(dropped).toBeGreaterThan(60);
  });
});
