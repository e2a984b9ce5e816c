/**
 * Transaction costs of the policy's own past hops that their savings have not yet paid back (the
 * paper's "reduced by transaction costs of earlier hops not yet recouped"). Built only from the policy's
 * own decisions and observations:
 * - a hop's estimated cost C is added once an observation shows the container on the hop's target;
 * - between two observations the debt shrinks by the savings rate seen at the earlier one,
 *   (e_ref − e_cur) × used work, where `ref` is the market the latest hop left, held for the time between;
 *   a negative rate (the old market became cheaper) does not add debt: a hop's cost is sunk once paid back
 *   or written off by a forced move;
 * - a forced move (first placement, revocation, interruption notice) clears the debt: those moves were not
 *   chosen for savings, and the market the voluntary hops left is no longer the alternative.
 */
export class RecoupLedger {
  private unrecoupedUsd = 0;
  private referenceMarket = -1;
  private savingsUsdPerHour = 0;
  private lastSeen = NaN;
  private pending: { target: number; from: number; costUsd: number } | null = null;

  /** USD of earlier hops' transaction costs not yet paid back by savings. */
  get unrecouped(): number {
    return this.unrecoupedUsd;
  }

  /** The market the latest voluntary hop left, whose cost-efficiency savings are measured against (-1: none). */
  get reference(): number {
    return this.referenceMarket;
  }

  /**
   * Account for the time since the previous observation, then note where the container is now. Call once
   * per observation, before deciding.
   */
  observe(now: number, currentMarket: number | null): void {
    if (!Number.isNaN(this.lastSeen) && now > this.lastSeen) {
      const recouped = (this.savingsUsdPerHour * (now - this.lastSeen)) / 3600;
      this.unrecoupedUsd = Math.max(0, this.unrecoupedUsd - recouped);
    }
    this.lastSeen = now;
    this.savingsUsdPerHour = 0;
    if (this.pending !== null && currentMarket === this.pending.target) {
      this.unrecoupedUsd += this.pending.costUsd;
      this.referenceMarket = this.pending.from;
      this.pending = null;
    }
  }

  /**
   * An observation skipped while nothing changed but the clock: as `observe` on the same market
   * followed by the same savings rate.
   */
  idle(now: number): void {
    if (now > this.lastSeen && this.unrecoupedUsd > 0) {
      const recouped = (this.savingsUsdPerHour * (now - this.lastSeen)) / 3600;
      this.unrecoupedUsd = Math.max(0, this.unrecoupedUsd - recouped);
    }
    this.lastSeen = now;
  }

  /** The savings rate (USD/hour) of the current market over the reference at this observation's prices. */
  setSavingsRate(usdPerHour: number): void {
    this.savingsUsdPerHour = Number.isFinite(usdPerHour) ? Math.max(0, usdPerHour) : 0;
  }

  /** The policy chose a voluntary hop; its cost counts once the container is seen on `target`. */
  hopChosen(from: number, target: number, costUsd: number): void {
    this.pending = { target, from, costUsd };
  }

  /** A forced move: nothing carried forward. */
  forcedMove(): void {
    this.unrecoupedUsd = 0;
    this.referenceMarket = -1;
    this.pending = null;
    this.savingsUsdPerHour = 0;
  }
}
