// When a crashed worker is replaced: after a delay that doubles with each recent crash, and not
// at all once too many crashed within the window (a worker that cannot stay up is a fault to
// report, not to hide behind an endless restart loop).

export interface RestartBudgetOptions {
  /** Most restarts within windowMs; one more and the primary gives up. */
  maxRestarts: number;
  windowMs: number;
  initialDelayMs: number;
  maxDelayMs: number;
  now?: () => number;
}

export class RestartBudget {
  private readonly opts: RestartBudgetOptions;
  private readonly now: () => number;
  private restarts: number[] = [];

  constructor(opts: RestartBudgetOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
  }

  /** The delay before the next restart, in ms; undefined when the budget is spent. */
  next(): number | undefined {
    const at = this.now();
    this.restarts = this.restarts.filter((t) => at - t < this.opts.windowMs);
    if (this.restarts.length >= this.opts.maxRestarts) return undefined;
    const delay = Math.min(this.opts.maxDelayMs, this.opts.initialDelayMs * 2 ** this.restarts.length);
    this.restarts.push(at);
    return delay;
  }
}
