import { describe, expect, it } from "vitest";
import { IndexedMin } from "../../src/util/indexed-min.js";
import { Random } from "../../src/util/random.js";

describe("IndexedMin", () => {
  it("tracks the minimum under updates, ties to the lower index, -1 when nothing is finite", () => {
    const tree = new IndexedMin(5);
    expect(tree.min()).toBe(-1);
    tree.set(3, 2);
    tree.set(1, 2);
    expect(tree.min()).toBe(1);
    tree.set(1, NaN);
    expect(tree.min()).toBe(3);
    tree.set(4, 0.5);
    expect(tree.min()).toBe(4);
    tree.set(4, Infinity);
    tree.set(3, Infinity);
    expect(tree.min()).toBe(-1);
  });

  it("agrees with a full scan on random updates", () => {
    const random = new Random(11);
    const count = 37;
    const values = new Array<number>(count).fill(Infinity);
    const tree = new IndexedMin(count);
    let mismatches = 0;
    for (let step = 0; step < 5000; step++) {
      const index = random.integer(0, count - 1);
      const value = random.next() < 0.1 ? NaN : Math.round(random.next() * 20) / 4;
      values[index] = value;
      tree.set(index, value);
      let best = -1;
      for (let i = 0; i < count; i++) if (values[i] < (best < 0 ? Infinity : values[best])) best = i;
      if (tree.min() !== best) mismatches++;
    }
    expect(mismatches).toBe(0);
  });
});
