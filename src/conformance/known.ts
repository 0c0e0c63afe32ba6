// The known-failures list: `<folder>/<file>#<note>` → why the case fails.
// `reason` is the runner's one-line reason from the run that wrote the entry; `why` is an
// optional human explanation, kept when the list is regenerated while the case still fails.
import { readJsonObject } from './json-file.js';
import { writeFile } from 'node:fs/promises';
import type { FailureEntry } from './types.js';

export interface KnownEntry {
  reason: string;
  why?: string;
}

export type KnownList = Record<string, KnownEntry>;

/** Reads a list; a missing file is an empty list. Plain string values are read as a `why`. */
export async function readKnown(file: string): Promise<KnownList> {
  const doc = await readJsonObject(file);
  const out: KnownList = {};
  for (const [k, v] of Object.entries(doc)) {
    if (typeof v === 'string') out[k] = { reason: v, why: v };
    else if (v !== null && typeof v === 'object' && typeof (v as KnownEntry).reason === 'string') {
      const e = v as KnownEntry;
      out[k] = typeof e.why === 'string' && e.why !== '' ? { reason: e.reason, why: e.why } : { reason: e.reason };
    } else throw new TypeError(`${file}: entry ${JSON.stringify(k)} must be {"reason": "...", "why"?: "..."}`);
  }
  return out;
}

/** The explanation printed for a known failure. */
export function knownText(e: KnownEntry): string {
  return e.why ?? e.reason;
}

/**
 * The list after a run: every current failure (fresh reason, existing `why` kept); entries for
 * cases this run did not cover (`ranKeys` lacks them) kept unchanged; fixed cases dropped.
 */
export function mergeKnown(existing: KnownList, failures: FailureEntry[], ranKeys: Set<string>): KnownList {
  const out: KnownList = {};
  for (const [k, e] of Object.entries(existing)) if (!ranKeys.has(k)) out[k] = e;
  for (const f of failures) {
    const why = existing[f.key]?.why;
    out[f.key] = why === undefined ? { reason: f.reason } : { reason: f.reason, why };
  }
  const sorted: KnownList = {};
  for (const k of Object.keys(out).sort()) sorted[k] = out[k];
  return sorted;
}

export async function writeKnown(file: string, list: KnownList): Promise<void> {
  await writeFile(file, JSON.stringify(list, null, 2) + '\n', 'utf8');
}
