// Renders helm/pdp with the renderer in gotemplate.ts (a subset of Go
// templates + Sprig + Helm, no helm binary needed) and checks the output:
//  - with the default values: every object validates against the Kubernetes
//    schemas, has no unknown fields, and equals deploy/kubernetes/base
//    (ignoring only Helm's own labels, the checksum annotation and the namespace);
//  - with every optional feature on: still valid, and each feature shows up;
//  - the chart's `fail` guards fire, and numbers from values render as plain integers.
//
// What this cannot prove: that real Helm renders byte-for-byte the same (the
// renderer is an independent implementation of the functions the chart uses;
// toYaml formatting in particular may differ in quoting or line breaks), and
// anything that happens at install time (hooks, lookup, API capabilities).

import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { repoRoot, walk, validateWithModels, strictFieldCheck, renderKustomization, podSpec, type K8sObject } from '../helpers/deploy.js';
import { createRenderer } from '../helpers/gotemplate.js';

const chartDir = path.join(repoRoot, 'helm', 'pdp');
const chartMeta = parseYaml(fs.readFileSync(path.join(chartDir, 'Chart.yaml'), 'utf8')) as Record<string, string>;
const defaults = parseYaml(fs.readFileSync(path.join(chartDir, 'values.yaml'), 'utf8')) as Record<string, any>;
const files: Record<string, string> = {};
for (const f of walk(path.join(chartDir, 'templates'))) files[`pdp/templates/${path.basename(f)}`] = fs.readFileSync(f, 'utf8');
const renderer = createRenderer(files);

function deepMerge(a: any, b: any): any {
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const out = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in a ? deepMerge(a[k], v) : v;
    return out;
  }
  return b;
}

function context(values: Record<string, any>, releaseName = 'pdp', namespace = 'default') {
  return {
    Values: values,
    Release: { Name: releaseName, Namespace: namespace, Service: 'Helm', IsInstall: true, IsUpgrade: false, Revision: 1 },
    Chart: { Name: chartMeta.name, Version: chartMeta.version, AppVersion: chartMeta.appVersion, Description: chartMeta.description, Type: chartMeta.type },
    Capabilities: { KubeVersion: { Version: 'v1.29.0', Major: '1', Minor: '29' } },
    Template: { BasePath: 'pdp/templates', Name: '' },
  };
}

/** Render every manifest template (not helpers, not NOTES) into objects. */
function renderChart(values: Record<string, any>): { objs: K8sObject[]; notes: string } {
  const ctx = context(values);
  const objs: K8sObject[] = [];
  for (const f of renderer.files) {
    if (f.endsWith('.tpl') || f.endsWith('NOTES.txt')) continue;
    const out = renderer.render(f, { ...ctx, Template: { ...ctx.Template, Name: f } });
    for (const d of parseAllDocuments(out)) {
      if (d.errors.length) throw new Error(`${f}: rendered YAML does not parse: ${d.errors.map((e) => e.message).join('; ')}\n${out}`);
      const js = d.toJS();
      if (js) objs.push(js as K8sObject);
    }
  }
  const notes = renderer.render('pdp/templates/NOTES.txt', ctx);
  return { objs, notes };
}

/** Drop what only Helm adds, and nulls (an empty `env:` renders as null, which the API treats as absent). */
function normalize(o: any): any {
  if (Array.isArray(o)) return o.map(normalize);
  if (o && typeof o === 'object') {
    const out: any = {};
    for (const [k, v] of Object.entries(o)) {
      if (v === null) continue;
      out[k] = normalize(v);
    }
    for (const key of ['labels']) {
      if (out[key]) {
        delete out[key]['helm.sh/chart'];
        delete out[key]['app.kubernetes.io/managed-by'];
      }
    }
    if (out.annotations) {
      delete out.annotations['checksum/config'];
      if (Object.keys(out.annotations).length === 0) delete out.annotations;
    }
    if (out.metadata?.namespace === 'default') delete out.metadata.namespace;
    return out;
  }
  return o;
}

const strictQueue: Array<{ label: string; obj: K8sObject }> = [];

