// The build's stamp (scripts/build-info.mjs writes dist/build-info.json at `npm run build`):
// OPA's provenance fields build_commit, build_timestamp, build_hostname. Read next to the
// compiled code, so code run from src/ (no stamp) reports "" — never a stamp of another build.
import { readFileSync } from 'node:fs';

export interface BuildInfo {
  build_commit: string;
  build_timestamp: string;
  build_hostname: string;
}

const EMPTY: BuildInfo = { build_commit: '', build_timestamp: '', build_hostname: '' };

/** The stamp at `file`, or "" fields when there is none or it is not a stamp. */
export function readBuildInfo(file: URL | string): BuildInfo {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return EMPTY;
  }
  if (raw === null || typeof raw !== 'object') return EMPTY;
  const r = raw as Record<string, unknown>;
  // Bounded strings only: the stamp is shown to every caller that asks for provenance.
  const field = (k: keyof BuildInfo): string => {
    const v = r[k];
    return typeof v === 'string' && v.length <= 256 && [...v].every((c) => c >= ' ') ? v : '';
  };
  return { build_commit: field('build_commit'), build_timestamp: field('build_timestamp'), build_hostname: field('build_hostname') };
}

/** This build's stamp: dist/build-info.json beside dist/shared/build-info.js. */
export const buildInfo: BuildInfo = readBuildInfo(new URL('../build-info.json', import.meta.url));
