import { describe, expect, it } from "vitest";
import { freshArrays, Scratch } from "../../src/util/scratch.js";

describe("Scratch", () => {
  it("hands a slot's memory back for requests that fit, and grows it to exactly a larger one", () => {
    const scratch = new Scratch();
    const first = scratch.float64("a", 100);
    first[99] = 7;
    const again = scratch.float64("a", 80);
    expect(again.buffer).toBe(first.buffer);
    expect(again.length).toBe(80);
    expect(scratch.float64("a", 100)[99]).toBe(7);
    const grown = scratch.float64("a", 101);
    expect(grown.buffer).not.toBe(first.buffer);
    // Smaller requests keep the larger buffer.
    expect(scratch.float64("a", 10).buffer).toBe(grown.buffer);
    expect(scratch.bytes).toBe(101 * 8);
  });

  it("keeps slots apart, whatever their element types", () => {
    const scratch = new Scratch();
    const a = scratch.int32("a", 10);
    const b = scratch.int16("b", 10);
    const c = scratch.uint8("c", 10);
    expect(new Set([a.buffer, b.buffer, c.buffer]).size).toBe(3);
    expect(scratch.bytes).toBe(40 + 20 + 10);
    scratch.release();
    expect(scratch.bytes).toBe(0);
    expect(scratch.int32("a", 10).buffer).not.toBe(a.buffer);
  });

  it("freshArrays allocates zeroed arrays on every request", () => {
    const a = freshArrays.float64("a", 4);
    a[0] = 1;
    const b = freshArrays.float64("a", 4);
    expect(b.buffer).not.toBe(a.buffer);
    expect([...b]).toEqual([0, 0, 0, 0]);
    expect(freshArrays.int16("x", 3)).toBeInstanceOf(Int16Array);
  });
});