async function validateAll(t: any, objs: K8sObject[], label: string) {
  for (const o of objs) {
    const name = `${label} ${o.kind}/${o.metadata?.name}`;
    if (o.apiVersion === 'cert-manager.io/v1') {
      // A CRD: not in kubernetes-models. Check the fields cert-manager needs and the pods rely on.
      const spec = o.spec as any;
      t.equal(o.kind, 'Certificate', `${name}: kind`);
      t.type(spec?.secretName, 'string', `${name}: names the Secret it writes`);
      t.ok(spec?.issuerRef?.name, `${name}: has an issuer`);
      t.ok(Array.isArray(spec?.dnsNames) && spec.dnsNames.length > 0, `${name}: has DNS names`);
      t.ok(spec?.usages?.includes('server auth'), `${name}: a server certificate`);
      continue;
    }
    if (o.apiVersion === 'monitoring.coreos.com/v1') {
      // A CRD: not in kubernetes-models. Check the fields the Prometheus Operator needs.
      const spec = o.spec as any;
      t.equal(o.kind, 'ServiceMonitor', `${name}: kind`);
      t.ok(spec?.selector?.matchLabels, `${name}: has a selector`);
      t.equal(spec?.endpoints?.[0]?.port, 'http', `${name}: scrapes the http port`);
      t.equal(spec?.endpoints?.[0]?.path, '/metrics', `${name}: scrapes /metrics`);
      continue;
    }
    await t.resolves(validateWithModels(o), `${name} validates against the Kubernetes schemas`);
    strictQueue.push({ label: name, obj: o });
  }
}

