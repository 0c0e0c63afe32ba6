// Typed bundle errors: the code is what status, logs and tests match on; the message is for humans.

export type BundleErrorCode =
  /** compressed or uncompressed size over the configured limit */
  | 'BUNDLE_TOO_LARGE'
  | 'BUNDLE_TOO_MANY_FILES'
  /** `..` segments, links, or anything else that could point outside the bundle */
  | 'BUNDLE_PATH_TRAVERSAL'
  /** tar entry types a bundle never needs (devices, fifos) */
  | 'BUNDLE_UNSUPPORTED_ENTRY'
  | 'BUNDLE_DUPLICATE_FILE'
  /** not gzip, not tar */
  | 'BUNDLE_INVALID_ARCHIVE'
  /** archive ends early */
  | 'BUNDLE_TRUNCATED'
  | 'BUNDLE_INVALID_MANIFEST'
  /** data.json / data.yaml that does not parse, or is not an object where one is needed */
  | 'BUNDLE_INVALID_DATA'
  /** two data files (or a file and a nested file) write the same path */
  | 'BUNDLE_DATA_CONFLICT'
  /** data, policy package or wasm entrypoint outside the manifest roots */
  | 'BUNDLE_OUTSIDE_ROOTS'
  /** roots overlap, within one manifest or between two bundles */
  | 'BUNDLE_ROOTS_OVERLAP'
  /** signing required but the bundle has no .signatures.json */
  | 'BUNDLE_SIGNATURE_MISSING'
  /** bad JWT, unknown key, wrong algorithm, scope mismatch */
  | 'BUNDLE_SIGNATURE_INVALID'
  /** a file is missing from the signature, listed but absent, or its digest differs */
  | 'BUNDLE_SIGNATURE_MISMATCH'
  /** a signature whose exp is past or nbf/iat in the future */
  | 'BUNDLE_SIGNATURE_EXPIRED'
  /** a signed bundle signed earlier than the active one (signing.reject_rollback) */
  | 'BUNDLE_ROLLBACK'
  /** a directory that kept changing while it was read (a copy in progress) */
  | 'BUNDLE_UNSTABLE'
  /** no files at all, or nothing in them (no policy, no data) */
  | 'BUNDLE_EMPTY'
  /** data only, where the bundle is not configured as data-only */
  | 'BUNDLE_NO_POLICIES'
  /** a new revision that no longer defines a decision the active one defined */
  | 'BUNDLE_DROPS_DECISION'
  /** Rego parse/compile errors (the Rego error code is in the message) */
  | 'BUNDLE_COMPILE_ERROR'
  /** policy.wasm does not instantiate, lacks a declared entrypoint, or traps while loading data */
  | 'BUNDLE_WASM_ERROR'
  /** the source could not be read (missing path, HTTP error, network error) */
  | 'BUNDLE_FETCH_FAILED'
  | 'BUNDLE_FETCH_TIMEOUT'
  /** a registry refused the credentials, or its token service (realm) gave no usable token */
  | 'BUNDLE_AUTH_FAILED'
  /** configuration that can never work (bad key PEM, unknown algorithm, duplicate source names) */
  | 'BUNDLE_CONFIG_INVALID'
  /** delta bundle: patch.json malformed, an unknown op, or policy/data/wasm files beside it */
  | 'BUNDLE_DELTA_INVALID'
  /** delta bundle whose manifest roots or wasm resolvers differ from the active snapshot's */
  | 'BUNDLE_DELTA_MANIFEST_MISMATCH'
  /** delta bundle with no active snapshot of a bundle that is not data-only */
  | 'BUNDLE_DELTA_NO_SNAPSHOT'
  /** delta bundle where persistence is on (OPA refuses this too: a delta cannot be persisted) */
  | 'BUNDLE_DELTA_UNSUPPORTED'
  /** a patch operation that cannot apply (missing path, bad array index, non-object parent) */
  | 'BUNDLE_PATCH_FAILED'
  /** a bug: something failed that has no better code */
  | 'BUNDLE_INTERNAL_ERROR';

export class BundleError extends Error {
  readonly code: BundleErrorCode;

  constructor(code: BundleErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BundleError';
    this.code = code;
  }
}
