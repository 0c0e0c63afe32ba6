// A small, real Engine for tests of the HTTP layer and pipeline: documents are plain JS functions
// of the input. It implements the same Engine / ActivePolicySet contracts as the production
// engines (outcome shapes, undefined, errors), so it exercises the pipeline's real paths; it is
// not a stand-in for Rego semantics, which the Rego-backed tests cover.
import type { ActivePolicySet, BundleStatus } from '../../src/bundles/types.js';
import type { Engine, EngineKind, EvaluationOptions, EvaluationOutcome } from '../../src/engines/types.js';
import type { PolicyProvider } from '../../src/plugins/policies.js';

/** A document: returns its value, `undefined` for "undefined", or throws to signal an evaluation error. */
export type JsDocument = (input: unknown, opts: EvaluationOptions) => unknown;

export class EvalFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const NO_DEPS = { time: false, random: false, external: false };

export class JsEngine implements Engine {
  readonly kind: EngineKind = 'rego';
  constructor(private readonly docs: Readonly<Record<string, JsDocument>>) {}

  evaluate(path: string, input: unknown, opts: EvaluationOptions = {}): EvaluationOutcome {
    const doc = this.docs[path.replace(/\./g, '/')];
    if (!doc) return { ok: true, defined: false, dependsOn: NO_DEPS, engine: this.kind };
    try {
      const result = doc(input, opts);
      return result === undefined
        ? { ok: true, defined: false, dependsOn: NO_DEPS, engine: this.kind }
        : { ok: true, defined: true, result, dependsOn: NO_DEPS, engine: this.kind };
    } catch (err) {
      const code = err instanceof EvalFailure ? err.code : 'eval_internal_error';
      return { ok: false, code, message: err instanceof Error ? err.message : String(err), engine: this.kind };
    }
  }
}

export class JsPolicySet implements ActivePolicySet {
  readonly revisions: Readonly<Record<string, string>>;
  constructor(
    private readonly engine: Engine,
    revisions: Record<string, string>,
  ) {
    this.revisions = Object.freeze({ ...revisions });
  }
  engineFor(): EngineKind {
    return this.engine.kind;
  }
  evaluate(path: string, input: unknown, opts?: EvaluationOptions): EvaluationOutcome {
    return this.engine.evaluate(path, input, opts);
  }
}

/** A provider whose active set the test swaps explicitly (as the BundleManager does on activation). */
export class SwappablePolicies implements PolicyProvider {
  private active: ActivePolicySet | null = null;
  private activatedAt: string | null = null;
  constructor(private readonly bundleName = 'test-bundle') {}

  activate(set: ActivePolicySet): void {
    this.active = set;
    this.activatedAt = new Date().toISOString();
  }
  current(): ActivePolicySet | null {
    return this.active;
  }
  ready(): boolean {
    return this.active !== null;
  }
  // Nothing to load or stop: tests activate sets directly.
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  status(): BundleStatus[] {
    return [
      {
        name: this.bundleName,
        source: 'memory',
        revision: this.active?.revisions[this.bundleName] ?? null,
        engine: this.active ? 'rego' : null,
        roots: ['ai'],
        activated_at: this.activatedAt,
        last_error: null,
        last_attempt_at: this.activatedAt,
      },
    ];
  }
}

export function jsPolicies(docs: Record<string, JsDocument>, revision = 'rev-1', bundleName = 'test-bundle'): SwappablePolicies {
  const p = new SwappablePolicies(bundleName);
  p.activate(new JsPolicySet(new JsEngine(docs), { [bundleName]: revision }));
  return p;
}