t.test('default values render into valid objects equal to deploy/kubernetes/base', async (t) => {
  const { objs, notes } = renderChart(defaults);
  t.same(
    objs.map((o) => o.kind).sort(),
    ['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'ServiceAccount'],
    'the default object set',
  );
  await validateAll(t, objs, 'defaults');
  const dep = objs.find((o) => o.kind === 'Deployment') as any;
  t.match(dep.spec.template.metadata.annotations['checksum/config'], /^[0-9a-f]{64}$/, 'pod template carries checksum/config of the ConfigMap');
  t.match(notes, /in-process only/, 'NOTES render (no Redis by default)');

  const base = renderKustomization(path.join(repoRoot, 'deploy', 'kubernetes', 'base'));
  t.equal(base.length, objs.length, 'same number of objects as deploy/kubernetes/base');
  for (const b of base) {
    const r = objs.find((o) => o.kind === b.kind && o.metadata?.name === b.metadata?.name);
    if (!t.ok(r, `chart renders ${b.kind}/${b.metadata?.name}`)) continue;
    t.same(normalize(r), normalize(b), `${b.kind}/${b.metadata?.name}: deploy/kubernetes/base equals the chart's default rendering`);
  }
});

t.test('a configuration change changes the checksum (pods roll)', async (t) => {
  const a = renderChart(defaults).objs.find((o) => o.kind === 'Deployment') as any;
  const b = renderChart(deepMerge(defaults, { config: { PDP_LOG_LEVEL: 'debug' } })).objs.find((o) => o.kind === 'Deployment') as any;
  t.not(a.spec.template.metadata.annotations['checksum/config'], b.spec.template.metadata.annotations['checksum/config']);
});

const everything = deepMerge(defaults, {
  image: { digest: 'sha256:' + 'a'.repeat(64) },
  imagePullSecrets: [{ name: 'regcred' }],
  commonLabels: { team: 'ai-governance' },
  podAnnotations: { 'example.com/scrape': 'true' },
  podLabels: { tier: 'critical' },
  priorityClassName: 'ai-governance-critical',
  autoscaling: { enabled: false, targetMemoryUtilizationPercentage: 80, behavior: { scaleDown: { stabilizationWindowSeconds: 300 } } },
  replicaCount: 4,
  podDisruptionBudget: { minAvailable: 2 },
  serviceMonitor: {
    enabled: true,
    labels: { release: 'prometheus' },
    authorization: { type: 'Bearer', credentials: { name: 'pdp-prometheus', key: 'key' } },
    tlsConfig: { ca: { secret: { name: 'pdp-tls', key: 'ca.crt' } }, serverName: 'pdp.default.svc' },
  },
  tls: {
    enabled: true,
    verifyClients: true,
    certManager: { create: true, issuerRef: { name: 'internal-ca' }, extraDnsNames: ['pdp.example.internal'] },
  },
  networkPolicy: {
    ingressFrom: [{ namespaceSelector: { matchLabels: { 'ai-governance/pdp-client': 'true' } } }],
    egress: {
      enabled: true,
      rules: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } } }], ports: [{ port: 6379, protocol: 'TCP' }] }],
    },
  },
  tmpVolume: { medium: 'Memory' },
  topologySpreadConstraints: [
    {
      maxSkew: 2,
      topologyKey: 'kubernetes.io/hostname',
      whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'pdp' } },
    },
  ],
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'policy', effect: 'NoSchedule' }],
  affinity: {
    nodeAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'pool', operator: 'In', values: ['system'] }] } }],
    },
  },
  config: {
    PDP_BUNDLE_URL: 'https://bundles.example.internal/ai-governance.tar.gz',
    PDP_BUNDLE_POLL_INTERVAL_MS: 15000,
    PDP_BUNDLE_MAX_COMPRESSED_BYTES: 33554432,
    PDP_BUNDLE_REQUIRE_SIGNATURE: true,
    REDIS_CLUSTER_NODES: 'redis-0:6379,redis-1:6379',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.observability:4318',
    PDP_DECISION_LOG_URL: 'https://logs.example.internal/logs',
    PDP_AUTH_JWT_ISSUER: 'https://idp.example.internal',
    PDP_AUTH_JWT_AUDIENCE: 'pdp',
    PDP_AUTH_MTLS_IDENTITIES: '[{"name":"release-pipeline","scopes":["decide:model-deployment"]}]',
  },
  configFile: { limits: { max_files: 20000 } },
  secrets: {
    redis: { existingSecret: 'pdp-redis', passwordKey: 'password', sentinelPasswordKey: '' },
    bundleServer: { existingSecret: 'pdp-bundle-server' },
    bundleSigning: { existingSecret: 'pdp-bundle-signing' },
    decisionLog: { existingSecret: 'pdp-decision-log' },
    authzen: { existingSecret: 'pdp-authzen' },
    apiKeys: { existingSecret: 'pdp-callers' },
    jwtKey: { existingSecret: 'pdp-jwt-keys' },
  },
  extraEnv: [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=384' }],
  extraEnvFrom: [{ secretRef: { name: 'pdp-extra' } }],
  extraVolumes: [{ name: 'extra', emptyDir: {} }],
  extraVolumeMounts: [{ name: 'extra', mountPath: '/extra' }],
});

