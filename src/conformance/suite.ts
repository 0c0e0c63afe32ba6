// Runs whole conformance folders: load → detect dialect → normalize → run each case.
import type { EngineLike } from './engine.js';
import { loadFolder } from './load.js';
import { detectDialect, normalizeFile } from './normalize.js';
import { DEFAULT_RUN_LIMITS, runCase, type RunLimits } from './run.js';
import type { CaseOutcome, Dialect } from './types.js';

export interface SuiteOptions {
  limits?: RunLimits;
  /** Force a dialect instead of detecting it per folder. */
  dialect?: Dialect;
  /** Run only cases whose `<group>` or `<group>/...` file path starts with one of these. */
  only?: string[];
  /** Called after each case (progress). */
  onCase?: (o: CaseOutcome) => void;
}

export interface SuiteResult {
  outcomes: CaseOutcome[];
  /** Dialect used per folder. */
  dialects: Record<string, Dialect>;
  durationMs: number;
}

function selected(file: string, only: string[] | undefined): boolean {
  if (!only || only.length === 0) return true;
  return only.some((p) => file === p || file.startsWith(p.endsWith('/') ? p : p + '/'));
}

export async function runSuite(engine: EngineLike, dirs: string[], opts: SuiteOptions = {}): Promise<SuiteResult> {
  const t0 = performance.now();
  const outcomes: CaseOutcome[] = [];
  const dialects: Record<string, Dialect> = {};
  const emit = (o: CaseOutcome): void => {
    outcomes.push(o);
    opts.onCase?.(o);
  };
  for (const dir of dirs) {
    const loaded = await loadFolder(dir);
    const dialect = opts.dialect ?? detectDialect(loaded.files);
    dialects[loaded.folder] = dialect;
    for (const p of loaded.problems) {
      if (!selected(p.file, opts.only)) continue;
      const group = p.file.includes('/') ? p.file.slice(0, p.file.indexOf('/')) : '.';
      emit({ key: `${p.folder}/${p.file}#<load>`, folder: p.folder, group, file: p.file, note: '<load>', status: 'errored', reason: p.message, durationMs: 0 });
    }
    for (const f of loaded.files) {
      if (!selected(f.file, opts.only)) continue;
      for (const n of normalizeFile(f, dialect)) {
        if (!n.ok) emit({ ...n.case, status: 'errored', reason: n.message, durationMs: 0 });
        else emit(runCase(engine, n.case, opts.limits ?? DEFAULT_RUN_LIMITS));
      }
    }
  }
  return { outcomes, dialects, durationMs: performance.now() - t0 };
}
