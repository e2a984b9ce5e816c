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

  it("minExcept: the smallest of the others, ties to the lower index, -1 when none is finite", () => {
    const tree = new IndexedMin(6);
    tree.assign(6, (i) => [3, 1, 4, 1, NaN, 2][i]);
    expect([tree.min(), tree.minExcept(1), tree.minExcept(3), tree.minExcept(0)]).toEqual([1, 3, 1, 1]);
    expect(tree.value(4)).toBe(Infinity);
    const single = new IndexedMin(3);
    single.set(2, 5);
    expect([single.minExcept(2), single.minExcept(0)]).toEqual([-1, 2]);
  });

  it("minExcept agrees with a full scan on random values", () => {
    const random = new Random(5);
    const count = 23;
    const tree = new IndexedMin(count);
    const values = new Array<number>(count).fill(Infinity);
    let mismatches = 0;
    for (let step = 0; step < 2000; step++) {
      const index = random.integer(0, count - 1);
      values[index] = random.next() < 0.1 ? Infinity : Math.round(random.next() * 10);
      tree.set(index, values[index]);
      const except = random.integer(0, count - 1);
      let best = -1;
      for (let i = 0; i < count; i++)
        if (i !== except && values[i] < (best < 0 ? Infinity : values[best])) best = i;
      if (tree.minExcept(except) !== best) mismatches++;
    }
    expect(mismatches).toBe(0);
  });
});