t.test('every optional feature on: still valid, and each feature is rendered', async (t) => {
  const { objs, notes } = renderChart(everything);
  await validateAll(t, objs, 'everything');
  const get = (kind: string, name = 'pdp') => objs.find((o) => o.kind === kind && o.metadata?.name === name) as any;
  const dep = get('Deployment');
  const ps = podSpec(dep) as any;
  const c = ps.containers[0];
  const env = Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e]));
  t.equal(c.image, `${defaults.image.repository}@sha256:${'a'.repeat(64)}`, 'digest wins over the tag');
  t.equal(dep.spec.replicas, 4, 'replicas set when autoscaling is off');
  t.notOk(get('HorizontalPodAutoscaler'), 'no HPA when autoscaling is off');
  t.equal(get('PodDisruptionBudget').spec.minAvailable, 2, 'PDB minAvailable');
  t.notOk('maxUnavailable' in get('PodDisruptionBudget').spec, 'minAvailable replaces maxUnavailable');
  t.ok(get('ServiceMonitor'), 'ServiceMonitor');
  t.same(get('NetworkPolicy').spec.policyTypes, ['Ingress', 'Egress'], 'egress restricted');
  t.equal(get('NetworkPolicy').spec.egress.length, 2, 'DNS + the configured rule');
  t.equal(env.REDIS_PASSWORD?.valueFrom?.secretKeyRef?.name, 'pdp-redis', 'REDIS_PASSWORD from the Secret');
  t.equal(env.PDP_BUNDLE_AUTH_TOKEN?.valueFrom?.secretKeyRef?.name, 'pdp-bundle-server', 'bundle token from the Secret');
  t.equal(env.PDP_DECISION_LOG_AUTH_TOKEN?.valueFrom?.secretKeyRef?.name, 'pdp-decision-log', 'decision-log token from the Secret');
  t.same(
    env.PDP_AUTHZEN_PAGE_TOKEN_SECRET?.valueFrom?.secretKeyRef,
    { name: 'pdp-authzen', key: 'page-token-secret' },
    'AuthZEN page-token key from the Secret',
  );
  t.equal(env.PDP_BUNDLE_SIGNING_KEY_FILE?.value, '/etc/pdp/signing/verification.pem', 'signing key file in the mounted Secret');
  t.equal(env.NODE_OPTIONS?.value, '--max-old-space-size=384', 'extraEnv');
  t.equal(env.PDP_AUTH_API_KEYS_FILE?.value, '/etc/pdp/auth/api-keys.json', 'API keys from the mounted Secret');
  t.equal(env.PDP_AUTH_JWT_KEY_FILE?.value, '/etc/pdp/jwt/jwt-keys.json', 'JWT keys from the mounted Secret');
  t.equal(env.PDP_TLS_CERT_FILE?.value, '/etc/pdp/tls/tls.crt', 'TLS certificate from the mounted Secret');
  t.equal(env.PDP_TLS_KEY_FILE?.value, '/etc/pdp/tls/tls.key');
  t.equal(env.PDP_TLS_CLIENT_CA_FILE?.value, '/etc/pdp/tls/ca.crt', 'client CA from the same Secret');
  t.equal(env.PDP_TLS_CLIENT_AUTH?.value, 'optional', 'optional: kubelet probes present no client certificate');
  for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) t.equal(c[probe].httpGet.scheme, 'HTTPS', `${probe} over HTTPS`);
  t.equal(get('Service').spec.ports[0].appProtocol, 'https');
  const cert = get('Certificate');
  t.equal(cert?.spec.secretName, 'pdp-tls', 'the Certificate writes the Secret the pods mount');
  t.same(cert?.spec.dnsNames, ['pdp', 'pdp.default.svc', 'pdp.default.svc.cluster.local', 'pdp.example.internal']);
  t.same(cert?.spec.issuerRef, { name: 'internal-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
  const sm = get('ServiceMonitor').spec.endpoints[0];
  t.equal(sm.scheme, 'https');
  t.same(sm.authorization, { type: 'Bearer', credentials: { name: 'pdp-prometheus', key: 'key' } }, 'Prometheus presents a credential for /metrics');
  t.match(notes, /API keys from Secret pdp-callers/);
  t.match(notes, /JWT bearer tokens \(issuer https:\/\/idp\.example\.internal, audience pdp\)/);
  t.match(notes, /client certificates/);
  for (const [vol, secret] of [
    ['signing-keys', 'pdp-bundle-signing'],
    ['api-keys', 'pdp-callers'],
    ['jwt-keys', 'pdp-jwt-keys'],
    ['tls', 'pdp-tls'],
  ]) {
    t.equal(ps.volumes.find((v: any) => v.name === vol)?.secret?.secretName, secret, `${vol} volume from ${secret}`);
    t.ok(
      c.volumeMounts.some((m: any) => m.name === vol && m.readOnly),
      `${vol} mounted read-only`,
    );
  }
  t.equal(ps.volumes.find((v: any) => v.name === 'signing-keys')?.secret?.defaultMode, 288, 'secret files 0440');
  t.equal(ps.volumes.find((v: any) => v.name === 'config-file')?.configMap?.name, 'pdp-file', 'config file volume');
  const cm = get('ConfigMap');
  t.equal(cm.data.PDP_CONFIG, '/etc/pdp/config/config.yaml', 'PDP_CONFIG points at the mounted file');
  t.equal(cm.data.PDP_BUNDLE_MAX_COMPRESSED_BYTES, '33554432', 'a large number from values renders as a plain integer, not 3.3554432e+07');
  t.equal(cm.data.PDP_BUNDLE_POLL_INTERVAL_MS, '15000', 'numbers become strings');
  t.equal(cm.data.PDP_BUNDLE_REQUIRE_SIGNATURE, 'true', 'booleans become strings');
  t.same(parseYaml(get('ConfigMap', 'pdp-file').data['config.yaml']), { limits: { max_files: 20000 } }, 'config file content');
  t.equal(ps.topologySpreadConstraints[0].whenUnsatisfiable, 'DoNotSchedule', 'explicit topologySpreadConstraints replace the defaults');
  t.equal(ps.priorityClassName, 'ai-governance-critical', 'priority class');
  t.equal(dep.metadata.labels.team, 'ai-governance', 'commonLabels');
  t.equal(ps.volumes.find((v: any) => v.name === 'tmp').emptyDir.medium, 'Memory', 'tmp on tmpfs when asked');
  t.match(notes, /bundle server https:\/\/bundles\.example\.internal/, 'NOTES name the bundle server');
  t.match(notes, /shared Redis tier enabled/, 'NOTES name the Redis tier');
});

