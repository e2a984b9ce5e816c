/** Time for the emulator: wall-clock by default, virtual in tests so state transitions are deterministic. */
export interface Scheduler {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Run `fn` once, `delayMs` from now; the returned function cancels it. */
  schedule(delayMs: number, fn: () => void): () => void;
}

/** setTimeout only takes 32-bit delays; longer waits are re-armed in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class RealScheduler implements Scheduler {
  now(): number {
    return Date.now();
  }

  schedule(delayMs: number, fn: () => void): () => void {
    const due = Date.now() + Math.max(0, delayMs);
    let handle: NodeJS.Timeout;
    const arm = (): void => {
      const left = due - Date.now();
      handle = setTimeout(left > MAX_TIMER_MS ? arm : fn, Math.min(Math.max(0, left), MAX_TIMER_MS));
      handle.unref();
    };
    arm();
    return () => clearTimeout(handle);
  }
}

interface Timer {
  readonly due: number;
  readonly seq: number;
  readonly fn: () => void;
}

/**
 * Virtual time that moves only when told. `advance` fires due timers in (due, creation) order and,
 * after each, lets pending promises (backend calls, HTTP handlers) settle before the next one.
 */
export class ManualScheduler implements Scheduler {
  private current: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  schedule(delayMs: number, fn: () => void): () => void {
    const timer: Timer = { due: this.current + Math.max(0, delayMs), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.timers.length;
  }

  /** Move time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await settle();
    for (;;) {
      const next = this.earliest();
      if (next === undefined || next.due > target) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = Math.max(this.current, next.due);
      next.fn();
      await settle();
    }
    this.current = target;
  }

  /** Fire timers until none is left (bounded, since timers may re-arm themselves). */
  async runAll(maxTimers = 10_000): Promise<void> {
    for (let fired = 0; fired < maxTimers; fired++) {
      await settle();
      const next = this.earliest();
      if (next === undefined) return;
      await this.advance(next.due - this.current);
    }
    throw new Error(`ManualScheduler.runAll: still ${this.timers.length} timers after ${maxTimers}`);
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) {
      if (best === undefined || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    }
    return best;
  }
}

/** Let queued promise callbacks and I/O callbacks run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
