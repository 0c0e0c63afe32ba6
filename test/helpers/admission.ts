// Test support for the admission webhook: AdmissionReview requests the way the Kubernetes API
// server sends them (admission.k8s.io/v1), the examples/model-deployment bodies wrapped as KServe
// InferenceServices (the request's fields as governance annotations, the artifact URI as the
// predictor's storageUri, the deployment target as the namespace's admission.namespaces entry,
// the requester as the API server's userInfo), and the check of every answer against
// schemas/admission-review-response.json.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Status } from '@kubernetes-models/apimachinery/apis/meta/v1/Status';
import type { ErrorObject } from 'ajv';
import { validatorFor } from '../../src/shared/schemas.js';
import { repoRoot } from './deploy.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- example bodies and Kubernetes objects are JSON whose fields the tests read freely
export type Json = any;

export const PREFIX = 'pdp.ai-governance.io/';
export const ADMISSION_PATH = '/v1/admission/model-deployment';

const validateResponse = validatorFor('admission-review-response.json');

/** null when the body is a valid AdmissionReview response that names its decision, else what is
 * wrong: schemas/admission-review-response.json (AdmissionResponse has no published OpenAPI
 * schema: admission.k8s.io is not a served API group), its `status` also against Kubernetes' own
 * meta/v1 Status schema (the OpenAPI one bundled in @kubernetes-models/apimachinery), and the
 * decision id every answer carries. */
export function responseProblems(body: unknown): Array<ErrorObject | string> | null {
  if (!validateResponse(body)) return [...(validateResponse.errors ?? [])];
  const response = (body as Json).response;
  const problems: string[] = [];
  if (response.status !== undefined) {
    try {
      new Status(response.status).validate();
    } catch (e) {
      problems.push(`status is not a meta/v1 Status: ${(e as Error).message}`);
    }
  }
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(response.auditAnnotations?.['decision-id'] ?? '')) {
    problems.push('auditAnnotations["decision-id"] is not a decision id');
  }
  return problems.length ? problems : null;
}

export interface Example {
  name: string;
  file: string;
  body: Record<string, Json>;
  expectAllow: boolean;
}

export function modelDeploymentExamples(): Example[] {
  const dir = join(repoRoot, 'examples', 'model-deployment');
  // Copies with fresh dates (withFreshDates), so what they expect does not change as they age.
  const fresh = mkdtempSync(join(tmpdir(), 'pdp-examples-'));
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const text = withFreshDates(readFileSync(join(dir, f), 'utf8'));
      writeFileSync(join(fresh, f), text);
      return {
        name: f.replace(/\.(allow|deny)\.json$/, ''),
        file: join(fresh, f),
        body: JSON.parse(text) as Record<string, Json>,
        expectAllow: f.endsWith('.allow.json'),
      };
    });
}

const GVK: Record<string, { group: string; version: string; kind: string; resource: string }> = {
  InferenceService: { group: 'serving.kserve.io', version: 'v1beta1', kind: 'InferenceService', resource: 'inferenceservices' },
  Deployment: { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments' },
  StatefulSet: { group: 'apps', version: 'v1', kind: 'StatefulSet', resource: 'statefulsets' },
  Pod: { group: '', version: 'v1', kind: 'Pod', resource: 'pods' },
  ConfigMap: { group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps' },
};

/** The governance annotations that carry a model-deployment request's model and approvals. */
export function annotationsFor(body: Record<string, Json>, opts: { withUri?: boolean } = {}): Record<string, string> {
  const m = body.model ?? {};
  const a: Record<string, string> = {};
  const put = (k: string, v: unknown): void => {
    if (v === undefined) return;
    a[PREFIX + k] = typeof v === 'string' ? v : JSON.stringify(v);
  };
  put('name', m.name);
  put('version', m.version);
  put('registry', m.registry);
  if (opts.withUri) put('artifact-uri', m.artifact?.uri);
  put('artifact-digest', m.artifact?.digest);
  put('artifact-signed', m.artifact?.signed);
  put('license', m.license);
  put('owner', m.owner);
  put('risk-tier', m.risk_tier);
  put('data-classification', m.data_classification);
  put('intended-use', m.intended_use);
  put('retention-days', m.retention_days);
  put('evaluation', m.evaluation);
  put('approvals', body.approvals);
  return a;
}

/** A model-deployment request as a KServe InferenceService (v1beta1). */
export function inferenceService(body: Record<string, Json>, namespace: string, name = body.model?.name ?? 'model'): Json {
  return {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: { name, namespace, annotations: annotationsFor(body) },
    spec: {
      predictor: {
        model: {
          modelFormat: { name: 'sklearn' },
          ...(body.model?.artifact?.uri !== undefined ? { storageUri: body.model.artifact.uri } : {}),
        },
      },
    },
  };
}

/** A Deployment / StatefulSet / Pod serving the model (annotations on the object's metadata). */
export function workload(kind: 'Deployment' | 'StatefulSet' | 'Pod', body: Record<string, Json> | null, namespace: string, name = 'server'): Json {
  const annotations = body ? annotationsFor(body, { withUri: true }) : {};
  const podSpec = { containers: [{ name: 'server', image: 'registry.internal/serving/triton:24.01' }] };
  const metadata = { name, namespace, annotations };
  if (kind === 'Pod') return { apiVersion: 'v1', kind, metadata, spec: podSpec };
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata,
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      ...(kind === 'StatefulSet' ? { serviceName: name } : {}),
      template: { metadata: { labels: { app: name } }, spec: podSpec },
    },
  };
}