t.test('the chart refuses contradictory values', async (t) => {
  t.throws(
    () => renderChart(deepMerge(defaults, { config: { PDP_PORT: '9000' } })),
    /fail: config\.PDP_PORT is set by the chart/,
    'PDP_PORT comes from containerPort',
  );
  t.throws(
    () => renderChart(deepMerge(defaults, { config: { PDP_BUNDLE_AUTH_TOKEN: 'x' } })),
    /fail: config\.PDP_BUNDLE_AUTH_TOKEN/,
    'secrets never in the ConfigMap',
  );
  t.throws(
    () => renderChart(deepMerge(defaults, { config: { REDIS_URL: 'redis://a:6379' }, secrets: { redis: { existingSecret: 's', urlKey: 'url' } } })),
    /fail: secrets\.redis\.urlKey sets REDIS_URL/,
    'REDIS_URL from a Secret and from config at once',
  );
  t.throws(
    () => renderChart(deepMerge(defaults, { secrets: { apiKeys: { existingSecret: '' } } })),
    /fail: callers must authenticate/,
    'no authentication configured on 0.0.0.0: refused at install, as the service would refuse at start',
  );
  t.doesNotThrow(
    () => renderChart(deepMerge(defaults, { secrets: { apiKeys: { existingSecret: '' } }, config: { PDP_AUTH_MODE: 'none' } })),
    'unless explicitly none',
  );
  t.doesNotThrow(
    () => renderChart(deepMerge(defaults, { secrets: { apiKeys: { existingSecret: '' } }, config: { PDP_AUTH_JWT_JWKS_URL: 'https://idp/jwks' } })),
    'JWT is authentication',
  );
  t.throws(() => renderChart(deepMerge(defaults, { tls: { verifyClients: true } })), /fail: tls\.verifyClients needs tls\.enabled/);
  t.throws(
    () => renderChart(deepMerge(defaults, { tls: { enabled: true, certManager: { create: true } } })),
    /fail: tls\.certManager\.create needs tls\.certManager\.issuerRef\.name/,
  );
  t.throws(
    () => renderChart(deepMerge(defaults, { tls: { certManager: { create: true, issuerRef: { name: 'x' } } } })),
    /fail: tls\.certManager\.create makes the certificate for tls\.enabled/,
  );
  for (const v of ['PDP_AUTH_API_KEYS', 'PDP_TLS_CERT_FILE', 'PDP_AUTH_JWT_KEY_FILE'])
    t.throws(
      () => renderChart(deepMerge(defaults, { config: { [v]: 'x' } })),
      new RegExp(`fail: config\\.${v} is set by the chart`),
      `${v} comes from secrets.* / tls.*`,
    );
});

