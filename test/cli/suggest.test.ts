import { describe, expect, it } from "vitest";
import { closest, editDistance } from "../../src/cli/suggest.js";

describe("editDistance", () => {
  it("counts insertions, deletions and substitutions", () => {
    expect(editDistance("memory", "memory")).toBe(0);
    expect(editDistance("memorry", "memory")).toBe(1);
    expect(editDistance("polcy", "policy")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
  });
});

describe("closest", () => {
  it("suggests only near misses", () => {
    const known = ["memory", "policy", "interval", "skip-bad-rows"];
    expect(closest("memorry", known)).toBe("memory");
    expect(closest("intreval", known)).toBe("interval");
    expect(closest("skip-bad-row", known)).toBe("skip-bad-rows");
    expect(closest("zzz", known)).toBeUndefined();
  });
});
