// Types for scripts/build-wasm-fixture.mjs (a plain script so it runs without a TypeScript loader).
export declare const FIXTURE_ENTRYPOINTS: string[];
export declare function buildWasmFixture(opts?: {
  /** 2 (default): the package uses `opa_eval`; 1: it uses the opa_eval_ctx_* calls. */
  minorVersion?: number;
  /** What the module's `builtins()` export reports, e.g. {"time.now_ns": 0}. */
  builtins?: Record<string, number>;
  /** Replaces "fixture" in the entrypoint names. */
  entrypointPrefix?: string;
  /** The module's start function never returns (its instantiation never ends). */
  hangOnLoad?: boolean;
  /** The start function counts down from this number first (a load that takes a while). */
  loadSpin?: number;
}): Promise<Uint8Array>;
