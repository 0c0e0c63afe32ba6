// The immutable snapshot requests evaluate against: which bundle owns which data path, and the
// engine that serves it. Built once per activation, never mutated.
import type { Engine, EngineKind, EvaluationOptions, EvaluationOutcome, PolicyModule, QueryOutcome } from '../engines/types.js';
import { splitQueryPath } from '../engines/path.js';
import { isPrefix, rootSegments } from './paths.js';
import type { ActivePolicySet } from './types.js';

export interface RoutedBundle {
  name: string;
  roots: readonly string[];
  revision: string;
  digest: string;
  engine: Engine;
}

interface Route {
  root: string[];
  bundle: RoutedBundle;
}

/** `nothing`: no bundle's roots are at, above or below the path. */
type Resolution = { engine: Engine } | { nothing: true } | { error: { code: string; message: string } };

const NO_DEPENDENCIES = Object.freeze({ time: false, random: false, external: false });

export class PolicySet implements ActivePolicySet {
  readonly revisions: Readonly<Record<string, string>>;
  readonly digests: Readonly<Record<string, string>>;
  readonly bundles: readonly RoutedBundle[];
  /** Some engine evaluates off the main thread (see evaluateAsync); decided once, not per request. */
  readonly offThread: boolean;
  private readonly routes: Route[];

  /** data.system.bundles (OPA's bundle manifests), served at that path when no bundle owns it. */
  private readonly systemBundles: Readonly<Record<string, unknown>>;

  constructor(bundles: RoutedBundle[], systemBundles: Record<string, unknown> = {}) {
    this.systemBundles = systemBundles;
    this.bundles = Object.freeze([...bundles]);
    this.revisions = Object.freeze(Object.fromEntries(bundles.map((b) => [b.name, b.revision])));
    this.digests = Object.freeze(Object.fromEntries(bundles.map((b) => [b.name, b.digest])));
    this.routes = bundles.flatMap((b) => b.roots.map((r) => ({ root: rootSegments(r), bundle: b })));
    this.offThread = bundles.some((b) => b.engine.evaluateAsync !== undefined);
    Object.freeze(this);
  }

  /** The bundle whose roots own the path (null when none, or when the path spans several). */
  bundleFor(path: string): string | null {
    const segs = splitQueryPath(path);
    return this.routes.find((r) => isPrefix(r.root, segs))?.bundle.name ?? null;
  }

  engineFor(path: string): EngineKind | null {
    const r = this.resolve(splitQueryPath(path));
    return 'engine' in r ? r.engine.kind : null;
  }

  mayDefine(path: string): boolean {
    const r = this.resolve(splitQueryPath(path));
    // An unresolvable path is for evaluate() to report (e.g. a mask path spanning engines must
    // fail closed, not be skipped).
    if ('error' in r) return true;
    if ('nothing' in r) return this.systemDocument(splitQueryPath(path)) !== undefined;
    return r.engine.mayDefine?.(path) ?? true;
  }

  inputKeys(path: string): ReadonlySet<string> | null {
    const r = this.resolve(splitQueryPath(path));
    return 'engine' in r ? (r.engine.inputKeys?.(path) ?? null) : null;
  }

  evaluate(path: string, input: unknown, opts?: EvaluationOptions): EvaluationOutcome {
    const r = this.resolve(splitQueryPath(path));
    if ('error' in r) return { ok: false, ...r.error, engine: this.bundles[0]?.engine.kind ?? 'rego' };
    // Like OPA: a path no bundle defines anything under is an undefined document, not an error.
    if ('nothing' in r) {
      const doc = this.systemDocument(splitQueryPath(path));
      const engine = this.bundles[0]?.engine.kind ?? 'rego';
      return doc === undefined
        ? { ok: true, defined: false, dependsOn: NO_DEPENDENCIES, engine }
        : { ok: true, defined: true, result: doc, dependsOn: NO_DEPENDENCIES, engine };
    }
    // A throw is a bug; the decision pipeline turns it into a deny (its one fail-closed catch).
    return r.engine.evaluate(path, input, opts);
  }

  evaluateAsync(path: string, input: unknown, opts?: EvaluationOptions): Promise<EvaluationOutcome> {
    const r = this.resolve(splitQueryPath(path));
    if ('engine' in r && r.engine.evaluateAsync) return r.engine.evaluateAsync(path, input, opts);
    return Promise.resolve(this.evaluate(path, input, opts));
  }

  /** An ad-hoc query: answered by the one engine that holds every source bundle (all Rego
   * bundles compile into one engine); compiled wasm bundles keep no source to query. */
  query(query: string, input: unknown, opts?: EvaluationOptions): QueryOutcome {
    const engine = this.bundles.find((b) => b.engine.query !== undefined)?.engine;
    if (!engine?.query) {
      return {
        ok: false,
        code: 'query_unsupported',
        message: 'no active bundle holds Rego source; compiled (wasm) bundles cannot answer ad-hoc queries',
        engine: 'wasm',
      };
    }
    return engine.query(query, input, opts);
  }

  /** The policy modules of every source bundle (compiled wasm bundles have none to show). */
  policies(): PolicyModule[] {
    const seen = new Set<Engine>();
    const out: PolicyModule[] = [];
    for (const b of this.bundles) {
      if (seen.has(b.engine) || !b.engine.policies) continue;
      seen.add(b.engine);
      out.push(...b.engine.policies());
    }
    return out;
  }

  /** The part of data.system.bundles at `segs` (a copy), or undefined when the path is not in it. */
  private systemDocument(segs: readonly string[]): unknown {
    if (segs.length < 2 || segs[0] !== 'system' || segs[1] !== 'bundles') return undefined;
    let node: unknown = this.systemBundles;
    for (const s of segs.slice(2)) {
      if (Array.isArray(node) && /^(0|[1-9][0-9]*)$/.test(s)) node = node[Number(s)];
      else if (node !== null && typeof node === 'object' && !Array.isArray(node) && Object.hasOwn(node, s)) node = (node as Record<string, unknown>)[s];
      else return undefined;
    }
    return structuredClone(node);
  }

  private resolve(segs: readonly string[]): Resolution {
    const owner = this.routes.find((r) => isPrefix(r.root, segs));
    if (owner) return { engine: owner.bundle.engine };
    // A path above the roots ("ai" for roots "ai/tools", "ai/models") is servable when one engine
    // holds everything below it; bundles on different engines cannot be stitched together.
    const below = new Set(this.routes.filter((r) => isPrefix(segs, r.root)).map((r) => r.bundle.engine));
    if (below.size === 1) return { engine: [...below][0] };
    if (below.size === 0) return { nothing: true };
    const where = `data${segs.length ? '.' + segs.join('.') : ''}`;
    return { error: { code: 'path_spans_engines', message: `${where} spans bundles served by different engines` } };
  }
}
