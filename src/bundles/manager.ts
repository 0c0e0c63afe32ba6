// BundleManager: owns the bundle sources and the active policy set.
// Skeleton first so the decision pipeline can build against it; filled in next.
import { EventEmitter } from 'node:events';
import type { ActivePolicySet, BundleStatus } from './types.js';

export interface BundleSourceConfig {
  name: string;
  kind: 'file' | 'http';
  /** path (file) or URL (http) */
  location: string;
  pollIntervalMs?: number;
  watch?: boolean;
  headers?: Record<string, string>;
}
export interface SigningConfig {
  required: boolean;
  /** key: PEM public key (RSA/ECDSA) or HMAC secret */
  keys: { keyId: string; algorithm: string; key: string }[];
  scope?: string;
}
export interface BundleLimits {
  maxCompressedBytes: number;
  maxUncompressedBytes: number;
  maxFiles: number;
}
export interface BundleLogger {
  info(o: object, msg?: string): void;
  warn(o: object, msg?: string): void;
  error(o: object, msg?: string): void;
}
export interface BundleManagerOptions {
  sources: BundleSourceConfig[];
  signing?: SigningConfig;
  persistDir?: string;
  limits?: Partial<BundleLimits>;
  logger?: BundleLogger;
}

/** Emits 'activated' ({name, revision}) and 'error' ({name, error}). */
export class BundleManager extends EventEmitter {
  private readonly opts: BundleManagerOptions;
  private active: ActivePolicySet | null = null;

  constructor(opts: BundleManagerOptions) {
    super();
    this.opts = opts;
  }

  /** Loads every source once (resolves after the first attempt of each), then watches/polls. */
  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  /** null until at least one bundle is active */
  current(): ActivePolicySet | null {
    return this.active;
  }

  status(): BundleStatus[] {
    return this.opts.sources.map((s) => ({
      name: s.name,
      source: s.location,
      revision: null,
      engine: null,
      roots: [],
      activated_at: null,
      last_error: null,
      last_attempt_at: null,
    }));
  }

  ready(): boolean {
    return this.active !== null;
  }
}
