// Repeated request bodies, parsed once. A decision request whose exact text was parsed (and held
// to the body bounds) a moment ago maps to that parse, frozen: identical text gives an identical
// value, and a frozen value can be shared by every request that sent it — and by what is computed
// from it once (its cache key: src/cache/key.ts). Controllers re-reconcile unchanged objects and
// agents repeat tool calls; their decision-cache hits then skip the parse as well as the
// evaluation. A body is kept parsed from its second arrival on (the first leaves only its text):
// freezing costs ~3 µs for a 400-character body, not worth paying for the bodies that never
// repeat. Off unless the decision cache turns it on (src/plugins/cache.ts), with its TTL: a body
// holds request data, kept no longer than the decision's result.
import { LRUCache } from 'lru-cache';
import { deepFreeze } from '../shared/deep-freeze.js';

/** Longer bodies are parsed every time: they rarely repeat, and would crowd out the rest. And
 * V8 hashes a longer string by its length alone (String::kMaxHashCalcLength, 16,383): bodies of
 * one length past it would all share one bucket of the map, each lookup comparing the text with
 * every kept body of that length (~5 ms per lookup over 2,000 bodies of 16,384 characters with a
 * common prefix: a CPU exhaustion for anyone who can send them). */
export const MAX_REPEATED_BODY_CHARS = 16_383;

/** A body seen once: its text is kept, its value is not. */
const SEEN_ONCE = { value: undefined, once: true } as const;

interface Kept {
  value: unknown;
  once?: true;
}

export class RepeatedBodies {
  private lru: LRUCache<string, Kept> | undefined;

  /** Remembers up to maxBytes of bodies (their text and parsed value, estimated), each for ttlMs. */
  enable(maxBytes: number, ttlMs: number): void {
    if (maxBytes <= 0 || ttlMs <= 0) return this.disable();
    this.lru = new LRUCache({
      maxSize: maxBytes,
      // UTF-16 text, the parsed value and what is kept with it (its cache key; its masked form
      // and that form's JSON, src/decisionlog/mask/default-mask.ts): ~6 bytes per character of
      // JSON in all.
      sizeCalculation: (kept, text) => 64 + (kept.once ? 2 : 6) * text.length,
      ttl: ttlMs,
      ttlAutopurge: false,
      // The clock read on each lookup (~0.1 µs), not lru-cache's default of a reading kept for
      // 1 ms by a timer re-armed whenever it has lapsed: a timer per request at moderate rates,
      // and a wake-up of an otherwise idle event loop.
      ttlResolution: 0,
    });
  }

  disable(): void {
    this.lru = undefined;
  }

  get enabled(): boolean {
    return this.lru !== undefined;
  }

  /** For /v1/pdp/status; undefined when off. */
  status(): { entries: number; bytes: number; max_bytes: number } | undefined {
    const lru = this.lru;
    return lru && { entries: lru.size, bytes: lru.calculatedSize, max_bytes: lru.maxSize };
  }

  /** The frozen parse of this exact text, if it is kept; `undefined` otherwise. */
  get(text: string): { value: unknown } | undefined {
    const kept = this.lru?.get(text);
    return kept === undefined || kept.once ? undefined : kept;
  }

  /** Called with the parse of a body that passed every check: the second time this text comes,
   * its value is kept (frozen). Returns the value. */
  remember(text: string, value: unknown): unknown {
    if (this.lru === undefined || text.length > MAX_REPEATED_BODY_CHARS) return value;
    if (!this.lru.has(text)) this.lru.set(text, SEEN_ONCE);
    else this.lru.set(text, { value: deepFreeze(value) });
    return value;
  }
}
