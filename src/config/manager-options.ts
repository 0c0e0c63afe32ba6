// Maps the validated config onto the BundleManager's constructor options (src/bundles owns those).
import type { BundleLogger, BundleManagerOptions, BundleSourceConfig } from '../bundles/manager.js';
import { DEFAULT_SETTLE_MS } from '../bundles/source-file.js';
import { httpClientOptions } from '../bundles/http-client-options.js';
import { DECISION_ENDPOINTS } from '../decisions/kinds.js';
import { DEFAULT_POLL_INTERVAL_MS } from './defaults.js';
import type { PdpConfig } from './types.js';

export function toBundleManagerOptions(config: PdpConfig, logger?: BundleLogger): BundleManagerOptions {
  const sources: BundleSourceConfig[] = config.bundles.map((b) => {
    const common = {
      name: b.name,
      ...(b.data_only !== undefined ? { dataOnly: b.data_only } : {}),
      ...(b.signing_key_id !== undefined ? { signingKeyId: b.signing_key_id } : {}),
    };
    if (b.oci !== undefined) {
      const client = httpClientOptions(b);
      return {
        ...common,
        kind: 'oci',
        location: b.oci,
        pollIntervalMs: b.poll_interval_ms ?? DEFAULT_POLL_INTERVAL_MS,
        ...(b.headers ? { headers: { ...b.headers } } : {}),
        ...(client ? { client } : {}),
      };
    }
    if (b.url !== undefined) {
      const client = httpClientOptions(b);
      return {
        ...common,
        kind: 'http',
        location: b.url,
        pollIntervalMs: b.poll_interval_ms ?? DEFAULT_POLL_INTERVAL_MS,
        ...(b.long_polling_timeout_seconds !== undefined ? { longPollingTimeoutSeconds: b.long_polling_timeout_seconds } : {}),
        ...(b.headers ? { headers: { ...b.headers } } : {}),
        ...(client ? { client } : {}),
      };
    }
    return {
      ...common,
      kind: 'file',
      location: b.path ?? '',
      watch: b.watch ?? true,
      settleMs: b.settle_ms ?? DEFAULT_SETTLE_MS,
      // For files, polling is an optional safety net where fs.watch misses events (NFS).
      ...(b.poll_interval_ms !== undefined ? { pollIntervalMs: b.poll_interval_ms } : {}),
    };
  });
  return {
    sources,
    limits: {
      maxCompressedBytes: config.limits.max_compressed_bytes,
      maxUncompressedBytes: config.limits.max_uncompressed_bytes,
      maxFiles: config.limits.max_files,
    },
    ...(config.signing
      ? {
          signing: {
            required: config.signing.required,
            keys: config.signing.keys.map((k) => ({ keyId: k.key_id, algorithm: k.algorithm, key: k.key })),
            ...(config.signing.scope !== undefined ? { scope: config.signing.scope } : {}),
            rejectRollback: config.signing.reject_rollback ?? false,
          },
        }
      : {}),
    ...(config.persist_dir !== undefined ? { persistDir: config.persist_dir } : {}),
    ...(logger ? { logger } : {}),
    decisionPaths: DECISION_ENDPOINTS.map((e) => e.policyPath),
    ...(config.evaluation.compile_js === true ? { compiledPaths: DECISION_ENDPOINTS.map((e) => e.policyPath) } : {}),
  };
}
