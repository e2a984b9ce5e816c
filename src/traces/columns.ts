import type { SeriesKey } from "./types.js";

/**
 * Maps a series key, given as the bytes `zone\ttype\tproduct`, to a dense id without creating a string
 * per row: an open-addressing table over FNV-1a hashes, keys kept once in one byte store.
 */
export class SeriesInterner {
  private slots = new Int32Array(1024).fill(-1);
  private hashes = new Int32Array(64);
  private offsets = new Uint32Array(65);
  private store = Buffer.alloc(4096);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The id of the key `bytes[0, length)`, or -1 when it was never added. `hash` may be precomputed. */
  find(bytes: Uint8Array, length: number, hash = hashBytes(bytes, length)): number {
    return this.lookup(bytes, length, hash) >> 1;
  }

  /** `find` for the key `a\tb\tc` given as three byte ranges, compared in place. */
  findParts(
    a: Uint8Array,
    aStart: number,
    aEnd: number,
    b: Uint8Array,
    bStart: number,
    bEnd: number,
    c: Uint8Array,
    cStart: number,
    cEnd: number,
    hash: number,
  ): number {
    const length = aEnd - aStart + (bEnd - bStart) + (cEnd - cStart) + 2;
    const mask = this.slots.length - 1;
    const store = this.store;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = this.slots[slot];
      if (id < 0) return -1;
      if (this.hashes[id] !== hash) continue;
      let at = this.offsets[id];
      if (this.offsets[id + 1] - at !== length) continue;
      let same = true;
      for (let i = aStart; i < aEnd && same; i++) same = store[at++] === a[i];
      same &&= store[at++] === 9;
      for (let i = bStart; i < bEnd && same; i++) same = store[at++] === b[i];
      same &&= store[at++] === 9;
      for (let i = cStart; i < cEnd && same; i++) same = store[at++] === c[i];
      if (same) return id;
    }
  }

  /** Adds the key and returns its id (the next dense id). Call only after `find` returned -1. */
  add(bytes: Uint8Array, length: number, hash = hashBytes(bytes, length)): number {
    const id = this.count;
    if (id + 1 >= this.hashes.length) {
      this.hashes = grow(this.hashes, this.hashes.length * 2);
      this.offsets = grow(this.offsets, this.offsets.length * 2);
    }
    const offset = this.offsets[id];
    if (offset + length > this.store.length) {
      const bigger = Buffer.alloc(Math.max(this.store.length * 2, offset + length));
      this.store.copy(bigger, 0, 0, offset);
      this.store = bigger;
    }
    this.store.set(bytes.subarray(0, length), offset);
    this.offsets[id + 1] = offset + length;
    this.hashes[id] = hash;
    if ((id + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    this.place(id, hash);
    this.count = id + 1;
    return id;
  }

  /** Every key, in id order. */
  keys(): SeriesKey[] {
    const keys: SeriesKey[] = [];
    for (let id = 0; id < this.count; id++) {
      const [zone, instanceType, product] = this.store
        .toString("utf8", this.offsets[id], this.offsets[id + 1])
        .split("\t");
      keys.push({ zone, instanceType, product });
    }
    return keys;
  }

  // Returns id * 2 when found, -1 (odd) when absent.
  private lookup(bytes: Uint8Array, length: number, hash: number): number {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = this.slots[slot];
      if (id < 0) return -1;
      if (this.hashes[id] !== hash) continue;
      const offset = this.offsets[id];
      if (this.offsets[id + 1] - offset !== length) continue;
      let same = true;
      for (let i = 0; i < length; i++) {
        if (this.store[offset + i] !== bytes[i]) {
          same = false;
          break;
        }
      }
      if (same) return id * 2;
    }
  }

  private place(id: number, hash: number): void {
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    while (this.slots[slot] >= 0) slot = (slot + 1) & mask;
    this.slots[slot] = id;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size).fill(-1);
    for (let id = 0; id < this.count; id++) this.place(id, this.hashes[id]);
  }
}

