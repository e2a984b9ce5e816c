/**
 * The index of the smallest of `count` values under point updates, in O(log count) per update (a
 * tournament tree). Ties go to the lower index; a minimum of Infinity (or NaN everywhere) is -1.
 */
export class IndexedMin {
  private readonly size: number;
  private readonly values: Float64Array;
  /** Node n holds the index of the winning leaf below it; leaves are nodes size..2·size-1. */
  private readonly winner: Int32Array;

  constructor(readonly count: number) {
    let size = 1;
    while (size < count) size *= 2;
    this.size = size;
    this.values = new Float64Array(size).fill(Infinity);
    this.winner = new Int32Array(2 * size);
    for (let leaf = 0; leaf < size; leaf++) this.winner[size + leaf] = leaf;
    for (let node = size - 1; node >= 1; node--) this.winner[node] = this.winner[2 * node];
  }

  /** Sets every value at once (`valueOf(index)` for index < count), rebuilding the tree in O(count). */
  assign(count: number, valueOf: (index: number) => number): void {
    for (let index = 0; index < count; index++) {
      const value = valueOf(index);
      this.values[index] = Number.isNaN(value) ? Infinity : value;
    }
    for (let node = this.size - 1; node >= 1; node--) {
      const left = this.winner[2 * node];
      const right = this.winner[2 * node + 1];
      this.winner[node] = this.values[right] < this.values[left] ? right : left;
    }
  }

  /** Sets value `index`; NaN counts as Infinity (never the minimum). */
  set(index: number, value: number): void {
    const { values, winner } = this;
    values[index] = Number.isNaN(value) ? Infinity : value;
    for (let node = (this.size + index) >> 1; node >= 1; node >>= 1) {
      const left = winner[2 * node];
      const right = winner[2 * node + 1];
      const won = values[right] < values[left] ? right : left;
      // The same other leaf wins here as before: nothing above this node changes.
      if (won === winner[node] && won !== index) return;
      winner[node] = won;
    }
  }

  /** Value `index` (Infinity where it was set to NaN). */
  value(index: number): number {
    return this.values[index];
  }

  /**
   * The index of the smallest finite value but `index`'s, or -1 when there is none: the winners of
   * the siblings on `index`'s path to the root, O(log count).
   */
  minExcept(index: number): number {
    const { values, winner } = this;
    let best = -1;
    let bestValue = Infinity;
    for (let node = this.size + index; node > 1; node >>= 1) {
      const other = winner[node ^ 1];
      const value = values[other];
      if (value < bestValue || (value === bestValue && value !== Infinity && other < best)) {
        best = other;
        bestValue = value;
      }
    }
    return best;
  }

  /** The index of the smallest finite value, or -1 when there is none. */
  min(): number {
    const best = this.winner[1];
    return this.values[best] === Infinity ? -1 : best;
  }
}
