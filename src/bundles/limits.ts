// Resource limits applied while reading a bundle: a hostile or broken bundle must fail fast,
// not exhaust memory (gzip bombs, millions of tiny files).
import { BundleError } from './errors.js';

export interface BundleLimits {
  maxCompressedBytes: number;
  maxUncompressedBytes: number;
  maxFiles: number;
}

export const DEFAULT_BUNDLE_LIMITS: Readonly<BundleLimits> = Object.freeze({
  maxCompressedBytes: 32 * 1024 * 1024,
  maxUncompressedBytes: 256 * 1024 * 1024,
  maxFiles: 10_000,
});

export function resolveLimits(partial?: Partial<BundleLimits>): BundleLimits {
  const out = { ...DEFAULT_BUNDLE_LIMITS, ...(partial ?? {}) };
  for (const [k, v] of Object.entries(out)) {
    if (!Number.isFinite(v) || v <= 0) {
      throw new BundleError('BUNDLE_CONFIG_INVALID', `bundle limit ${k} must be a positive number, got ${v}`);
    }
  }
  return out;
}