/** FNV-1a offset basis; a caller may fold bytes in with `fnvStep` as it copies them. Hashes are int32. */
// As an int32, so the running hash keeps one small-integer representation in optimised code.
export const fnvStart = 0x811c9dc5 | 0;

export function fnvStep(hash: number, byte: number): number {
  return Math.imul(hash ^ byte, 0x01000193);
}

export function hashBytes(bytes: Uint8Array, length: number): number {
  let hash = fnvStart;
  for (let i = 0; i < length; i++) hash = fnvStep(hash, bytes[i]);
  return hash;
}

function grow<T extends Float64Array | Uint32Array | Int32Array>(array: T, size: number): T {
  const bigger = new (array.constructor as { new (n: number): T })(size);
  bigger.set(array);
  return bigger;
}

/** Growable typed-array columns, appended to in file order. */
export class ColumnBuilder {
  time = new Float64Array(1 << 16);
  price = new Float64Array(1 << 16);
  seriesId = new Uint32Array(1 << 16);
  length = 0;

  append(seriesId: number, time: number, price: number): void {
    const at = this.length;
    if (at === this.time.length) {
      const size = at * 2;
      this.time = grow(this.time, size);
      this.price = grow(this.price, size);
      this.seriesId = grow(this.seriesId, size);
    }
    this.time[at] = time;
    this.price[at] = price;
    this.seriesId[at] = seriesId;
    this.length = at + 1;
  }
}

export interface Columns {
  readonly time: Float64Array;
  readonly seriesId: Uint32Array;
  readonly price: Float64Array;
}

export interface SortedColumns extends Columns {
  /** Rows dropped for repeating another row's series, time and price. */
  readonly duplicatesDropped: number;
  /** Rows dropped because a later row (in file order) gave the same series and time another price. */
  readonly conflictsDropped: number;
}

/**
 * Renumbers series so ids follow the keys' sort order (zone, type, product): the same data gives the
 * same ids whatever order the file lists it in. Returns the sorted keys; rewrites `seriesId` in place.
 */
export function canonicalSeriesOrder(
  keys: readonly SeriesKey[],
  seriesId: Uint32Array,
  length: number,
): SeriesKey[] {
  const order = keys.map((_, id) => id);
  order.sort((a, b) => compareKeys(keys[a], keys[b]));
  const newId = new Uint32Array(keys.length);
  order.forEach((oldId, id) => (newId[oldId] = id));
  for (let i = 0; i < length; i++) seriesId[i] = newId[seriesId[i]];
  return order.map((oldId) => keys[oldId]);
}

