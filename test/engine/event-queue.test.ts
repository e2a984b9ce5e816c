import { describe, expect, it } from "vitest";
import { EventQueue } from "../../src/engine/event-queue.js";
import { Random } from "../../src/util/random.js";

describe("EventQueue", () => {
  it("pops by time, and in scheduling order at equal times", () => {
    const queue = new EventQueue<string>();
    queue.push(5, "e");
    queue.push(1, "a");
    queue.push(3, "c1");
    queue.push(3, "c2");
    queue.push(1, "b");
    queue.push(3, "c3");
    const out: string[] = [];
    while (queue.size > 0) out.push(queue.pop());
    expect(out).toEqual(["a", "b", "c1", "c2", "c3", "e"]);
    expect(queue.peekTime()).toBe(Infinity);
  });

  it("orders 2,000 random events like a stable sort", () => {
    const random = new Random(3);
    const queue = new EventQueue<number>();
    const items = Array.from({ length: 2000 }, (_, i) => ({ time: random.integer(0, 50), i }));
    for (const item of items) queue.push(item.time, item.i);
    const expected = [...items].sort((a, b) => a.time - b.time || a.i - b.i).map((item) => item.i);
    const out: number[] = [];
    while (queue.size > 0) out.push(queue.pop());
    expect(out).toEqual(expected);
  });

  it("interleaves pushes and pops like a stable sort of what is queued at each pop", () => {
    const random = new Random(5);
    const queue = new EventQueue<number>();
    const pending: { time: number; i: number }[] = [];
    let now = 0;
    for (let i = 0; i < 3000; i++) {
      if (pending.length > 0 && random.next() < 0.45) {
        pending.sort((a, b) => a.time - b.time || a.i - b.i);
        const first = pending.shift()!;
        expect(queue.peekTime()).toBe(first.time);
        expect(queue.pop()).toBe(first.i);
        now = first.time;
      } else {
        const time = now + random.integer(0, 20);
        pending.push({ time, i });
        queue.push(time, i);
      }
      expect(queue.size).toBe(pending.length);
    }
  });

  it("orders an event kept outside by the sequence it claimed: after those pushed before, before those pushed after", () => {
    const queue = new EventQueue<string>();
    queue.push(7, "before");
    const outside = queue.claimSequence();
    queue.push(7, "after");
    expect(queue.peekSequence()).toBeLessThan(outside);
    expect(queue.pop()).toBe("before");
    expect(queue.peekSequence()).toBeGreaterThan(outside);
    expect(queue.pop()).toBe("after");
    expect(queue.peekSequence()).toBe(Infinity);
  });

  it("refuses to pop when empty", () => {
    expect(() => new EventQueue<number>().pop()).toThrow(RangeError);
  });
});
