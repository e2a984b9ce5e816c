import { describe, expect, it } from "vitest";
import { nowSeconds, pollFor, wallClock, type LiveClock } from "../../../src/drivers/live/clock.js";
import { HotspotError } from "../../../src/errors.js";

/** Virtual time: sleeping advances it and records how long. */
function manualClock(start = 0): LiveClock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

describe("nowSeconds", () => {
  it("is the clock's milliseconds in seconds", () => {
    expect(nowSeconds({ now: () => 1_500_000_000_250 })).toBe(1_500_000_000.25);
  });
});

describe("pollFor", () => {
  it("polls every pollMs until check gives a value, and returns it", async () => {
    const clock = manualClock();
    let calls = 0;
    const value = await pollFor(clock, "x", { timeoutMs: 10_000, pollMs: 500 }, async () =>
      ++calls === 3 ? "ready" : null,
    );
    expect([value, calls, clock.slept]).toEqual(["ready", 3, [500, 500]]);
  });

  it("gives up with HOTSPOT_TIMEOUT naming what it waited for once past the deadline", async () => {
    const clock = manualClock(1000);
    let calls = 0;
    const error = await pollFor(clock, "the volume to attach", { timeoutMs: 1500, pollMs: 500 }, async () => {
      calls++;
      return null;
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HotspotError);
    expect([(error as HotspotError).code, (error as Error).message]).toEqual([
      "HOTSPOT_TIMEOUT",
      "timed out after 1.5 s waiting for the volume to attach",
    ]);
    // Checked at 0, 500, 1000, 1500 (not yet past) and 2000 ms: past the 1500 ms deadline.
    expect(calls).toBe(5);
  });
});

describe("wallClock.sleep", () => {
  it("resolves at once on a signal already aborted, and when the signal aborts", async () => {
    const aborted = new AbortController();
    aborted.abort();
    await wallClock.sleep(3_600_000, aborted.signal);
    const later = new AbortController();
    const sleeping = wallClock.sleep(3_600_000, later.signal);
    later.abort();
    await expect(sleeping).resolves.toBeUndefined();
  });
});
