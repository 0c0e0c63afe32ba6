// Decides whether — and for how long — an engine outcome may be cached.
//
// Rules (DESIGN.md §3): results that depended on randomness or outside calls are never
// cached; results that depended on the clock are cached only until the earliest expiry they
// depend on — the policy states it as `valid_until` (RFC 3339) in the decision document, or
// the engine reports it — and not at all when no expiry is known. Everything else is cached
// for the configured TTL. A `valid_until` is honoured even on results that do not report a
// time dependency.
import type { EvaluationOutcome } from '../engines/types.js';

export type Cacheability = { cache: true; ttlMs: number; expiresAt: number } | { cache: false; reason: NotCacheableReason };

export type NotCacheableReason =
  'evaluation_error' | 'depends_on_random' | 'depends_on_external' | 'depends_on_time_without_expiry' | 'already_expired' | 'ttl_disabled';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** Epoch ms of an RFC 3339 timestamp, or null if the value is not one. */
export function parseRfc3339(value: unknown): number | null {
  if (typeof value !== 'string' || !RFC3339.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/** `valid_until` of a decision document: a number (epoch ms) when present and valid,
 * 'invalid' when present but not RFC 3339, null when absent. */
export function validUntilOf(result: unknown): number | 'invalid' | null {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return null;
  if (!Object.prototype.hasOwnProperty.call(result, 'valid_until')) return null;
  const raw = (result as Record<string, unknown>).valid_until;
  if (raw === null || raw === undefined) return null;
  return parseRfc3339(raw) ?? 'invalid';
}

export function cacheabilityOf(outcome: EvaluationOutcome, opts: { ttlMs: number; nowMs: number }): Cacheability {
  if (!outcome.ok) return { cache: false, reason: 'evaluation_error' };
  if (opts.ttlMs <= 0) return { cache: false, reason: 'ttl_disabled' };
  const deps = outcome.dependsOn;
  if (deps.random) return { cache: false, reason: 'depends_on_random' };
  if (deps.external) return { cache: false, reason: 'depends_on_external' };

  let expiresAt = opts.nowMs + opts.ttlMs;
  let knownExpiry = false;

  // An engine may report the expiry itself (optional field; not every engine has it).
  const engineExpiry = (deps as { expiresAtMs?: unknown }).expiresAtMs;
  if (typeof engineExpiry === 'number' && Number.isFinite(engineExpiry)) {
    expiresAt = Math.min(expiresAt, engineExpiry);
    knownExpiry = true;
  }
  if (outcome.defined) {
    const validUntil = validUntilOf(outcome.result);
    if (validUntil === 'invalid') {
      // A malformed expiry cannot be trusted to bound staleness.
      if (deps.time) return { cache: false, reason: 'depends_on_time_without_expiry' };
    } else if (validUntil !== null) {
      expiresAt = Math.min(expiresAt, validUntil);
      knownExpiry = true;
    }
  }
  if (deps.time && !knownExpiry) return { cache: false, reason: 'depends_on_time_without_expiry' };
  const ttlMs = expiresAt - opts.nowMs;
  if (ttlMs <= 0) return { cache: false, reason: 'already_expired' };
  return { cache: true, ttlMs, expiresAt };
}
