// What a bundle source hands the manager: the bytes of a tarball, or the files of a directory.
import type { BundleError } from './errors.js';

export type SourcePayload = { kind: 'tarball'; bytes: Uint8Array; etag?: string } | { kind: 'files'; files: Map<string, Uint8Array> };

export interface SourceHandlers {
  /** Resolves true when the payload is now active (or already was), false when it was rejected. */
  onPayload(p: SourcePayload): Promise<boolean>;
  /** The source itself failed (unreachable, HTTP error, unreadable path). */
  onError(e: BundleError): void;
  /** The source answered and has nothing new (HTTP 304). */
  onUnchanged(): void;
}

export interface BundleSource {
  /** Resolves after the first load attempt; watching/polling continues until stop(). */
  start(h: SourceHandlers): Promise<void>;
  stop(): Promise<void>;
}
