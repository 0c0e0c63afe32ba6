// Model-registry records → the model-deployment request, for `pdp gate model-deployment --from`:
//   MLflow: a ModelVersion (GET /api/2.0/mlflow/model-versions/get → {"model_version": {…}}, or
//     the object itself): name, version, source (artifact URI), run_id, status, tags [{key,
//     value}], aliases, user_id.
//   SageMaker: a DescribeModelPackage response: ModelPackageGroupName, ModelPackageVersion,
//     ModelApprovalStatus, InferenceSpecification.Containers[].ModelDataUrl / ModelDataSource,
//     CustomerMetadataProperties, ModelMetrics, CreatedBy.
// Governance metadata comes from the tags / metadata properties under the same names as the
// admission annotations (docs/ci.md), so one mapping (src/admission/map.ts) serves both.
import type { AdmissionNamespace } from '../config/types.js';
import { toRequest, type MappedRequest } from '../admission/map.js';
import { ANNOTATIONS, type ModelFields } from '../admission/workload.js';

export type RegistryKind = 'mlflow' | 'sagemaker';

export interface RegistryRecord {
  /** The request, or why the record makes none. */
  mapped: MappedRequest;
  /** What the registry itself says about the version (shown in the summary). */
  registryStatus?: string;
  /** The registry refused the version itself (SageMaker Rejected): a deny without asking the policy. */
  rejected?: string;
  /** The registry cannot vouch for the version yet (MLflow not READY): could not decide. */
  notReady?: string;
  /** Who created the version, the requester unless one is given. */
  createdBy?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

/** Metadata (tags, properties) → annotation-style fields. Besides the annotation names, the flat
 * forms a registry's short values need: evaluation.evidence_url, evaluation.model_version,
 * evaluation.completed_at, evaluation.metrics.<name> (a number) and approvals.<role> =
 * "<approver_id> <approved_at>". */
export function metadataFields(meta: Record<string, string>): ModelFields['annotations'] {
  const out: ModelFields['annotations'] = {};
  for (const k of ANNOTATIONS) if (meta[k] !== undefined) out[k] = meta[k];
  const evaluation: Record<string, unknown> = {};
  const metrics: Record<string, unknown> = {};
  const approvals: Record<string, unknown>[] = [];
  for (const [k, v] of Object.entries(meta)) {
    if (k.startsWith('evaluation.metrics.')) {
      const n = Number(v);
      metrics[k.slice('evaluation.metrics.'.length)] = v.trim() !== '' && Number.isFinite(n) ? n : v;
    } else if (k === 'evaluation.evidence_url' || k === 'evaluation.model_version' || k === 'evaluation.completed_at') {
      evaluation[k.slice('evaluation.'.length)] = v;
    } else if (k.startsWith('approvals.')) {
      const [approver, at] = v.trim().split(/\s+/);
      approvals.push({ role: k.slice('approvals.'.length), ...(approver ? { approver_id: approver } : {}), ...(at ? { approved_at: at } : {}) });
    }
  }
  if (Object.keys(metrics).length > 0) evaluation.metrics = metrics;
  if (out.evaluation === undefined && Object.keys(evaluation).length > 0) out.evaluation = JSON.stringify(evaluation);
  if (out.approvals === undefined && approvals.length > 0) out.approvals = JSON.stringify(approvals);
  return out;
}

export interface Target extends AdmissionNamespace {
  namespace?: string;
}

export function fromMlflow(doc: unknown, target: Target, requester: { id?: string; roles?: string[] }): RegistryRecord {
  const mv = isObject(doc) && isObject(doc.model_version) ? doc.model_version : doc;
  // A ModelVersion has a name and a status or source (the registry sets them); anything else is
  // some other JSON file given by mistake.
  if (!isObject(mv) || typeof mv.name !== 'string' || (mv.status === undefined && mv.source === undefined)) {
    return {
      mapped: { ok: false, problems: ['not an MLflow ModelVersion (expected {"model_version": {"name", "version", "source", "status", …}} or the object)'] },
    };
  }
  const tags: Record<string, string> = {};
  if (Array.isArray(mv.tags))
    for (const tag of mv.tags) if (isObject(tag) && typeof tag.key === 'string' && typeof tag.value === 'string') tags[tag.key] = tag.value;
  const fields: ModelFields = { annotations: metadataFields(tags) };
  const name = str(mv.name);
  const version = str(mv.version);
  const source = str(mv.source);
  if (name !== undefined) fields.defaultName = name;
  if (version !== undefined) fields.defaultVersion = version;
  if (source !== undefined) fields.storageUri = source;
  const status = str(mv.status);
  const aliases = Array.isArray(mv.aliases) ? mv.aliases.filter((a): a is string => typeof a === 'string') : [];
  const createdBy = requester.id ?? str(mv.user_id);
  return {
    mapped: toRequest(fields, 'MLflow tag ', target, target.namespace ?? '', { ...(createdBy ? { username: createdBy } : {}), groups: requester.roles ?? [] }),
    registryStatus: `MLflow ${status ?? 'status unknown'}${aliases.length ? `, aliases ${aliases.join(', ')}` : ''}${typeof mv.run_id === 'string' ? `, run ${mv.run_id}` : ''}`,
    ...(status !== undefined && status !== 'READY' ? { notReady: `MLflow model version status is ${status}, not READY` } : {}),
    ...(createdBy ? { createdBy } : {}),
  };
}

export function fromSagemaker(doc: unknown, target: Target, requester: { id?: string; roles?: string[] }): RegistryRecord {
  if (!isObject(doc) || (doc.ModelPackageArn === undefined && doc.ModelPackageName === undefined)) {
    return { mapped: { ok: false, problems: ['not a SageMaker DescribeModelPackage response (no ModelPackageArn or ModelPackageName)'] } };
  }
  const props: Record<string, string> = {};
  if (isObject(doc.CustomerMetadataProperties)) for (const [k, v] of Object.entries(doc.CustomerMetadataProperties)) if (typeof v === 'string') props[k] = v;
  const fields: ModelFields = { annotations: metadataFields(props) };
  const name = str(doc.ModelPackageGroupName) ?? str(doc.ModelPackageName);
  const version = str(doc.ModelPackageVersion);
  if (name !== undefined) fields.defaultName = name;
  if (version !== undefined) fields.defaultVersion = version;
  const uri = modelDataUri(doc.InferenceSpecification);
  if (uri !== undefined) fields.storageUri = uri;
  // ModelMetrics holds S3 locations of reports, not scores: the quality report is the evidence link.
  if (fields.annotations.evaluation === undefined) {
    const evidence =
      isObject(doc.ModelMetrics) && isObject(doc.ModelMetrics.ModelQuality) && isObject(doc.ModelMetrics.ModelQuality.Statistics)
        ? str(doc.ModelMetrics.ModelQuality.Statistics.S3Uri)
        : undefined;
    if (evidence !== undefined) fields.annotations.evaluation = JSON.stringify({ evidence_url: evidence });
  }
  const approval = str(doc.ModelApprovalStatus);
  const createdBy = requester.id ?? (isObject(doc.CreatedBy) ? str(doc.CreatedBy.UserProfileName) : undefined);
  return {
    mapped: toRequest(fields, 'SageMaker metadata property ', target, target.namespace ?? '', {
      ...(createdBy ? { username: createdBy } : {}),
      groups: requester.roles ?? [],
    }),
    registryStatus: `SageMaker ModelApprovalStatus ${approval ?? 'unknown'}`,
    ...(approval === 'Rejected' ? { rejected: 'the model package is Rejected in the SageMaker model registry' } : {}),
    ...(createdBy ? { createdBy } : {}),
  };
}

/** InferenceSpecification.Containers[0].ModelDataUrl, else its ModelDataSource.S3DataSource.S3Uri. */
function modelDataUri(spec: unknown): string | undefined {
  if (!isObject(spec) || !Array.isArray(spec.Containers)) return undefined;
  for (const c of spec.Containers) {
    if (!isObject(c)) continue;
    const url = str(c.ModelDataUrl);
    if (url !== undefined) return url;
    if (isObject(c.ModelDataSource) && isObject(c.ModelDataSource.S3DataSource)) {
      const s3 = str(c.ModelDataSource.S3DataSource.S3Uri);
      if (s3 !== undefined) return s3;
    }
  }
  return undefined;
}
