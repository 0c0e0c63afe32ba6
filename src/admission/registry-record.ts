// A model's registry record, referenced by the workload's `<prefix>registry-record: <id>`
// annotation and shipped in bundle data at data.registry.models[<id>]: the governance metadata
// the registry holds (owner, risk tier, evaluation, approvals…) under the request's own field
// names. Fail closed: an id that is not one, a record that is missing or is not a record refuses
// the object with a reason code; it never crashes and is never read past.
import { measureJson } from '../api/json-shape.js';
import type { BundleData } from './bundle-data.js';
import { AdmissionCode } from './types.js';

/** Where records are: data.registry.models[<id>]. */
export const RECORD_PATH = ['registry', 'models'] as const;

/** A record id: letters, digits and . _ : - (no "/", so it is one key, not a path), ≤ 253. */
const RECORD_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,252}$/;

/** The record fields taken (the request's `model` fields, and `approvals`); others are ignored. */
export const RECORD_MODEL_FIELDS = [
  'name',
  'version',
  'registry',
  'artifact',
  'license',
  'owner',
  'risk_tier',
  'data_classification',
  'intended_use',
  'retention_days',
  'evaluation',
] as const;

/** A record nests a few levels (evaluation.metrics, approvals[]); deeper is not a record. */
const MAX_RECORD_DEPTH = 8;

export interface RecordFields {
  id: string;
  /** The record's model fields (only RECORD_MODEL_FIELDS; `artifact` is an object when present). */
  model: Record<string, unknown>;
  approvals?: unknown;
}

export type RecordLookup = { ok: true; record: RecordFields } | { ok: false; code: string; message: string; failure?: boolean };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function registryRecord(id: string, data: BundleData): Promise<RecordLookup> {
  if (!RECORD_ID.test(id)) {
    return {
      ok: false,
      code: AdmissionCode.REGISTRY_RECORD_INVALID,
      message: `registry-record ${JSON.stringify(id.slice(0, 64))}${id.length > 64 ? '…' : ''} is not a record id (letters, digits, . _ : -; at most 253)`,
    };
  }
  const where = `data.${RECORD_PATH.join('.')}[${JSON.stringify(id)}]`;
  const r = await data.read([...RECORD_PATH, id]);
  if (r.kind === 'no_policy') return { ok: false, code: AdmissionCode.NO_ACTIVE_POLICY, message: 'no policy bundle is active yet', failure: true };
  if (r.kind === 'error') return { ok: false, code: AdmissionCode.BUNDLE_DATA_ERROR, message: r.message, failure: true };
  if (r.kind === 'undefined') return { ok: false, code: AdmissionCode.REGISTRY_RECORD_NOT_FOUND, message: `no registry record ${where} in the bundle data` };
  const value = r.value;
  if (!isObject(value)) return { ok: false, code: AdmissionCode.REGISTRY_RECORD_INVALID, message: `${where} is not an object` };
  if (measureJson(JSON.stringify(value), MAX_RECORD_DEPTH, Infinity).problem) {
    return { ok: false, code: AdmissionCode.REGISTRY_RECORD_INVALID, message: `${where} nests deeper than ${MAX_RECORD_DEPTH}` };
  }
  const model: Record<string, unknown> = {};
  for (const field of RECORD_MODEL_FIELDS) if (Object.hasOwn(value, field) && value[field] !== undefined) model[field] = value[field];
  if (model.artifact !== undefined && !isObject(model.artifact)) {
    return { ok: false, code: AdmissionCode.REGISTRY_RECORD_INVALID, message: `${where}.artifact is not an object` };
  }
  return { ok: true, record: { id, model, ...(Object.hasOwn(value, 'approvals') ? { approvals: value.approvals } : {}) } };
}