t.test('admission webhook: off by default; one value turns it on; valid against the Kubernetes schemas', async (t) => {
  t.notOk(
    renderChart(defaults).objs.some((o) => o.kind === 'ValidatingWebhookConfiguration'),
    'no webhook by default',
  );
  const on = deepMerge(everything, { admissionWebhook: { enabled: true, excludeNamespaces: ['ml-sandbox'] } });
  const { objs } = renderChart(on);
  await validateAll(t, objs, 'admission');
  const vwc = objs.find((o) => o.kind === 'ValidatingWebhookConfiguration') as any;
  if (!t.ok(vwc, 'admissionWebhook.enabled renders it')) return;
  t.equal(vwc.metadata.annotations['cert-manager.io/inject-ca-from'], 'default/pdp', 'cert-manager injects the CA of the Certificate the pods serve');
  const wh = vwc.webhooks[0];
  t.same(wh.clientConfig.service, { name: 'pdp', namespace: 'default', path: '/v1/admission/model-deployment', port: 8181 });
  t.same(
    wh.rules.map((r: any) => `${r.apiGroups[0]}/${r.apiVersions[0]}/${r.resources.join('+')}:${r.operations.join('+')}`),
    ['serving.kserve.io/v1beta1/inferenceservices:CREATE+UPDATE', 'apps/v1/deployments+statefulsets:CREATE+UPDATE', '/v1/pods:CREATE+UPDATE'],
    'the kinds, on create and update',
  );
  t.same(
    wh.namespaceSelector.matchExpressions[0],
    { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'default', 'ml-sandbox'] },
    'never kube-system or its own namespace',
  );
  t.equal(wh.failurePolicy, 'Fail');
  t.equal(wh.timeoutSeconds, 5);
  t.equal(wh.sideEffects, 'NoneOnDryRun');
  t.same(wh.admissionReviewVersions, ['v1']);
  t.match(wh.matchConditions[0].expression, "'pdp.ai-governance.io/name' in object.metadata.annotations", 'skips objects without the model annotation');
  t.match(
    wh.matchConditions[0].expression,
    "'pdp.ai-governance.io/registry-record' in object.metadata.annotations",
    'or with only a registry-record reference (those carry a model too)',
  );
  t.equal(
    (
      renderChart(deepMerge(on, { admissionWebhook: { failurePolicy: 'Ignore', timeoutSeconds: 10 } })).objs.find(
        (o) => o.kind === 'ValidatingWebhookConfiguration',
      ) as any
    )?.webhooks?.[0]?.failurePolicy,
    'Ignore',
    'failurePolicy is a value',
  );
  const prefixed = renderChart(deepMerge(on, { config: { PDP_ADMISSION_ANNOTATION_PREFIX: 'models.example.com/' } })).objs.find(
    (o) => o.kind === 'ValidatingWebhookConfiguration',
  ) as any;
  t.match(prefixed.webhooks[0].matchConditions[0].expression, "'models.example.com/name' in", 'the condition follows the configured prefix');
  const labelled = renderChart(deepMerge(on, { admissionWebhook: { modeLabel: 'pdp.ai-governance.io/admission-mode' } })).objs.find(
    (o) => o.kind === 'ValidatingWebhookConfiguration',
  ) as any;
  await validateAll(t, [labelled], 'admission by label');
  t.same(
    labelled.webhooks.map((w: any) => [w.name, w.clientConfig.service.path, w.namespaceSelector.matchExpressions[1]]),
    [
      ['model-deployment.pdp.default.svc', '/v1/admission/model-deployment', { key: 'pdp.ai-governance.io/admission-mode', operator: 'DoesNotExist' }],
      [
        'enforce.model-deployment.pdp.default.svc',
        '/v1/admission/model-deployment?mode=enforce',
        { key: 'pdp.ai-governance.io/admission-mode', operator: 'In', values: ['enforce'] },
      ],
      [
        'warn.model-deployment.pdp.default.svc',
        '/v1/admission/model-deployment?mode=warn',
        { key: 'pdp.ai-governance.io/admission-mode', operator: 'In', values: ['warn'] },
      ],
      [
        'audit.model-deployment.pdp.default.svc',
        '/v1/admission/model-deployment?mode=audit',
        { key: 'pdp.ai-governance.io/admission-mode', operator: 'In', values: ['audit'] },
      ],
    ],
    'modeLabel: one webhook per mode, each selecting its namespaces by the label and naming the mode in the path',
  );
  t.ok(
    labelled.webhooks.every((w: any) => w.namespaceSelector.matchExpressions[0].values.includes('kube-system')),
    'every one of them excludes kube-system and its own namespace',
  );
  const withoutCm = renderChart(
    deepMerge(defaults, {
      tls: { enabled: true },
      admissionWebhook: { enabled: true, caBundle: Buffer.from('-----BEGIN CERTIFICATE-----').toString('base64') },
    }),
  ).objs.find((o) => o.kind === 'ValidatingWebhookConfiguration') as any;
  t.ok(withoutCm.webhooks[0].clientConfig.caBundle, 'without cert-manager: the CA from admissionWebhook.caBundle');
  t.notOk(withoutCm.metadata.annotations, 'and no injection annotation');
  t.throws(
    () => renderChart(deepMerge(defaults, { admissionWebhook: { enabled: true } })),
    /fail: admissionWebhook\.enabled: the API server calls webhooks over HTTPS only/,
  );
  t.throws(
    () => renderChart(deepMerge(defaults, { tls: { enabled: true }, admissionWebhook: { enabled: true } })),
    /fail: admissionWebhook\.enabled: the API server must trust the PDP's certificate/,
  );
});

