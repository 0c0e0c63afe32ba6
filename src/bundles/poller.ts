// The poll loop of a remote bundle source (HTTP, OCI): one poll at a time, the next one a delay
// after it ends — the interval while healthy, a jittered backoff while failing — and stop()
// aborting what is in flight and waiting for it.
import { BundleError } from './errors.js';
import { describeThrown } from '../shared/errors.js';
import type { SourceHandlers } from './source.js';

/**
 * Delay before the next poll after `failures` consecutive failures: the interval ±10 % while
 * healthy; while failing, uniform in [d/2, d] with d = min(cap, interval·2^(failures-1)).
 */
export function pollDelayMs(failures: number, intervalMs: number, maxBackoffMs: number, random: () => number = Math.random): number {
  if (failures === 0) return intervalMs * (0.9 + random() * 0.2);
  const cap = Math.max(maxBackoffMs, intervalMs);
  const d = Math.min(cap, intervalMs * 2 ** Math.min(failures - 1, 30));
  return d / 2 + random() * (d / 2);
}

export interface PollerOptions {
  /** Delay between polls while healthy (default 30 s). */
  pollIntervalMs?: number;
  /** Ceiling of the error backoff (default 60 s, never below the poll interval). */
  maxBackoffMs?: number;
  /** Put before the message of a failure that is not a BundleError (e.g. the source's address). */
  label?: string;
  /** The delay after a successful poll when it is not the interval's (HTTP long polling: at once). */
  afterSuccessMs?: () => number | undefined;
}

export class Poller {
  private failures = 0;
  private timer: NodeJS.Timeout | null = null;
  private inflight: Promise<void> | null = null;
  private readonly stopper = new AbortController();

  /** `poll` fetches once and hands what it got to the handlers; it throws when the poll failed. */
  constructor(
    private readonly poll: (h: SourceHandlers) => Promise<void>,
    private readonly opts: PollerOptions = {},
  ) {}

  /** Aborted by stop(): requests in flight give up. */
  get signal(): AbortSignal {
    return this.stopper.signal;
  }

  /** The first poll, then the loop (resolves once the first poll has ended). */
  start(h: SourceHandlers): Promise<void> {
    return this.tick(h);
  }

  async stop(): Promise<void> {
    this.stopper.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inflight;
  }

  private async tick(h: SourceHandlers): Promise<void> {
    if (this.stopper.signal.aborted) return;
    this.inflight = this.once(h);
    await this.inflight;
    this.inflight = null;
    if (this.stopper.signal.aborted) return;
    const soon = this.failures === 0 ? this.opts.afterSuccessMs?.() : undefined;
    this.timer = setTimeout(() => void this.tick(h), soon ?? pollDelayMs(this.failures, this.opts.pollIntervalMs ?? 30_000, this.opts.maxBackoffMs ?? 60_000));
  }

  private async once(h: SourceHandlers): Promise<void> {
    try {
      await this.poll(h);
      this.failures = 0;
    } catch (e) {
      if (this.stopper.signal.aborted) return;
      const message = this.opts.label === undefined ? describeThrown(e) : `${this.opts.label}: ${describeThrown(e)}`;
      const err = e instanceof BundleError ? e : new BundleError('BUNDLE_FETCH_FAILED', message, { cause: e });
      // An oversized bundle is the server's content, not an outage: no backoff for it.
      if (err.code !== 'BUNDLE_TOO_LARGE') this.failures++;
      h.onError(err);
    }
  }
}
