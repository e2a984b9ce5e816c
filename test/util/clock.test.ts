import { describe, expect, it } from "vitest";
import { HotspotError } from "../../src/errors.js";
import { nowSeconds, pollFor, wallClock } from "../../src/util/clock.js";
import { FakeClock } from "../support/fake-clock.js";

describe("pollFor on an injected clock", () => {
  it("returns the first value, sleeping pollMs between checks", async () => {
    const clock = new FakeClock(1_000);
    let calls = 0;
    const value = await pollFor(clock, "x", { timeoutMs: 10_000, pollMs: 250 }, async () =>
      ++calls === 4 ? "ready" : null,
    );
    expect(value).toBe("ready");
    expect(clock.sleeps).toEqual([250, 250, 250]);
    expect(nowSeconds(clock)).toBe(1.75);
  });

  it("gives up once the deadline has passed, naming what it waited for", async () => {
    const clock = new FakeClock();
    const error = await pollFor(
      clock,
      "the volume",
      { timeoutMs: 1_000, pollMs: 300 },
      async () => null,
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HotspotError);
    expect((error as HotspotError).code).toBe("HOTSPOT_TIMEOUT");
    expect((error as Error).message).toBe("timed out after 1 s waiting for the volume");
    // Checks at 0, 300, 600, 900 and 1200 ms: the last is past the 1000 ms deadline.
    expect(clock.sleeps).toEqual([300, 300, 300, 300]);
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