t.test("deploy/kubernetes/admission is the chart's webhook for release pdp in ai-governance", async (t) => {
  const values = deepMerge(defaults, { tls: { enabled: true, certManager: { create: true, issuerRef: { name: 'ca' } } }, admissionWebhook: { enabled: true } });
  const ctx = context(values, 'pdp', 'ai-governance');
  const out = renderer.render('pdp/templates/admission-webhook.yaml', { ...ctx, Template: { ...ctx.Template, Name: 'pdp/templates/admission-webhook.yaml' } });
  const chart = parseYaml(out) as any;
  const plain = parseYaml(fs.readFileSync(path.join(repoRoot, 'deploy', 'kubernetes', 'admission', 'validatingwebhookconfiguration.yaml'), 'utf8')) as any;
  t.same(plain.webhooks, chart.webhooks, 'the same webhook');
  t.same(plain.metadata.annotations, chart.metadata.annotations, 'the same CA injection');
  t.equal(plain.metadata.name, chart.metadata.name);
});

t.test('the renderer refuses what it does not implement (self-test)', async (t) => {
  const r = createRenderer({ 'a.yaml': '{{ nosuchfunc . }}', 'b.yaml': '{{ include "missing" . }}' });
  t.throws(() => r.render('a.yaml', {}), /function "nosuchfunc" is not supported/, 'unknown function');
  t.throws(() => r.render('b.yaml', {}), /no template "missing"/, 'missing template');
  t.throws(() => createRenderer({ 'c.yaml': '{{- if .x }}\nno end\n' }), /missing \{\{ end \}\}/, 'unclosed block');
  const ok = createRenderer({
    'd.yaml':
      'a:{{- range $k, $v := .m }}\n  {{ $k }}: {{ $v | quote }}{{- end }}\nb: {{ .n | default "x" }}\nc: {{ if eq .s "y" }}yes{{ else if .t }}t{{ else }}no{{ end }}',
  });
  t.equal(
    ok.render('d.yaml', { m: { z: 1, a: 'q' }, s: 'n', t: true }),
    'a:\n  a: "q"\n  z: "1"\nb: x\nc: t',
    'range over a sorted map, default, trim markers, else if',
  );
});

t.test('no unknown fields in any rendering', async (t) => {
  t.ok(strictQueue.length > 0, 'objects collected');
  t.same(strictFieldCheck(strictQueue), [], 'every rendered object uses only fields the Kubernetes API defines');
});
