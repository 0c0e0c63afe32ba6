// Which objects are model-serving workloads, and the model fields one carries: its governance
// annotations (under the configured prefix) and, for a KServe InferenceService, the model's name
// and storage URI from the object itself. Objects arrive from the API server as sent by users:
// nothing here assumes a shape it has not checked.
import type { RecordFields } from './registry-record.js';
import type { GroupVersionKind, KubeObject } from './types.js';

export type WorkloadKind = 'InferenceService' | 'Deployment' | 'StatefulSet' | 'Pod';

const KINDS: ReadonlyMap<string, WorkloadKind> = new Map([
  ['serving.kserve.io/InferenceService', 'InferenceService'],
  ['apps/Deployment', 'Deployment'],
  ['apps/StatefulSet', 'StatefulSet'],
  ['/Pod', 'Pod'],
]);

export function workloadKind(gvk: GroupVersionKind): WorkloadKind | undefined {
  return KINDS.get(`${gvk.group}/${gvk.kind}`);
}

/** The annotations the mapping reads, by suffix (the key is `<prefix><suffix>`). */
export const ANNOTATIONS = [
  'name',
  'version',
  'registry',
  'artifact-uri',
  'artifact-digest',
  'artifact-signed',
  'license',
  'owner',
  'risk-tier',
  'data-classification',
  'intended-use',
  'retention-days',
  'evaluation',
  'approvals',
] as const;
export type AnnotationSuffix = (typeof ANNOTATIONS)[number];

/** What an object says about the model it serves. */
export interface ModelFields {
  /** Annotation values by suffix (only the ones present, only strings). */
  annotations: Partial<Record<AnnotationSuffix, string>>;
  /** InferenceService: metadata.name, the model's name when no annotation gives one. */
  defaultName?: string;
  /** InferenceService: spec.predictor.model.storageUri (or a framework predictor's storageUri);
   * a registry record: its artifact location. */
  storageUri?: string;
  /** A registry record: its own version number, when no annotation or tag gives one. */
  defaultVersion?: string;
  /** `<prefix>registry-record`: the id of the model's record in the bundle data. */
  recordId?: string;
  /** That record, once read (its fields go under the annotations: see modelPart). */
  record?: RecordFields;
}

/** The annotation suffix that references a registry record. */
export const RECORD_ANNOTATION = 'registry-record';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The model fields of the object, or undefined when it carries no model: no `<prefix>name` or
 * `<prefix>registry-record` annotation, and not an InferenceService (which always serves one). */
export function modelFields(kind: WorkloadKind, object: KubeObject, prefix: string): ModelFields | undefined {
  const meta = isObject(object.metadata) ? object.metadata : {};
  const raw = isObject(meta.annotations) ? meta.annotations : {};
  const annotations: ModelFields['annotations'] = {};
  for (const suffix of ANNOTATIONS) {
    const v = raw[prefix + suffix];
    if (typeof v === 'string') annotations[suffix] = v;
  }
  const ref = raw[prefix + RECORD_ANNOTATION];
  const recordId = typeof ref === 'string' ? ref : undefined;
  if (kind !== 'InferenceService') {
    if (annotations.name === undefined && recordId === undefined) return undefined;
    return recordId !== undefined ? { annotations, recordId } : { annotations };
  }
  const fields: ModelFields = { annotations };
  if (recordId !== undefined) fields.recordId = recordId;
  const name = str(meta.name);
  if (name !== undefined) fields.defaultName = name;
  const uri = predictorStorageUri(object.spec);
  if (uri !== undefined) fields.storageUri = uri;
  return fields;
}

/** spec.predictor.model.storageUri (v1beta1 with modelFormat), else the first framework
 * predictor's (spec.predictor.sklearn.storageUri, the older form). */
function predictorStorageUri(spec: unknown): string | undefined {
  if (!isObject(spec) || !isObject(spec.predictor)) return undefined;
  const predictor = spec.predictor;
  if (isObject(predictor.model)) {
    const uri = str(predictor.model.storageUri);
    if (uri !== undefined) return uri;
  }
  for (const value of Object.values(predictor)) {
    if (isObject(value)) {
      const uri = str(value.storageUri);
      if (uri !== undefined) return uri;
    }
  }
  return undefined;
}

/** A Pod created by a controller (a ReplicaSet, StatefulSet, Job): its owner was decided. */
export function ownedByController(object: KubeObject): boolean {
  const meta = isObject(object.metadata) ? object.metadata : {};
  const owners = Array.isArray(meta.ownerReferences) ? meta.ownerReferences : [];
  return owners.some((o) => isObject(o) && o.controller === true);
}
