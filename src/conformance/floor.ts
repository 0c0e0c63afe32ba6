// The conformance floor: per suite (`opa-v1`) and per subfolder (`opa-v1/aggregates`), the
// passed count a run must reach. Only ever raised: a folder that drops fails the run.
import { readJsonObject } from './json-file.js';
import type { FolderReport } from './types.js';

export type Floor = Record<string, number>;

export async function readFloor(file: string): Promise<Floor> {
  const doc = await readJsonObject(file);
  const out: Floor = {};
  for (const [k, v] of Object.entries(doc)) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new TypeError(`${file}: ${k} must be a non-negative integer`);
    out[k] = v;
  }
  return out;
}

/** The floor after a run: each folder's value becomes max(old, passed); never lowered. */
export function raiseFloor(old: Floor, passed: [string, number][]): Floor {
  const out: Floor = { ...old };
  for (const [folder, n] of passed) out[folder] = Math.max(old[folder] ?? 0, n);
  const sorted: Floor = {};
  for (const k of Object.keys(out).sort()) sorted[k] = out[k];
  return sorted;
}

/** Folders whose passed count fell below the floor. */
export function belowFloor(floor: Floor, passed: Record<string, number>): { folder: string; floor: number; passed: number }[] {
  return Object.entries(floor)
    .filter(([folder, min]) => folder in passed && passed[folder] < min)
    .map(([folder, min]) => ({ folder, floor: min, passed: passed[folder] }));
}

/** Passed counts keyed as the floor keys them: each suite, and each `<suite>/<subfolder>`. */
export function passedCounts(folders: readonly FolderReport[]): [string, number][] {
  const out: [string, number][] = [];
  for (const f of folders) {
    out.push([f.folder, f.counts.passed]);
    for (const [group, c] of Object.entries(f.groups)) out.push([`${f.folder}/${group}`, c.passed]);
  }
  return out;
}
