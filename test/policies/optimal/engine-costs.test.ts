import { describe, expect, it } from "vitest";
import { integrate } from "../../../src/engine/billing.js";
import { StepPricePath } from "../../../src/engine/price-paths.js";
import { StepWorkload } from "../../../src/engine/workload.js";
import { HotspotError } from "../../../src/errors.js";
import { leaveCost, stayCost, type EpochCosts } from "../../../src/policies/optimal/dp.js";
import { buildRunCostModel, type RunCostInput } from "../../../src/policies/optimal/engine-costs.js";
import { solvePlan } from "../../../src/policies/optimal/ratio.js";
import { Random } from "../../../src/util/random.js";
import { hop, steps } from "../../support/optimal-tables.js";

/**
 * The engine's cost of each move read off the price paths one query at a time (`integrate`, `priceAt`,
 * `workBetween`), as the cost model did before it became tables: the tables must hold exactly these.
 */
function referenceCosts(
  input: RunCostInput,
  paths: readonly StepPricePath[],
  model: EpochCosts & { epochTimes: Float64Array },
) {
  const { end, intervalSeconds: step, groupOf, hops, capacity } = input;
  const { epochTimes, hopEpochs, phases: P } = model;
  const K = epochTimes.length;
  const hourly = input.billing === "hourly";
  const workload = StepWorkload.constant(input.demandWork, 1);
  const timeOf = (k: number) => (k < K ? epochTimes[k] : end);
  const finite = (usd: number) => (Number.isNaN(usd) ? Infinity : usd);
  const crosses = (m: number, from: number, to: number, closed: boolean) => {
    const at = input.bids?.crossings[m].find((time) => time >= from);
    return at !== undefined && at < end && (at < to || (closed && at === to));
  };
  const hourOffset = (m: number) => hops[groupOf[m]].acquireSeconds % step;
  const hourPhase = (m: number) => Math.floor(hops[groupOf[m]].acquireSeconds / step) % P;
  const hourUsd = (k: number, m: number) =>
    epochTimes[k] + hourOffset(m) < end ? finite(paths[m].priceAt(epochTimes[k] + hourOffset(m))) : 0;
  const targetBill = (n: number, s: number, nextEpoch: number) => {
    if (s >= end) return 0;
    const until = Math.min(timeOf(nextEpoch), end);
    if (crosses(n, s, until, false)) return Infinity;
    if (hourly) {
      let total = 0;
      for (let hour = s; hour < until; hour += 3600) total += paths[n].priceAt(hour);
      return finite(total);
    }
    let usd = integrate(paths[n], s, until);
    if (end < s + 60) usd += integrate(paths[n], end, s + 60);
    return finite(usd);
  };
  const workOn = (work: number, from: number, to: number) => {
    const until = Math.min(to, end);
    return from < until ? workload.workBetween(from, until, work) : 0;
  };
  const acquire = (m: number) => hops[groupOf[m]].acquireSeconds;
  return {
    enter(k: number, n: number) {
      const price = paths[n].priceAt(epochTimes[k]);
      if (Number.isNaN(price)) return false;
      if (input.bids === undefined) return true;
      const running = epochTimes[k] + acquire(n);
      const bid = input.bids.bid[n];
      return price <= bid && !(running < end && paths[n].priceAt(running) > bid);
    },
    place: (n: number) => targetBill(n, input.start + acquire(n), model.placeEpochs[groupOf[n]]),
    stay(k: number, m: number, phase: number) {
      const t = epochTimes[k];
      const next = Math.min(timeOf(k + 1), end);
      const blocked = crosses(m, t, next, false);
      if (!hourly) return blocked ? Infinity : finite(integrate(paths[m], t, next));
      const base = blocked ? Infinity : 0;
      return phase === hourPhase(m) ? base + hourUsd(k, m) : base;
    },
    leave(k: number, m: number, phase: number, g: number) {
      const t = epochTimes[k];
      const hop = hops[g];
      const restored = t + hop.acquireSeconds + hop.downtimeSeconds;
      const until = Math.min(restored + hop.terminateSeconds, end);
      if (crosses(m, t, restored, true)) return Infinity;
      if (!hourly) return finite(integrate(paths[m], t, until));
      let total = 0;
      for (let i = 0; k + i < K && epochTimes[k + i] < until; i++) {
        if ((phase + i) % P === hourPhase(m) && epochTimes[k + i] + hourOffset(m) < until)
          total += hourUsd(k + i, m);
      }
      return total;
    },
    arrive(k: number, n: number) {
      const s = epochTimes[k] + acquire(n);
      return s >= end ? Infinity : targetBill(n, s, k + hopEpochs[groupOf[n]]);
    },
    placeWork: (n: number) =>
      workOn(capacity[n], input.start + acquire(n), timeOf(model.placeEpochs[groupOf[n]])),
    stayWork: (k: number, m: number) => workOn(capacity[m], epochTimes[k], Math.min(timeOf(k + 1), end)),
    leaveWork: (k: number, m: number, g: number) =>
      workOn(capacity[m], epochTimes[k], epochTimes[k] + hops[g].acquireSeconds),
    arriveWork(k: number, n: number) {
      const hop = hops[groupOf[n]];
      const s = epochTimes[k] + hop.acquireSeconds;
      return workOn(capacity[n], s + hop.downtimeSeconds, timeOf(k + hopEpochs[groupOf[n]]));
    },
  };
}

