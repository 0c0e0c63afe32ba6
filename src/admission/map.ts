// A workload's model fields + the namespace's deployment target + the requesting user → the
// model-deployment request (schemas/model-deployment-request.json), the same document
// POST /v1/decisions/model-deployment takes. Checked against that schema here, so a badly
// annotated object is refused with the annotation named, the way the endpoint refuses a bad body.
import type { ErrorObject } from 'ajv';
import { measureJson } from '../api/json-shape.js';
import type { AdmissionNamespace } from '../config/types.js';
import { validatorFor } from '../shared/schemas.js';
import type { UserInfo } from './types.js';
import type { AnnotationSuffix, ModelFields } from './workload.js';

const validateRequest = validatorFor('model-deployment-request.json');

/** Annotation JSON (evaluation, approvals) nests a few levels; deeper is refused before parsing. */
const MAX_ANNOTATION_DEPTH = 8;

export type MappedRequest = { ok: true; request: Record<string, unknown> } | { ok: false; problems: string[] };

/** Request field → the annotation suffix it comes from (to name it in problems). */
const SOURCE: Readonly<Record<string, AnnotationSuffix>> = {
  '/model/name': 'name',
  '/model/version': 'version',
  '/model/registry': 'registry',
  '/model/artifact/uri': 'artifact-uri',
  '/model/artifact/digest': 'artifact-digest',
  '/model/artifact/signed': 'artifact-signed',
  '/model/license': 'license',
  '/model/owner': 'owner',
  '/model/risk_tier': 'risk-tier',
  '/model/data_classification': 'data-classification',
  '/model/intended_use': 'intended-use',
  '/model/retention_days': 'retention-days',
  '/model/evaluation': 'evaluation',
  '/approvals': 'approvals',
};

/** The model part of the request (model and approvals): what an UPDATE compares. Precedence,
 * field by field: the annotation, else (artifact URI only) the object's own storage URI — what is
 * actually served — else the registry record, else the object's name (model name) or the
 * registry's own version number. */
export function modelPart(
  fields: ModelFields,
  prefix: string,
): { model: Record<string, unknown>; approvals?: unknown; problems: string[]; fromRecord: ReadonlySet<string> } {
  const a = fields.annotations;
  const rec = fields.record?.model ?? {};
  const problems: string[] = [];
  const model: Record<string, unknown> = {};
  const artifact: Record<string, unknown> = {};
  // Request paths whose value came from the record, to name the record in problems.
  const fromRecord = new Set<string>();
  const set = (key: string, v: unknown): void => {
    if (v !== undefined) model[key] = v;
    else if (rec[key] !== undefined) {
      model[key] = rec[key];
      fromRecord.add(`/model/${key}`);
    }
  };
  const recArtifact = (rec.artifact ?? {}) as Record<string, unknown>;
  const setArtifact = (key: string, v: unknown): void => {
    if (v !== undefined) artifact[key] = v;
    else if (recArtifact[key] !== undefined) {
      artifact[key] = recArtifact[key];
      fromRecord.add(`/model/artifact/${key}`);
    }
  };
  set('name', a.name ?? (rec.name === undefined ? fields.defaultName : undefined));
  set('version', a.version ?? (rec.version === undefined ? fields.defaultVersion : undefined));
  set('registry', a.registry);
  setArtifact('uri', a['artifact-uri'] ?? fields.storageUri);
  setArtifact('digest', a['artifact-digest']);
  let signed: boolean | undefined;
  if (a['artifact-signed'] !== undefined) {
    if (a['artifact-signed'] === 'true' || a['artifact-signed'] === 'false') signed = a['artifact-signed'] === 'true';
    else problems.push(`${prefix}artifact-signed: must be "true" or "false"`);
  }
  setArtifact('signed', signed);
  for (const key of Object.keys(recArtifact)) if (artifact[key] === undefined) setArtifact(key, undefined);
  if (Object.keys(artifact).length > 0) model.artifact = artifact;
  set('license', a.license);
  set('owner', a.owner);
  set('risk_tier', integer(a['risk-tier'], `${prefix}risk-tier`, problems));
  set('data_classification', a['data-classification']);
  set('intended_use', a['intended-use']);
  set('retention_days', integer(a['retention-days'], `${prefix}retention-days`, problems));
  set('evaluation', json(a.evaluation, `${prefix}evaluation`, 'object', problems));
  let approvals = json(a.approvals, `${prefix}approvals`, 'array', problems);
  if (approvals === undefined && fields.record?.approvals !== undefined) {
    approvals = fields.record.approvals;
    fromRecord.add('/approvals');
  }
  return { model, ...(approvals !== undefined ? { approvals } : {}), problems, fromRecord };
}

