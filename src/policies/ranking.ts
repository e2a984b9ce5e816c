import type { Observation, PriceHistoryView, PriceWatch } from "../engine/types.js";

/**
 * What lets a policy keep its ranking of markets between decisions instead of rescanning every
 * market at every one: the markets whose price changed since its last read, from the look-back view's
 * change log, each once.
 */
export class ChangeReader {
  private view: PriceHistoryView | null = null;
  private read = 0;
  /** `changed[0..count)`: the markets the last `collect` found. */
  changed = new Int32Array(0);
  private seen = new Uint32Array(0);
  private generation = 0;

  /**
   * Collects the markets changed since the last call into `changed` and returns their count, marking
   * the log read; -1 when every market must be re-read instead: the first call, a new view (live runs
   * rebuild it on every poll), no log at all, or at least as many changes as markets.
   */
  collect(observation: Observation): number {
    const { history } = observation;
    const log = history.changeLog;
    const count = observation.markets.length;
    const from = log !== undefined && history === this.view ? this.read : -1;
    this.view = history;
    this.read = log === undefined ? 0 : log.length;
    if (from < 0 || this.read - from >= count) return -1;
    if (this.seen.length !== count) {
      this.seen = new Uint32Array(count);
      this.changed = new Int32Array(count);
      this.generation = 0;
    }
    const generation = ++this.generation;
    let found = 0;
    for (let k = from; k < this.read; k++) {
      const id = log!.marketAt(k);
      if (this.seen[id] === generation) continue;
      this.seen[id] = generation;
      this.changed[found++] = id;
    }
    return found;
  }
}

/**
 * Market ids in ascending order of a key (NaN ranks as Infinity), ties to the lower id, kept sorted
 * under point updates by moving the changed id to its new place (price changes move a market a few
 * places, not across the list).
 */
export class AscendingOrder {
  /** Rank → market id. */
  readonly order: Int32Array;
  private readonly rankOf: Int32Array;
  private readonly keys: Float64Array;

  constructor(count: number) {
    this.order = new Int32Array(count);
    this.rankOf = new Int32Array(count);
    this.keys = new Float64Array(count).fill(Infinity);
    for (let id = 0; id < count; id++) {
      this.order[id] = id;
      this.rankOf[id] = id;
    }
  }

  get size(): number {
    return this.order.length;
  }

  /** Market `id`'s key (Infinity for NaN). */
  key(id: number): number {
    return this.keys[id];
  }

  /** Every key at once (`keyOf(id)`), sorted afresh. */
  assign(keyOf: (id: number) => number): void {
    const keys = this.keys;
    for (let id = 0; id < keys.length; id++) {
      const key = keyOf(id);
      keys[id] = Number.isNaN(key) ? Infinity : key;
    }
    this.order.sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b));
    for (let rank = 0; rank < this.order.length; rank++) this.rankOf[this.order[rank]] = rank;
  }

  set(id: number, key: number): void {
    const keys = this.keys;
    const order = this.order;
    const value = Number.isNaN(key) ? Infinity : key;
    keys[id] = value;
    let rank = this.rankOf[id];
    while (rank > 0) {
      const before = order[rank - 1];
      if (keys[before] < value || (keys[before] === value && before < id)) break;
      order[rank] = before;
      this.rankOf[before] = rank;
      rank--;
    }
    while (rank < order.length - 1) {
      const after = order[rank + 1];
      if (value < keys[after] || (value === keys[after] && id < after)) break;
      order[rank] = after;
      this.rankOf[after] = rank;
      rank++;
    }
    order[rank] = id;
    this.rankOf[id] = rank;
  }
}

/** A stay with a promise and its watch, refilled at every decision that returns it (no allocation). */
export interface WatchedStay {
  readonly kind: "stay";
  readonly reason: string;
  until: number;
  readonly watch: { -readonly [K in keyof PriceWatch]: PriceWatch[K] };
}

/** A stay promising until `Infinity`, its watch letting every price change pass until it is set. */
export function watchedStay(reason: string): WatchedStay {
  return {
    kind: "stay",
    reason,
    until: Infinity,
    watch: {
      market: -1,
      other: -1,
      lowest: -1,
      ceiling: Infinity,
      divisors: new Float64Array(0),
      line: Infinity,
    },
  };
}

/**
 * A stay no price can change, for a run of `markets` markets: every change passes its watch. Each
 * divisor is NaN rather than absent, so the replay loop never reads past the array (which would cost
 * it its typed feedback for every policy after).
 */
export function priceBlindStay(reason: string, markets: number): WatchedStay {
  const stay = watchedStay(reason);
  stay.watch.divisors = new Float64Array(markets).fill(NaN);
  return stay;
}
