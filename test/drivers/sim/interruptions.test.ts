import { describe, expect, it } from "vitest";
import { buildZoneScenario } from "../../../src/drivers/sim/markets.js";
import {
  advisorBucketFrequency,
  hazardPerHour,
  resolveInterruptionModel,
} from "../../../src/drivers/sim/interruptions.js";
import { simulateZone } from "../../../src/drivers/sim/run.js";
import { greedyPolicy } from "../../../src/policies/greedy.js";
import { resolveParams } from "../../../src/policies/index.js";
import { spotStayPolicy } from "../../../src/policies/spot-stay.js";
import { hotspotPolicy } from "../../../src/policies/hotspot.js";
import { onDemandPolicy } from "../../../src/policies/on-demand.js";
import type { PolicyDefinition } from "../../../src/engine/policy.js";
import { handResolution, handTrace, simConfig, twoTypes } from "./fixtures.js";

describe("Spot Advisor hazards", () => {
  it("turns a monthly frequency f into λ with 1 − e^(−λ·720 h) = f", () => {
    for (const f of advisorBucketFrequency) expect(1 - Math.exp(-hazardPerHour(f) * 720)).toBeCloseTo(f, 12);
  });

  it("interrupts spot servers with seeded capacity events; noticed servers are left in time", async () => {
    const zone = "us-east-1a";
    const trace = handTrace(
      [
        [zone, "a.large", 0, 0.3],
        [zone, "b.large", 0, 0.4],
      ],
      { start: 0, end: 730 * 86400 },
    );
    const advisor = {
      source: "hand",
      region: "us-east-1",
      os: "Linux",
      bucketOfType: new Map([
        ["a.large", 4],
        ["b.large", 4],
      ]),
    };
    const config = simConfig({ interruptions: { kind: "advisor", advisor } });
    const scenario = buildZoneScenario(trace, zone, handResolution(twoTypes));
    const run = await simulateZone(trace, scenario, config, spotStayPolicy, { fallback: 1 });
    const again = await simulateZone(trace, scenario, config, spotStayPolicy, { fallback: 1 });
    expect(JSON.stringify(again.result)).toBe(JSON.stringify(run.result));
    // 22.5%/month over two years: several notices; each noticed server is left before it is reclaimed
    // (spot acquire 67 s + checkpoint 2 s + transfer 6.9 s < 120 s).
    expect(run.result.notices).toBeGreaterThan(2);
    expect(run.result.hops).toBe(run.result.notices);
    expect(run.result.revocations).toBe(0);
    expect(run.result.lostWork).toBe(0);
    const downtime = run.result.downtimes.reduce((a, b) => a + b, 0);
    // 10 ECU whenever the container runs: from the first acquire (67 s) to the end, minus downtime.
    expect(run.result.work).toBeCloseTo((10 * (730 * 86400 - 67 - downtime)) / 3600, 6);
  });

  it("gives every policy the same capacity events (common random numbers)", async () => {
    const zone = "us-east-1a";
    const trace = handTrace([[zone, "a.large", 0, 0.3]], { start: 0, end: 365 * 86400 });
    const advisor = {
      source: "hand",
      region: "us-east-1",
      os: "Linux",
      bucketOfType: new Map([["a.large", 4]]),
    };
    const config = simConfig({ interruptions: { kind: "advisor", advisor } });
    const scenario = buildZoneScenario(trace, zone, handResolution(twoTypes));
    const noticeTimes = async (policy: typeof spotStayPolicy) => {
      const defaults = resolveParams(policy, {});
      const { result } = await simulateZone(trace, scenario, config, policy, defaults);
      return result.timeline.filter((e) => e.kind === "notice").map((e) => e.time);
    };
    // Both stay on a.large spot (the only spot market) and hop to a fresh a.large server on notice.
    const stay = await noticeTimes(spotStayPolicy);
    expect(stay.length).toBeGreaterThan(0);
    expect(await noticeTimes(greedyPolicy)).toEqual(stay);
  });
});

describe("rebalance recommendations ahead of advisor capacity events (--rebalance-lead)", () => {
  const zone = "us-east-1a";
  // a.large (interrupted at 22.5%/month) is the cheapest at first; b.large (not in the feed: never
  // interrupted) undercuts it by $0.0001/h after a day, far less than a hop costs.
  const trace = handTrace(
    [
      [zone, "a.large", 0, 0.3],
      [zone, "b.large", 0, 0.31],
      [zone, "b.large", 86400, 0.2999],
    ],
    { start: 0, end: 730 * 86400 },
  );
  const scenario = buildZoneScenario(trace, zone, handResolution(twoTypes));
  const advisor = {
    source: "hand",
    region: "us-east-1",
    os: "Linux",
    bucketOfType: new Map([["a.large", 4]]),
  };
  const config = (seed: number, lead: number) =>
    simConfig({ seed, interruptions: { kind: "advisor", advisor, rebalanceLeadSeconds: lead } });
  const defaults = (policy: PolicyDefinition) => resolveParams(policy, {});
  const run = (policy: PolicyDefinition, seed: number, lead: number) =>
    simulateZone(trace, scenario, config(seed, lead), policy, defaults(policy));
  /** When the container first hops away from a.large spot (market 0), or Infinity. */
  const firstLeave = (timeline: readonly { kind: string; time: number; marketId: number }[]) =>
    timeline.find((e) => e.kind === "hop" && e.marketId !== 0)?.time ?? Infinity;

  it("hotspot leaves the market no later with a 600 s lead than without it, and strictly earlier here", async () => {
    for (let seed = 1; seed <= 8; seed++) {
      const without = (await run(hotspotPolicy, seed, 0)).result;
      const withLead = (await run(hotspotPolicy, seed, 600)).result;
      const before = firstLeave(without.timeline);
      const after = firstLeave(withLead.timeline);
      // Without: the saving never pays for a hop, so it leaves on the first capacity event's notice
      // (120 s ahead); with: at the first 300 s decision within 600 s of it, for b.large.
      expect(Number.isFinite(before)).toBe(true);
      expect(after).toBeLessThan(before);
      expect(after).toBeGreaterThanOrEqual(before + 120 - 600);
      expect(withLead.timeline.find((e) => e.time === after)!.reason).toMatch(/^rebalance recommendation/);
      expect(withLead.notices).toBeLessThan(without.notices);
    }
  });

  it("same seed, same run: recommendations are drawn from the capacity events, nothing else", async () => {
    const first = await run(hotspotPolicy, 3, 600);
    const again = await run(hotspotPolicy, 3, 600);
    expect(JSON.stringify(again.result)).toBe(JSON.stringify(first.result));
  });

  it("policies that ignore recommendations give byte-identical results with and without them", async () => {
    for (const policy of [greedyPolicy, spotStayPolicy, onDemandPolicy]) {
      const without = await run(policy, 5, 0);
      const withLead = await run(policy, 5, 600);
      expect(JSON.stringify(withLead.result)).toBe(JSON.stringify(without.result));
    }
  });
});

describe("resolveInterruptionModel", () => {
  it("resolves auto by era: bid before 2017-11-28, none from then on; named models stay", () => {
    const smoothedStart = Date.UTC(2017, 10, 28) / 1000;
    expect(resolveInterruptionModel("auto", smoothedStart - 1)).toBe("bid");
    expect(resolveInterruptionModel("auto", smoothedStart)).toBe("none");
    expect(resolveInterruptionModel("advisor", smoothedStart - 1)).toBe("advisor");
    expect(resolveInterruptionModel("none", 0)).toBe("none");
  });
});
