// A small circuit breaker for the Redis tier.
//
// closed    → calls go through; `failureThreshold` consecutive failures open it.
// open      → calls are refused (the caller treats Redis as a miss) until `cooldownMs` passed.
// half_open → exactly one probe call goes through; success closes, failure re-opens.
import type { BreakerState } from './types.js';

export interface CircuitBreakerOptions {
  failureThreshold: number;
  cooldownMs: number;
  now?: () => number;
}

export class CircuitBreaker {
  private readonly failureThreshold: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;
  private consecutiveFailures = 0;
  private openedAt: number | null = null;
  private probeInFlight = false;
  private readonly listeners: ((state: BreakerState) => void)[] = [];
  private lastReported: BreakerState = 'closed';

  constructor(opts: CircuitBreakerOptions) {
    this.failureThreshold = Math.max(1, opts.failureThreshold);
    this.cooldownMs = Math.max(0, opts.cooldownMs);
    this.now = opts.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this.openedAt === null) return 'closed';
    return this.now() - this.openedAt >= this.cooldownMs ? 'half_open' : 'open';
  }

  /** May a call go through now? In half_open only one probe at a time is admitted. */
  tryAcquire(): boolean {
    const state = this.state;
    this.report(state);
    if (state === 'closed') return true;
    if (state === 'open' || this.probeInFlight) return false;
    this.probeInFlight = true;
    return true;
  }

  success(): void {
    this.consecutiveFailures = 0;
    this.openedAt = null;
    this.probeInFlight = false;
    this.report('closed');
  }

  failure(): void {
    this.probeInFlight = false;
    this.consecutiveFailures += 1;
    if (this.openedAt !== null || this.consecutiveFailures >= this.failureThreshold) {
      this.openedAt = this.now();
      this.report('open');
    }
  }

  /** Skip the rest of the cool-down (e.g. the client just reconnected): the next call probes. */
  expediteProbe(): void {
    if (this.openedAt !== null) this.openedAt = this.now() - this.cooldownMs;
  }

  onStateChange(listener: (state: BreakerState) => void): void {
    this.listeners.push(listener);
  }

  private report(state: BreakerState): void {
    if (state === this.lastReported) return;
    this.lastReported = state;
    for (const l of this.listeners) l(state);
  }
}
