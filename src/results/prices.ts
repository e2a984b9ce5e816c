import type { StepPricePath } from "../engine/price-paths.js";
import type { Market } from "../engine/types.js";
import { deliveredWork, fitsMemory } from "../engine/candidates.js";
import { isoSeconds } from "../util/iso-seconds.js";

/** Slices of the window a results document's price summary keeps: twice a report chart's 640 px. */
export const PRICE_COLUMNS = 1280;

/** A step function sampled per column: from column `column[i]` on, the value is `value[i]` (NaN: none). */
export interface ColumnSteps {
  readonly column: number[];
  readonly value: number[];
}

function minKnown(a: number, b: number): number {
  if (Number.isNaN(a)) return b;
  if (Number.isNaN(b)) return a;
  return a < b ? a : b;
}

function same(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/**
 * The lowest value a step function takes in each of `columns` equal slices of [start, end), as steps
 * (a new step only where the column minimum changes, so a flat series is one step). The step function
 * is `values[i]` from `times[i]` (sorted) until the next change; NaN before the first. Keeping each
 * column's minimum keeps the lower envelope of many series exactly, at the columns' resolution, in at
 * most `columns` steps however many changes there were. Reads only the changes from the one in effect
 * at `start` on.
 */
export function columnMinima(
  times: ArrayLike<number>,
  values: ArrayLike<number>,
  start: number,
  end: number,
  columns: number,
): ColumnSteps {
  const steps: ColumnSteps = { column: [], value: [] };
  const emit = (column: number, value: number) => {
    const last = steps.value.length - 1;
    if (last >= 0 && same(steps.value[last], value)) return;
    steps.column.push(column);
    steps.value.push(value);
  };
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] <= start) lo = mid + 1;
    else hi = mid;
  }
  let carried = lo > 0 ? values[lo - 1] : NaN;
  let column = 0;
  let lowest = carried;
  for (let i = lo; i < times.length && times[i] < end; i++) {
    // Multiply before dividing: integer times and columns then land in their column exactly.
    const scaled = (times[i] - start) * columns;
    const at = Math.min(columns - 1, Math.floor(scaled / (end - start)));
    if (at > column) {
      emit(column, lowest);
      if (at > column + 1) emit(column + 1, carried);
      column = at;
      // A change right on the column's first instant: the value carried in never holds there.
      lowest = scaled === at * (end - start) ? NaN : carried;
    }
    carried = values[i];
    lowest = minKnown(lowest, carried);
  }
  emit(column, lowest);
  if (column + 1 < columns) emit(column + 1, carried);
  return steps;
}

/** One market of a zone's price summary. */
export interface MarketPricesDocument {
  readonly instanceType: string;
  readonly lifecycle: string;
  /**
   * Work units per hour the container gets there (its demand, capped by the type's capacity): USD/hour
   * divided by it is the USD per unit of work the policies rank markets by, comparable across types.
   */
  readonly workPerHour: number;
  /** Steps of the lowest USD/hour per column: from column `column[i]` on, `usdPerHour[i]` (null: no price yet). */
  readonly column: readonly number[];
  readonly usdPerHour: readonly (number | null)[];
}

/**
 * One zone's market prices over the simulated window, for plotting the container's path through them:
 * every market that fits the container's memory, each as its lowest price in each of `columns` equal
 * slices of the window (bounded: a long trace's thousands of changes per market would dwarf the results).
 */
export interface ZonePricesDocument {
  readonly zone: string;
  readonly start: string;
  readonly end: string;
  readonly columns: number;
  readonly markets: readonly MarketPricesDocument[];
}

/** The price summary of one zone's markets that fit `memoryGiB`, from their price paths. */
export function zonePrices(input: {
  readonly zone: string;
  readonly markets: readonly Market[];
  readonly paths: readonly StepPricePath[];
  readonly window: { readonly start: number; readonly end: number };
  readonly memoryGiB: number;
  readonly demandWork: number;
  readonly columns?: number;
}): ZonePricesDocument {
  const { window } = input;
  const columns = input.columns ?? PRICE_COLUMNS;
  return {
    zone: input.zone,
    start: isoSeconds(window.start),
    end: isoSeconds(window.end),
    columns,
    markets: input.markets
      .filter((market) => fitsMemory(market, input.memoryGiB))
      .map((market) => {
        const path = input.paths[market.id];
        const steps = columnMinima(path.times, path.prices, window.start, window.end, columns);
        return {
          instanceType: market.instanceType,
          lifecycle: market.lifecycle,
          workPerHour: deliveredWork(market, input.demandWork),
          column: steps.column,
          usdPerHour: steps.value.map((value) => (Number.isNaN(value) ? null : value)),
        };
      }),
  };
}