function compareKeys(a: SeriesKey, b: SeriesKey): number {
  return (
    compareStrings(a.zone, b.zone) ||
    compareStrings(a.instanceType, b.instanceType) ||
    compareStrings(a.product, b.product)
  );
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Sorts rows by (time, seriesId) and drops repeated (series, time) rows. Among rows with the same
 * series and time the last one in file order is kept (for appended fetches, the newest fetch wins).
 * Of a group of g rows with d distinct prices, g - d are duplicates and d - 1 conflicts.
 * Already sorted and reverse-sorted input (CSV exports, newest-first JSON) skip the general sort.
 */
export function sortAndDedup(input: Columns, length: number): SortedColumns {
  const { time, seriesId } = input;
  let ascending = true;
  let descending = true;
  let inOrder = true;
  for (let i = 1; i < length && (ascending || descending); i++) {
    if (time[i] < time[i - 1]) ascending = false;
    else if (time[i] > time[i - 1]) descending = false;
    else if (seriesId[i] < seriesId[i - 1]) inOrder = false;
  }
  // Already in (time, series) order: deduplicate in place, with no permutation.
  if (ascending && inOrder) return gatherDistinct(input, length, null);
  // `order` lists file positions; ties on (time, series) keep file order, so the last one wins.
  const order = new Uint32Array(length);
  if (ascending) {
    for (let i = 0; i < length; i++) order[i] = i;
  } else if (descending) {
    // Reversing puts equal times in reverse file order; the run sort below restores file order.
    for (let i = 0; i < length; i++) order[i] = length - 1 - i;
  } else {
    for (let i = 0; i < length; i++) order[i] = i;
    order.sort((a, b) => time[a] - time[b] || seriesId[a] - seriesId[b] || a - b);
  }
  if (ascending || descending) sortEqualTimeRuns(order, time, seriesId);
  return gatherDistinct(input, length, order);
}

// Within each run of equal time, order by (series, file position). Most runs are short and take an
// insertion sort; a long one (a million series stamped alike) takes the O(n log n) comparison sort.
const shortRun = 16;

function sortEqualTimeRuns(order: Uint32Array, time: Float64Array, seriesId: Uint32Array): void {
  const length = order.length;
  const bySeriesThenPosition = (a: number, b: number) => seriesId[a] - seriesId[b] || a - b;
  let runStart = 0;
  for (let i = 1; i <= length; i++) {
    if (i < length && time[order[i]] === time[order[runStart]]) continue;
    if (i - runStart > shortRun) {
      order.subarray(runStart, i).sort(bySeriesThenPosition);
      runStart = i;
      continue;
    }
    for (let j = runStart + 1; j < i; j++) {
      const row = order[j];
      const series = seriesId[row];
      let k = j - 1;
      while (k >= runStart) {
        const other = order[k];
        if (seriesId[other] < series || (seriesId[other] === series && other < row)) break;
        order[k + 1] = other;
        k--;
      }
      order[k + 1] = row;
    }
    runStart = i;
  }
}

// Keeps the last row of each (time, series) group, visiting rows in `order`, or in file order when
// null, then writing over the input: groups before row i kept at most i rows, so unread rows survive.
function gatherDistinct(input: Columns, length: number, order: Uint32Array | null): SortedColumns {
  const time = order === null ? input.time : new Float64Array(length);
  const seriesId = order === null ? input.seriesId : new Uint32Array(length);
  const price = order === null ? input.price : new Float64Array(length);
  const at = (position: number) => (order === null ? position : order[position]);
  let kept = 0;
  let duplicatesDropped = 0;
  let conflictsDropped = 0;
  for (let i = 0; i < length; i++) {
    const row = at(i);
    const t = input.time[row];
    const s = input.seriesId[row];
    const next = i + 1 < length ? at(i + 1) : -1;
    if (next >= 0 && input.time[next] === t && input.seriesId[next] === s) continue;
    // `row` is the last of its (time, series) group. An earlier row whose price recurs later in the
    // group is a duplicate; the last row of each other distinct price is a conflict the kept row overrides.
    const p = input.price[row];
    let groupStart = i;
    while (
      groupStart > 0 &&
      input.time[at(groupStart - 1)] === t &&
      input.seriesId[at(groupStart - 1)] === s
    ) {
      groupStart--;
    }
    if (i - groupStart >= shortRun) {
      // Of g rows with d distinct prices, g - d are duplicates and d - 1 conflicts: count d sorted.
      const prices = new Float64Array(i - groupStart + 1);
      for (let j = groupStart; j <= i; j++) prices[j - groupStart] = input.price[at(j)];
      prices.sort();
      let distinct = 1;
      for (let j = 1; j < prices.length; j++) if (prices[j] !== prices[j - 1]) distinct++;
      duplicatesDropped += prices.length - distinct;
      conflictsDropped += distinct - 1;
    } else {
      for (let j = groupStart; j < i; j++) {
        const q = input.price[at(j)];
        let recurs = false;
        for (let k = j + 1; k <= i && !recurs; k++) recurs = input.price[at(k)] === q;
        if (recurs) duplicatesDropped++;
        else conflictsDropped++;
      }
    }
    time[kept] = t;
    seriesId[kept] = s;
    price[kept] = p;
    kept++;
  }
  return {
    time: time.subarray(0, kept),
    seriesId: seriesId.subarray(0, kept),
    price: price.subarray(0, kept),
    duplicatesDropped,
    conflictsDropped,
  };
}
