import { describe, expect, it } from "vitest";
import { isGone } from "../../../../src/drivers/live/hop/instance-state.js";

describe("isGone", () => {
  it("is true for no instance and for shutting-down, terminated, stopping and stopped", () => {
    expect(isGone(null)).toBe(true);
    const states = ["pending", "running", "shutting-down", "terminated", "stopping", "stopped"] as const;
    expect(states.filter((state) => isGone({ state }))).toEqual([
      "shutting-down",
      "terminated",
      "stopping",
      "stopped",
    ]);
  });
});