/** The whole request: the model part, the namespace's target, the requester from userInfo. */
export function toRequest(fields: ModelFields, prefix: string, target: AdmissionNamespace, namespace: string, user: UserInfo): MappedRequest {
  const part = modelPart(fields, prefix);
  if (part.problems.length > 0) return { ok: false, problems: part.problems };
  const deployment: Record<string, unknown> = { environment: target.environment };
  if (target.exposure !== undefined) deployment.exposure = target.exposure;
  if (target.region !== undefined) deployment.region = target.region;
  if (target.cluster !== undefined) deployment.cluster = target.cluster;
  if (namespace !== '') deployment.namespace = namespace;
  const requester: Record<string, unknown> = {};
  if (typeof user.username === 'string' && user.username !== '') requester.id = user.username;
  if (Array.isArray(user.groups)) requester.roles = user.groups.filter((g) => typeof g === 'string');
  const request: Record<string, unknown> = { model: part.model, deployment, requester };
  if (part.approvals !== undefined) request.approvals = part.approvals;
  if (!validateRequest(request)) {
    const record = fields.record ? { id: fields.record.id, paths: part.fromRecord } : undefined;
    return { ok: false, problems: (validateRequest.errors ?? []).map((e) => describe(e, prefix, record)) };
  }
  return { ok: true, request };
}

function integer(v: string | undefined, name: string, problems: string[]): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,9}$/.test(v)) {
    problems.push(`${name}: must be a non-negative integer`);
    return undefined;
  }
  return Number(v);
}

function json(v: string | undefined, name: string, want: 'object' | 'array', problems: string[]): unknown {
  if (v === undefined) return undefined;
  if (measureJson(v, MAX_ANNOTATION_DEPTH, Infinity).problem) {
    problems.push(`${name}: JSON nests deeper than ${MAX_ANNOTATION_DEPTH}`);
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    problems.push(`${name}: not valid JSON`);
    return undefined;
  }
  const ok = want === 'array' ? Array.isArray(parsed) : typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  if (!ok) {
    problems.push(`${name}: must be a JSON ${want}`);
    return undefined;
  }
  return parsed;
}

/** An ajv error, named by the annotation or the registry record field the value came from. */
function describe(e: ErrorObject, prefix: string, record?: { id: string; paths: ReadonlySet<string> }): string {
  let path = e.instancePath;
  if (e.keyword === 'required') path = `${path}/${(e.params as { missingProperty: string }).missingProperty}`;
  let source: string | undefined;
  for (const [field, suffix] of Object.entries(SOURCE)) {
    if (path === field || path.startsWith(`${field}/`)) source = `${prefix}${suffix}${path.slice(field.length).replace(/\//g, '.')}`;
  }
  for (const field of record?.paths ?? []) {
    if (path !== field && !path.startsWith(`${field}/`)) continue;
    const rel = path.startsWith('/model/') ? path.slice('/model/'.length) : path.slice(1);
    source = `registry record ${JSON.stringify(record?.id)} field ${rel.replace(/\//g, '.')}`;
  }
  const what = source ?? path.slice(1).replace(/\//g, '.');
  return `${what}: ${e.keyword === 'required' ? 'is required' : (e.message ?? 'is invalid')}`;
}