/** An allow example that aged into a deny: its evaluation left the freshness window, and that is
 * the only reason (examples/README.md; test/api/real-policies.test.ts tolerates it the same way). */
export function aged(reasons: readonly { code: string }[]): boolean {
  return reasons.length > 0 && reasons.every((r) => r.code === 'STALE_EVALUATION');
}

let uidCounter = 0;

/** An AdmissionReview request as the API server sends it. */
export function review(
  kind: keyof typeof GVK,
  operation: 'CREATE' | 'UPDATE' | 'DELETE',
  opts: {
    object?: Record<string, Json> | null;
    oldObject?: Record<string, Json> | null;
    namespace: string;
    dryRun?: boolean;
    user?: { username: string; groups: string[] };
  },
): Json {
  const g = GVK[kind]!;
  const obj = opts.object ?? opts.oldObject ?? null;
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `705ab4f5-6393-11e8-b7cc-42010a8000${String(++uidCounter).padStart(2, '0')}`,
      kind: { group: g.group, version: g.version, kind: g.kind },
      resource: { group: g.group, version: g.version, resource: g.resource },
      requestKind: { group: g.group, version: g.version, kind: g.kind },
      requestResource: { group: g.group, version: g.version, resource: g.resource },
      name: (obj?.metadata?.name as string | undefined) ?? '',
      namespace: opts.namespace,
      operation,
      userInfo: { username: opts.user?.username ?? 'u-1', uid: '014fbff9a07c', groups: opts.user?.groups ?? ['ml-engineer', 'system:authenticated'] },
      object: operation === 'DELETE' ? null : (opts.object ?? null),
      oldObject: opts.oldObject ?? null,
      dryRun: opts.dryRun ?? false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: operation === 'CREATE' ? 'CreateOptions' : operation === 'UPDATE' ? 'UpdateOptions' : 'DeleteOptions' },
    },
  };
}

/** admission.namespaces for the examples: one namespace per example, its deployment target. */
export function namespacesFor(examples: Example[], mode?: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const e of examples) {
    const d = e.body.deployment;
    out[e.name] = { environment: d.environment, exposure: d.exposure, region: d.region, cluster: d.cluster, ...(mode ? { mode } : {}) };
  }
  return out;
}

/** `text` with the dates the fixtures and examples were written on (2026-11-25) moved to eight days
 * ago, all by the same shift: the policy refuses evaluations older than its freshness bound, and a
 * test that expects an allow must not start failing as its fixture ages. */
export function withFreshDates(text: string): string {
  const shift = Date.now() - 8 * 86_400_000 - Date.parse('2026-11-25T00:00:00Z');
  return text.replace(/2026-11-25T(\d\d:\d\d:\d\d)/g, (_m, hms: string) => new Date(Date.parse(`2026-11-25T${hms}Z`) + shift).toISOString().slice(0, 19));
}

/** The namespace labels that describe a deployment target (environment, exposure, region, cluster). */
export function targetLabels(deployment: Record<string, Json>, mode?: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const k of ['environment', 'exposure', 'region', 'cluster']) if (typeof deployment[k] === 'string') labels[PREFIX + k] = deployment[k];
  if (mode) labels[`${PREFIX}admission-mode`] = mode;
  return labels;
}

/** A Namespace object as the API server (and a replicator) has it. */
export function namespaceObject(name: string, labels: Record<string, unknown>): Json {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } },
    spec: { finalizers: ['kubernetes'] },
  };
}

/** A model-deployment request's model and approvals as a registry record (data.registry.models[id]). */
export function recordFor(body: Record<string, Json>): Json {
  return { ...body.model, ...(body.approvals !== undefined ? { approvals: body.approvals } : {}) };
}

export interface ClusterData {
  /** data.kubernetes.namespaces (kube-mgmt's layout): name → Namespace object. */
  kubeMgmt?: Record<string, Json>;
  /** data.inventory.cluster.v1.Namespace (Gatekeeper's sync layout): name → Namespace object. */
  gatekeeper?: Record<string, Json>;
  /** data.registry.models: id → record. */
  records?: Record<string, Json>;
}

/** A data-only bundle like the one a cluster replicator and a registry export would ship, next
 * to the policy bundle; and a config file serving both. Returns the config file's path. */
export function clusterDataConfig(data: ClusterData, revision = 'cluster-data-1'): string {
  const dir = mkdtempSync(join(tmpdir(), 'pdp-cluster-data-'));
  const put = (rel: string, value: unknown): void => {
    mkdirSync(join(dir, rel), { recursive: true });
    writeFileSync(join(dir, rel, 'data.json'), JSON.stringify(value));
  };
  writeFileSync(join(dir, '.manifest'), JSON.stringify({ revision, roots: ['kubernetes', 'inventory', 'registry'] }));
  if (data.kubeMgmt) put('kubernetes/namespaces', data.kubeMgmt);
  if (data.gatekeeper) put('inventory/cluster/v1/Namespace', data.gatekeeper);
  if (data.records) put('registry/models', data.records);
  const config = join(mkdtempSync(join(tmpdir(), 'pdp-config-')), 'pdp.json');
  writeFileSync(
    config,
    JSON.stringify({
      bundles: [
        { name: 'main', path: join(repoRoot, 'policies'), watch: false },
        { name: 'cluster', path: dir, watch: false, data_only: true },
      ],
    }),
  );
  return config;
}
