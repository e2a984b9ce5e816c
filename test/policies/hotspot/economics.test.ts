import { describe, expect, it } from "vitest";
import {
  costEfficiency,
  expectedSavings,
  expectedUtilisation,
  isSaturated,
  savingsHorizon,
  transactionCost,
  usedWork,
} from "../../../src/policies/hotspot/economics.js";

const hop = { acquireSeconds: 100, downtimeSeconds: 40, terminateSeconds: 20 };

describe("the HotSpot policy's equations", () => {
  it("u_i = min(w / W_i, 1), floored at 1e-6 for an idle container", () => {
    expect(expectedUtilisation(4, 16)).toBe(0.25);
    expect(expectedUtilisation(20, 16)).toBe(1);
    expect(expectedUtilisation(0, 16)).toBe(1e-6);
  });

  it("saturation is u ≥ 1 − ε; a saturated server's used work is at least the declared demand", () => {
    expect([isSaturated(0.95, 0.05), isSaturated(0.94, 0.05)]).toEqual([true, false]);
    expect(usedWork(0.5, 8, 100, 0.05)).toBe(4);
    expect(usedWork(1, 8, 12, 0.05)).toBe(12);
    expect(usedWork(1, 8, 6, 0.05)).toBe(8);
    expect(usedWork(1, 8, Infinity, 0.05)).toBe(Infinity);
  });

  it("(1) e_i = p / (W u): 0.4 USD/h on 8 units used half is 0.1 USD per work-unit-hour", () => {
    expect(costEfficiency(0.4, 8, 0.5)).toBe(0.1);
  });

  it("(2) C = (p_t T_d + p_s max(T_r, T_a + T_d + T_k)) / 3600", () => {
    // (0.36 × 40 + 0.72 × 160) / 3600: the source is paid 100 + 40 + 20 s, more than the 60 s left.
    expect(transactionCost(0.36, 0.72, 60, hop)).toBeCloseTo(0.036, 12);
    // (0.36 × 40 + 0.72 × 3600) / 3600: a paid hour left costs the source the whole hour.
    expect(transactionCost(0.36, 0.72, 3600, hop)).toBeCloseTo(0.724, 12);
  });

  it("(3) S = (e_c − e_i) × (u W) × T / 3600, negative when the candidate is worse", () => {
    expect(expectedSavings(0.1, 0.04, 8, 7200)).toBeCloseTo(0.96, 12);
    expect(expectedSavings(0.04, 0.1, 8, 3600)).toBeCloseTo(-0.48, 12);
  });

  it("T = max(billing interval, mean time to change), the window standing in for an infinite mean", () => {
    expect(savingsHorizon(3600, 7200, 86400)).toBe(7200);
    expect(savingsHorizon(3600, 600, 86400)).toBe(3600);
    expect(savingsHorizon(1, Infinity, 86400)).toBe(86400);
  });
});
