import { describe, expect, it } from "vitest";
import { ManualScheduler } from "../../../src/cloud/local/clock.js";

describe("ManualScheduler", () => {
  it("fires timers in (due, creation) order, only up to the target time, and cancels", async () => {
    const clock = new ManualScheduler(1000);
    const fired: string[] = [];
    clock.schedule(30, () => fired.push("b@1030"));
    clock.schedule(10, () => fired.push("a@1010"));
    clock.schedule(30, () => fired.push("c@1030"));
    const cancel = clock.schedule(20, () => fired.push("cancelled"));
    cancel();
    clock.schedule(50, () => clock.schedule(5, () => fired.push(`chained@${clock.now()}`)));
    await clock.advance(30);
    expect(fired).toEqual(["a@1010", "b@1030", "c@1030"]);
    expect(clock.now()).toBe(1030);
    await clock.advance(100);
    expect(fired).toEqual(["a@1010", "b@1030", "c@1030", "chained@1055"]);
    expect(clock.now()).toBe(1130);
    expect(clock.pending).toBe(0);
  });
});