/** Times at which a path's price rises from at most `bid` to above it (plan.ts's bid crossings). */
function crossingsOf(path: StepPricePath, bid: number): Float64Array {
  const times: number[] = [];
  path.prices.forEach((price, i) => {
    if (price > bid && (i === 0 || !(path.prices[i - 1] > bid))) times.push(path.times[i]);
  });
  return Float64Array.from(times);
}

describe("optimal cost tables", () => {
  it("hold exactly what the billing functions charge for every move, on random paths", () => {
    const random = new Random(11);
    for (let trial = 0; trial < 60; trial++) {
      const hourly = trial % 2 === 1;
      const step = hourly ? [300, 600, 1200][trial % 3] : [300, 420][trial % 2];
      // Real epoch times are ~1.6e9 s: sums then round, and the tables must round the same way.
      const start = trial % 3 === 0 ? 1_614_643_200 : 0;
      const end = start + step * random.integer(8, 30) + random.integer(0, step - 1);
      const M = random.integer(2, 4);
      const paths = Array.from({ length: M }, () => {
        const points: [number, number][] = [];
        let t = random.next() < 0.3 ? start + random.uniform(0, 3 * step) : -Infinity;
        while (t < end + 2 * step) {
          points.push([t, Math.round(random.uniform(0.01, 2) * 1e4) / 1e4]);
          t =
            (t === -Infinity ? start : t) +
            (random.next() < 0.5 ? random.integer(1, step) : random.uniform(1, 3 * step));
        }
        return steps(points);
      });
      const withBids = trial % 4 >= 2;
      const bid = Float64Array.from({ length: M }, () =>
        random.next() < 0.3 ? Infinity : random.uniform(0.5, 2),
      );
      const input: RunCostInput = {
        start,
        end,
        intervalSeconds: step,
        billing: hourly ? "hourly" : "per-second",
        paths,
        groupOf: Int32Array.from({ length: M }, (_, m) => m % 2),
        hops: [
          { acquireSeconds: 67, downtimeSeconds: 10.7, terminateSeconds: 40 },
          { acquireSeconds: 15.5, downtimeSeconds: 30, terminateSeconds: 25 },
        ],
        capacity: Float64Array.from({ length: M }, () => random.integer(1, 12)),
        demandWork: 8,
        bids: withBids ? { bid, crossings: paths.map((path, n) => crossingsOf(path, bid[n])) } : undefined,
      };
      const model = buildRunCostModel(input);
      const reference = referenceCosts(input, paths, model);
      const { epochs: K, phases: P, groups: G, classOf, classes: C, groupOf } = model;
      const where = `trial ${trial}`;
      for (let n = 0; n < M; n++) {
        expect(model.placeUsd[n], where).toBe(reference.place(n));
        expect(model.placeWork[n], where).toBe(reference.placeWork(n));
      }
      for (let k = 0; k < K; k++) {
        for (let m = 0; m < M; m++) {
          const at = `${where}, epoch ${k}, market ${m}`;
          expect(model.enter[k * M + m], at).toBe(reference.enter(k, m) ? 1 : 0);
          expect(model.arriveUsd[k * M + m], at).toBe(reference.arrive(k, m));
          expect(model.stayWork[k * C + classOf[m]], at).toBe(reference.stayWork(k, m));
          expect(model.arriveWork[(k * C + classOf[m]) * G + groupOf[m]], at).toBe(
            reference.arriveWork(k, m),
          );
          for (let phase = 0; phase < P; phase++) {
            expect(stayCost(model, k, m, phase), `${at}, phase ${phase}`).toBe(reference.stay(k, m, phase));
            for (let g = 0; g < G; g++) {
              expect(leaveCost(model, k, m, phase, g), `${at}, phase ${phase}, group ${g}`).toBe(
                reference.leave(k, m, phase, g),
              );
            }
          }
          for (let g = 0; g < G; g++) {
            expect(model.leaveWork[(k * C + classOf[m]) * G + g], at).toBe(reference.leaveWork(k, m, g));
          }
        }
      }
    }
  });
});

