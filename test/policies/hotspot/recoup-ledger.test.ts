import { describe, expect, it } from "vitest";
import { RecoupLedger } from "../../../src/policies/hotspot/recoup-ledger.js";

describe("RecoupLedger", () => {
  it("counts a hop's cost once the container is seen on its target, then pays it back at the savings rate", () => {
    const ledger = new RecoupLedger();
    ledger.observe(0, 0);
    ledger.hopChosen(0, 1, 0.3);
    ledger.observe(300, 0); // still on the source: nothing counted yet
    expect([ledger.unrecouped, ledger.reference]).toEqual([0, -1]);
    ledger.observe(600, 1);
    expect([ledger.unrecouped, ledger.reference]).toEqual([0.3, 0]);
    ledger.setSavingsRate(0.36); // USD/hour: 0.1 USD every 1000 s
    ledger.observe(1600, 1);
    expect(ledger.unrecouped).toBeCloseTo(0.2, 12);
    // The rate holds only until the next observation, which sets none: no change over this stretch.
    ledger.observe(5000, 1);
    expect(ledger.unrecouped).toBeCloseTo(0.2, 12);
    ledger.setSavingsRate(3.6);
    ledger.observe(6000, 1);
    expect(ledger.unrecouped).toBe(0); // paid back, never negative
  });

  it("a negative or non-finite rate adds no debt; a forced move clears everything", () => {
    const ledger = new RecoupLedger();
    ledger.hopChosen(2, 3, 1);
    ledger.observe(0, 3);
    ledger.setSavingsRate(-5);
    ledger.observe(3600, 3);
    expect(ledger.unrecouped).toBe(1);
    ledger.setSavingsRate(NaN);
    ledger.observe(7200, 3);
    expect([ledger.unrecouped, ledger.reference]).toEqual([1, 2]);
    ledger.hopChosen(3, 4, 0.5);
    ledger.forcedMove();
    ledger.observe(7300, 4);
    expect([ledger.unrecouped, ledger.reference]).toEqual([0, -1]);
  });
});
