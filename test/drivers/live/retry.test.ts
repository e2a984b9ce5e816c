import { describe, expect, it } from "vitest";
import { withRetry } from "../../../src/drivers/live/retry.js";
import type { Clock } from "../../../src/util/clock.js";
import { CloudApiError } from "../../../src/errors.js";

/** A clock that is a fake: sleeping only records the delay. */
function fakeClock(): Clock & { slept: number[] } {
  let now = 0;
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

function failing(codes: Array<[string, boolean]>) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    call: async () => {
      const next = codes[calls++];
      if (next === undefined) return "ok";
      throw new CloudApiError(next[0], next[0], { retryable: next[1] });
    },
  };
}

const policy = { attempts: 4, capacityAttempts: 2, baseDelayMs: 100, maxDelayMs: 300 };

describe("withRetry (fake clock)", () => {
  it("backs off 100, 200, 300 (capped) ms on throttling and then succeeds", async () => {
    const clock = fakeClock();
    const f = failing([
      ["RequestLimitExceeded", true],
      ["RequestLimitExceeded", true],
      ["RequestLimitExceeded", true],
    ]);
    expect(await withRetry(f.call, clock, policy)).toBe("ok");
    expect(clock.slept).toEqual([100, 200, 300]);
    expect(f.calls).toBe(4);
  });

  it("gives up after `attempts` and rethrows the last error", async () => {
    const clock = fakeClock();
    const f = failing(Array.from({ length: 9 }, () => ["RequestLimitExceeded", true] as [string, boolean]));
    await expect(withRetry(f.call, clock, policy)).rejects.toMatchObject({ apiCode: "RequestLimitExceeded" });
    expect(f.calls).toBe(4);
  });

  it("tries capacity errors only `capacityAttempts` times", async () => {
    const clock = fakeClock();
    const f = failing(
      Array.from({ length: 9 }, () => ["InsufficientInstanceCapacity", true] as [string, boolean]),
    );
    await expect(withRetry(f.call, clock, policy)).rejects.toMatchObject({
      apiCode: "InsufficientInstanceCapacity",
    });
    expect([f.calls, clock.slept]).toEqual([2, [100]]);
  });

  it("does not retry a non-retryable error", async () => {
    const clock = fakeClock();
    const f = failing([["InvalidVolume.NotFound", false]]);
    await expect(withRetry(f.call, clock, policy)).rejects.toMatchObject({
      apiCode: "InvalidVolume.NotFound",
    });
    expect([f.calls, clock.slept]).toEqual([1, []]);
  });
});
