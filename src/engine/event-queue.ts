/**
 * A binary min-heap of events ordered by (time, sequence): events at the same time come out in the
 * order they were scheduled, which makes a run reproducible. Keys live in typed columns that grow by
 * doubling; sifts move a hole instead of swapping, so a push or pop allocates nothing.
 */
export class EventQueue<T> {
  private times = new Float64Array(16);
  private seqs = new Float64Array(16);
  private items: (T | undefined)[] = [];
  private count = 0;
  private nextSeq = 0;

  get size(): number {
    return this.count;
  }

  /** Time of the earliest event, or Infinity when empty. */
  peekTime(): number {
    return this.count === 0 ? Infinity : this.times[0];
  }

  /** Sequence of the earliest event, or Infinity when empty. */
  peekSequence(): number {
    return this.count === 0 ? Infinity : this.seqs[0];
  }

  /**
   * Takes the next sequence number without queueing anything: for an event kept outside the queue
   * that must still come out in scheduling order with the queued ones.
   */
  claimSequence(): number {
    return this.nextSeq++;
  }

  push(time: number, item: T): void {
    if (this.count === this.times.length) this.grow();
    const seq = this.nextSeq++;
    const { times, seqs, items } = this;
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent];
      if (pt < time || (pt === time && seqs[parent] < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent];
      items[i] = items[parent];
      i = parent;
    }
    times[i] = time;
    seqs[i] = seq;
    items[i] = item;
  }

  /** Removes and returns the earliest event; throws when empty. */
  pop(): T {
    if (this.count === 0) throw new RangeError("pop from an empty event queue");
    const { times, seqs, items } = this;
    const top = items[0] as T;
    const n = --this.count;
    const time = times[n];
    const seq = seqs[n];
    const item = items[n];
    items[n] = undefined;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (
        right < n &&
        (times[right] < times[left] || (times[right] === times[left] && seqs[right] < seqs[left]))
      )
        child = right;
      const ct = times[child];
      if (time < ct || (time === ct && seq < seqs[child])) break;
      times[i] = ct;
      seqs[i] = seqs[child];
      items[i] = items[child];
      i = child;
    }
    times[i] = time;
    seqs[i] = seq;
    items[i] = item;
    return top;
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    this.times = times;
    const seqs = new Float64Array(this.seqs.length * 2);
    seqs.set(this.seqs);
    this.seqs = seqs;
  }
}