// Acquire 60 s, downtime 30 s, terminate 40 s for every target.
const flat = (usd: number): StepPricePath => steps([[-Infinity, usd]]);

describe("optimal costs under the engine's billing (hand-computed)", () => {
  it("per second: bills the source until terminated and the target from its acquire", () => {
    // Epochs 0, 600, 1200; end 1800. m0 0.36 $/h then 3.60 from 900; m1 0.72; m2 0.35 with a quarter of
    // the capacity (2 of the 8 work units the container wants).
    // Place m0 at 0 (billed 60..600: 0.054), hop to m1 at 600: m0 billed 600..730 (0.013), m1 660..1800 (0.228):
    // 0.295 USD. Work (8 units/h on m0, m1): m0 runs 60..660, down 660..690, m1 runs 690..1800: 1710 s = 3.8.
    // Staying on m2 costs least in USD: 0.35 × 1740 s = 0.169167, for 2 × 1740 s = 0.9667 work (0.175 $/unit)
    // against 0.295 / 3.8 = 0.0776 $/unit for the hop (m0 then m2 at 600: 0.177833 / 1.95 = 0.0912).
    const model = buildRunCostModel({
      start: 0,
      end: 1800,
      intervalSeconds: 600,
      billing: "per-second",
      paths: [
        steps([
          [0, 0.36],
          [900, 3.6],
        ]),
        flat(0.72),
        flat(0.35),
      ],
      groupOf: new Int32Array(3),
      hops: [hop],
      capacity: Float64Array.of(8, 8, 2),
      demandWork: 8,
    });
    const usd = solvePlan(model, "usd");
    expect(Array.from(usd.placeAt)).toEqual([2, -1, -1]);
    expect(usd.costUsd).toBeCloseTo((0.35 * 1740) / 3600, 12);
    const perWork = solvePlan(model, "usd-per-work");
    expect(Array.from(perWork.placeAt)).toEqual([0, 1, -1]);
    expect(perWork.costUsd).toBeCloseTo(0.054 + 0.013 + 0.228, 12);
    expect(perWork.work).toBeCloseTo((8 * 1710) / 3600, 12);
  });

  it("hourly: leaves before the next hour of the source starts, and knows which hours fit before the end", () => {
    // Epochs every 1200 s (3 phases per hour), end 6000. m0 0.50 then 2.00 from 2000; m1 1.00.
    // Place m0 (hours from 60: 0.50 at 60; 3660 would charge 2.00). Hop at 2400: m0 ends at 2530 before
    // 3660; m1 runs from 2460, its second hour would start at 6060 ≥ 6000: 0.50 + 1.00 = 1.50.
    // Hopping at 1200 starts m1 at 1260, so 4860 is a second hour: 2.50; at 3600 m0 ends at 3730 > 3660: 3.50;
    // m1 throughout: 60 and 3660: 2.00; m0 throughout: 2.50; m1 then m0 at 2400: 1.00 + 2.00.
    const model = buildRunCostModel({
      start: 0,
      end: 6000,
      intervalSeconds: 1200,
      billing: "hourly",
      paths: [
        steps([
          [0, 0.5],
          [2000, 2],
        ]),
        flat(1),
      ],
      groupOf: new Int32Array(2),
      hops: [hop],
      capacity: Float64Array.of(8, 8),
      demandWork: 8,
    });
    expect(model.phases).toBe(3);
    const plan = solvePlan(model, "usd");
    expect(plan.costUsd).toBe(1.5);
    expect(Array.from(plan.placeAt)).toEqual([0, -1, 1, -1, -1]);
  });

  it("charges the 60 s minimum to an instance started within a minute of the end", () => {
    // Epochs 0, 300; end 400; hop at 300 to m1: m1 runs from 360, billed to 420 although the run ends at 400.
    // m0 1.00 until 250, then 36.00; m1 0.36. Place m0: 60..300 = 240 s × 1 + 50 s × 36 = 0.0667 + 0.5
    // = 0.5667; hop at 300: m0 300..400 at 36 = 1.0, m1 360..420 at 0.36 = 0.006.
    const model = buildRunCostModel({
      start: 0,
      end: 400,
      intervalSeconds: 300,
      billing: "per-second",
      paths: [
        steps([
          [0, 1],
          [250, 36],
        ]),
        flat(0.36),
      ],
      groupOf: new Int32Array(2),
      hops: [hop],
      capacity: Float64Array.of(8, 8),
      demandWork: 8,
    });
    expect(model.arriveUsd[1 * 2 + 1]).toBeCloseTo((0.36 * 60) / 3600, 12);
    expect(leaveCost(model, 1, 0, 0, 0)).toBeCloseTo((36 * 100) / 3600, 12);
  });

  it("refuses per-second plans whose instances could live under the 60 s minimum", () => {
    const build = () =>
      buildRunCostModel({
        start: 0,
        end: 600,
        intervalSeconds: 30,
        billing: "per-second",
        paths: [flat(1)],
        groupOf: new Int32Array(1),
        hops: [{ acquireSeconds: 0, downtimeSeconds: 0, terminateSeconds: 0 }],
        capacity: Float64Array.of(1),
        demandWork: 1,
      });
    expect(build).toThrow(/live ≥ 60 s/);
  });

  it("refuses a run whose tables would pass the memory budget, naming the size", () => {
    // 90 days at 60 s: 129,600 epochs; 600 markets × (3 doubles + 1 byte + a 2-byte back-pointer) ≈ 2 GiB,
    // under the 150 M states the back-pointers allow.
    const markets = 600;
    const build = () =>
      buildRunCostModel({
        start: 0,
        end: 90 * 86400,
        intervalSeconds: 60,
        billing: "per-second",
        paths: Array.from({ length: markets }, () => flat(1)),
        groupOf: new Int32Array(markets),
        hops: [hop],
        capacity: new Float64Array(markets).fill(8),
        demandWork: 8,
      });
    expect(build).toThrow(HotspotError);
    expect(build).toThrow(/129600 epochs × 600 markets × 1 billing phases, \d+ MiB of tables/);
  });

  it("refuses hourly plans whose epochs do not divide the hour (phases would not repeat)", () => {
    const build = () =>
      buildRunCostModel({
        start: 0,
        end: 7200,
        intervalSeconds: 700,
        billing: "hourly",
        paths: [flat(1)],
        groupOf: new Int32Array(1),
        hops: [hop],
        capacity: Float64Array.of(1),
        demandWork: 1,
      });
    expect(build).toThrow(/divides 3600 s, found 700 s/);
  });
});
