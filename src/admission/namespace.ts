// The deployment target a namespace is (environment, exposure, region, cluster) and the mode its
// workloads are answered in. From the namespace's labels `<prefix>environment`, `exposure`,
// `region`, `cluster`, `admission-mode`, read from
//   1. the review's `namespaceObject`, when a proxy in front of the webhook adds one (the
//      kube-apiserver never sends it: AdmissionRequest v1 has no such field);
//   2. the bundle data, where a replicator keeps the cluster's Namespace objects:
//      data.kubernetes.namespaces[<ns>] (kube-mgmt's layout), else
//      data.inventory.cluster.v1.Namespace[<ns>] (Gatekeeper's sync layout);
// each field falling back to the namespace's entry in admission.namespaces. A label value that
// is not a valid Kubernetes label value refuses the object (fail closed), it is not skipped.
import type { AdmissionMode, AdmissionNamespace } from '../config/types.js';
import type { BundleData } from './bundle-data.js';
import { AdmissionCode, type KubeObject } from './types.js';

/** The label suffixes read (the key is `<prefix><suffix>`, the same prefix as the annotations). */
export const NAMESPACE_LABELS = ['environment', 'exposure', 'region', 'cluster', 'admission-mode'] as const;
type LabelSuffix = (typeof NAMESPACE_LABELS)[number];

/** Where replicated Namespace objects' labels are, in the order they are read. */
export const NAMESPACE_DATA_PATHS: ReadonlyArray<{ source: string; segments: (ns: string) => string[] }> = [
  { source: 'data.kubernetes.namespaces', segments: (ns) => ['kubernetes', 'namespaces', ns, 'metadata', 'labels'] },
  { source: 'data.inventory.cluster.v1.Namespace', segments: (ns) => ['inventory', 'cluster', 'v1', 'Namespace', ns, 'metadata', 'labels'] },
];

/** A namespace name (an RFC 1123 DNS label), the only names looked up in bundle data. */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A Kubernetes label value: at most 63 characters, alphanumerics and -_. inside. */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
const MODES: readonly string[] = ['enforce', 'warn', 'audit'];

export type NamespaceTarget =
  | { ok: true; target: AdmissionNamespace; mode: AdmissionMode; source: string }
  /** No target: refused (the mode applies) or, with `failure`, could not be read. */
  | { ok: false; code: string; message: string; mode: AdmissionMode; failure?: boolean };

export interface NamespaceSettings {
  prefix: string;
  namespaces: Readonly<Record<string, AdmissionNamespace>>;
  defaultMode: AdmissionMode;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

type Labels = { ok: true; labels?: Record<string, unknown>; source: string } | { ok: false; code: string; message: string; failure?: boolean };

async function labelsOf(namespace: string, namespaceObject: KubeObject | null | undefined, data: BundleData): Promise<Labels> {
  if (namespaceObject !== undefined && namespaceObject !== null) {
    const meta = isObject(namespaceObject.metadata) ? namespaceObject.metadata : {};
    if (meta.name !== namespace) {
      return { ok: false, code: AdmissionCode.NAMESPACE_LABEL_INVALID, message: `namespaceObject is not namespace ${JSON.stringify(namespace)}` };
    }
    if (meta.labels === undefined) return { ok: true, source: '' };
    if (!isObject(meta.labels)) return { ok: false, code: AdmissionCode.NAMESPACE_LABEL_INVALID, message: 'namespaceObject.metadata.labels is not an object' };
    return { ok: true, labels: meta.labels, source: 'namespaceObject' };
  }
  if (!NAMESPACE_NAME.test(namespace)) return { ok: true, source: '' };
  for (const where of NAMESPACE_DATA_PATHS) {
    const r = await data.read(where.segments(namespace));
    if (r.kind === 'no_policy') return { ok: false, code: AdmissionCode.NO_ACTIVE_POLICY, message: 'no policy bundle is active yet', failure: true };
    if (r.kind === 'error') return { ok: false, code: AdmissionCode.BUNDLE_DATA_ERROR, message: r.message, failure: true };
    if (r.kind === 'undefined') continue;
    if (!isObject(r.value)) {
      return {
        ok: false,
        code: AdmissionCode.NAMESPACE_LABEL_INVALID,
        message: `${where.source}[${JSON.stringify(namespace)}].metadata.labels is not an object`,
      };
    }
    return { ok: true, labels: r.value, source: where.source };
  }
  return { ok: true, source: '' };
}

/** `labelMode`: the ?mode= the chart's per-mode webhook adds (the API server's own view of the label). */
export async function namespaceTarget(
  namespace: string,
  namespaceObject: KubeObject | null | undefined,
  labelMode: AdmissionMode | undefined,
  settings: NamespaceSettings,
  data: BundleData,
): Promise<NamespaceTarget> {
  const own = Object.hasOwn(settings.namespaces, namespace) ? settings.namespaces[namespace] : undefined;
  // The operator's pin, else the label as the API server saw it; the replicated label below.
  const pinned = own?.mode ?? labelMode;
  const fallbackMode = pinned ?? settings.defaultMode;
  const read = await labelsOf(namespace, namespaceObject, data);
  if (!read.ok) return { ...read, mode: fallbackMode };

  const values: Partial<Record<LabelSuffix, string>> = {};
  if (read.labels) {
    for (const suffix of NAMESPACE_LABELS) {
      const key = settings.prefix + suffix;
      if (!Object.hasOwn(read.labels, key)) continue;
      const v = read.labels[key];
      if (typeof v !== 'string' || !LABEL_VALUE.test(v) || (suffix === 'admission-mode' && v !== '' && !MODES.includes(v))) {
        return {
          ok: false,
          code: AdmissionCode.NAMESPACE_LABEL_INVALID,
          message: `${read.source}: label ${key} is not ${suffix === 'admission-mode' ? 'one of enforce, warn, audit' : 'a valid label value'}`,
          mode: fallbackMode,
        };
      }
      if (v !== '') values[suffix] = v;
    }
  }
  const mode = pinned ?? (values['admission-mode'] as AdmissionMode | undefined) ?? settings.defaultMode;
  const environment = values.environment ?? own?.environment;
  if (environment === undefined) {
    return {
      ok: false,
      code: AdmissionCode.NAMESPACE_NOT_MAPPED,
      message: `namespace ${JSON.stringify(namespace)} is not a known deployment target (no ${settings.prefix}environment label, not in admission.namespaces)`,
      mode,
    };
  }
  const target: AdmissionNamespace = { environment };
  const exposure = values.exposure ?? own?.exposure;
  const region = values.region ?? own?.region;
  const cluster = values.cluster ?? own?.cluster;
  if (exposure !== undefined) target.exposure = exposure;
  if (region !== undefined) target.region = region;
  if (cluster !== undefined) target.cluster = cluster;
  const source = values.environment !== undefined ? read.source : 'admission.namespaces';
  return { ok: true, target, mode, source };
}
