/** Where progress goes: a stream that may be a terminal. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : `${m}m${String(s % 60).padStart(2, "0")}s`;
}

/**
 * A one-line progress bar redrawn with \r on a terminal (items done/total, rate, ETA); silent when the
 * stream is not a terminal. Rate and ETA count only items run in this process, not resumed ones.
 */
export class ProgressBar {
  private readonly began = performance.now();
  private first: number | undefined;
  private lastDraw = -Infinity;
  private drawn = false;

  constructor(private readonly stream: ProgressStream) {}

  update(done: number, total: number): void {
    if (!this.stream.isTTY) return;
    this.first ??= done;
    const now = performance.now();
    if (done < total && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const elapsed = (now - this.began) / 1000;
    const rate = elapsed > 0 ? (done - this.first) / elapsed : 0;
    const width = 24;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const bar = `${"#".repeat(filled)}${"-".repeat(width - filled)}`;
    const eta = rate > 0 ? (total - done) / rate : Infinity;
    this.stream.write(`\r[${bar}] ${done}/${total} items  ${rate.toFixed(2)}/s  ETA ${clock(eta)}\x1b[K`);
    this.drawn = true;
  }

  /** Ends the bar's line, so what follows starts on a fresh one. */
  finish(): void {
    if (this.drawn) this.stream.write("\n");
    this.drawn = false;
  }
}
