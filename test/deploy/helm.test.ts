// The Helm chart (helm/pdp): Chart.yaml and values.yaml are valid, every value
// is commented, templates are well-formed Go templates whose .Values paths all
// exist, every value is used, the configuration keys are exactly the variables
// the service reads, and the plain manifests in deploy/kubernetes/base equal
// the chart's defaults.
//
// Cannot be checked here (no helm binary): rendering with Helm itself, `helm
// lint`, and installing into a cluster. The templates are checked statically
// here; helm-render.test.ts renders them with an independent implementation of
// the template subset the chart uses and validates the output.

import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, parseDocument, isMap, isPair, isScalar, type YAMLMap, type Node as YamlNode } from 'yaml';
import {
  repoRoot,
  walk,
  loadYamlDocs,
  templateActions,
  checkTemplateBlocks,
  valuesPaths,
  hasPath,
  leafPaths,
  renderKustomization,
  podSpec,
  knownConfigVars,
  isKnownVar,
  type K8sObject,
} from '../helpers/deploy.js';

const chartDir = path.join(repoRoot, 'helm', 'pdp');
const templatesDir = path.join(chartDir, 'templates');
const chart = parseYaml(fs.readFileSync(path.join(chartDir, 'Chart.yaml'), 'utf8')) as Record<string, any>;
const valuesText = fs.readFileSync(path.join(chartDir, 'values.yaml'), 'utf8');
const values = parseYaml(valuesText) as Record<string, any>;
const templateFiles = walk(templatesDir, /\.(ya?ml|tpl|txt)$/);

/** Values the chart renders itself rather than taking from `config`. */
const CHART_MANAGED_VARS = new Set([
  'PDP_PORT',
  'PDP_CONFIG',
  'PDP_BUNDLE_SIGNING_KEY_FILE',
  // From secrets.jwtKey and tls.* (files mounted from Secrets).
  'PDP_AUTH_JWT_KEY_FILE',
  'PDP_TLS_CERT_FILE',
  'PDP_TLS_KEY_FILE',
  'PDP_TLS_CLIENT_CA_FILE',
  'PDP_TLS_CLIENT_AUTH',
]);

// SemVer 2.0.0, the regular expression published at semver.org.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

t.test('Chart.yaml is a valid Helm v2 chart definition', async (t) => {
  t.doesNotThrow(() => loadYamlDocs(path.join(chartDir, 'Chart.yaml')), 'parses');
  t.equal(chart.apiVersion, 'v2', 'apiVersion v2 (Helm 3)');
  t.equal(chart.name, path.basename(chartDir), 'name matches the chart directory');
  t.match(chart.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'name is lower-case DNS-style');
  t.type(chart.version, 'string', 'version is a string');
  t.match(chart.version, SEMVER, 'version is SemVer 2');
  t.type(chart.appVersion, 'string', 'appVersion is a quoted string');
  t.ok(['application', 'library'].includes(chart.type), 'type is application or library');
  t.ok(typeof chart.description === 'string' && chart.description.length > 0, 'has a description');
  if (chart.kubeVersion) t.match(chart.kubeVersion, /^[<>=~^!]*\s*\d+\.\d+/, 'kubeVersion is a version constraint');
  const allowed = new Set([
    'apiVersion',
    'name',
    'version',
    'kubeVersion',
    'description',
    'type',
    'keywords',
    'home',
    'sources',
    'dependencies',
    'maintainers',
    'icon',
    'appVersion',
    'deprecated',
    'annotations',
  ]);
  t.same(
    Object.keys(chart).filter((k) => !allowed.has(k)),
    [],
    'only fields Helm defines',
  );
  const pkgVersion = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version;
  t.equal(chart.appVersion, pkgVersion, 'appVersion is the package.json version');
});

t.test('values.yaml parses and every value has a comment', async (t) => {
  t.doesNotThrow(() => loadYamlDocs(path.join(chartDir, 'values.yaml')), 'parses');
  t.ok(values && typeof values === 'object', 'is a map');
  const lines = valuesText.split('\n');
  const doc = parseDocument(valuesText);
  const uncommented: string[] = [];
  const visit = (node: YamlNode | null | undefined, prefix: string) => {
    if (!isMap(node)) return;
    for (const pair of (node as YAMLMap).items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      const keyPath = prefix ? `${prefix}.${key}` : key;
      const line = valuesText.slice(0, pair.key.range?.[0] ?? 0).split('\n').length - 1;
      const above = (lines[line - 1] ?? '').trim();
      const inline = lines[line].replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '""').includes(' #');
      if (!above.startsWith('#') && !inline) uncommented.push(`${keyPath} (line ${line + 1})`);
      visit(pair.value as YamlNode, keyPath);
    }
  };
  visit(doc.contents as YamlNode, '');
  t.same(uncommented, [], 'every key in values.yaml has a comment above it or on its line');
});

const actionsByFile = new Map<string, ReturnType<typeof templateActions>>();

t.test('templates are well-formed Go templates', async (t) => {
  t.ok(templateFiles.length >= 10, 'templates present');
  for (const f of [
    '_helpers.tpl',
    'deployment.yaml',
    'service.yaml',
    'hpa.yaml',
    'pdb.yaml',
    'serviceaccount.yaml',
    'configmap.yaml',
    'servicemonitor.yaml',
    'networkpolicy.yaml',
    'NOTES.txt',
  ]) {
    t.ok(fs.existsSync(path.join(templatesDir, f)), `templates/${f} exists`);
  }
  for (const f of templateFiles) {
    const name = path.relative(chartDir, f);
    const src = fs.readFileSync(f, 'utf8');
    let actions: ReturnType<typeof templateActions> = [];
    t.doesNotThrow(() => {
      actions = templateActions(src, name);
    }, `${name}: every {{ has its }} (strings, comments, parentheses balanced)`);
    actionsByFile.set(name, actions);
    t.same(checkTemplateBlocks(actions, name), [], `${name}: if/with/range/define blocks close with end`);
    // Outside actions, a manifest template must still look like YAML: no tabs for indentation.
    if (/\.ya?ml$/.test(f)) t.notMatch(src, /^\t/m, `${name}: no tab indentation`);
  }
});

t.test('every .Values path used in a template exists in values.yaml, and every value is used', async (t) => {
  const used: string[][] = [];
  for (const [name, actions] of actionsByFile) {
    for (const { path: p, line } of valuesPaths(actions)) {
      used.push(p);
      t.ok(hasPath(values, p), `${name}:${line}: .Values.${p.join('.')} exists in values.yaml`);
    }
  }
  t.ok(used.length > 20, 'templates use values');
  const unused = leafPaths(values).filter((leaf) => !used.some((u) => u.every((k, i) => leaf[i] === k) || leaf.every((k, i) => u[i] === k)));
  t.same(
    unused.map((p) => p.join('.')),
    [],
    'no value in values.yaml is ignored by every template',
  );
});

t.test('included templates are defined once in _helpers.tpl', async (t) => {
  const defined = new Map<string, number>();
  const includes = new Set<string>();
  for (const actions of actionsByFile.values()) {
    for (const a of actions) {
      const def = /^define\s+"([^"]+)"/.exec(a.text);
      if (def) defined.set(def[1], (defined.get(def[1]) ?? 0) + 1);
      for (const m of a.text.matchAll(/\b(?:include|template)\s+"([^"]+)"/g)) includes.add(m[1]);
    }
  }
  for (const name of includes) t.equal(defined.get(name), 1, `"${name}" is defined exactly once`);
});

t.test('config keys are exactly the variables the service reads', async (t) => {
  const known = await knownConfigVars();
  const config = values.config as Record<string, unknown>;
  for (const k of Object.keys(config)) {
    t.ok(isKnownVar(known, k), `config.${k} is read by the service`);
    t.notOk(CHART_MANAGED_VARS.has(k), `config.${k} is not one the chart sets itself`);
    // REDIS_URL is handled as a secret (it may carry credentials); one without them may sit in config.
    t.notOk((known.get(k)?.secret && k !== 'REDIS_URL') || /PASSWORD|TOKEN|SIGNING_KEY$/.test(k), `config.${k} is not a secret (secrets come from secrets.*)`);
    t.type(config[k], 'string', `config.${k} is a string (env values are strings; "" = service default)`);
  }
  const secretFed = new Set([
    'REDIS_PASSWORD',
    'REDIS_SENTINEL_PASSWORD',
    'PDP_BUNDLE_AUTH_TOKEN',
    'PDP_BUNDLE_SIGNING_KEY',
    'PDP_DECISION_LOG_AUTH_TOKEN',
    'PDP_CACHE_SECRET',
    'PDP_AUTH_API_KEYS',
    'PDP_AUTHZEN_PAGE_TOKEN_SECRET',
  ]);
  for (const v of known.values()) {
    if (CHART_MANAGED_VARS.has(v.name) || secretFed.has(v.name)) continue;
    t.ok(v.name in config, `${v.name} can be set through values.yaml config`);
  }
  // Numeric and boolean defaults named in the comments match the code.
  const lines = valuesText.split('\n');
  for (const k of Object.keys(config)) {
    const def = known.get(k)?.default;
    if (!def || !/^(\d+|true|false)$/.test(def)) continue;
    const i = lines.findIndex((l) => l.trim().startsWith(`${k}:`));
    const comment = lines[i - 1] ?? '';
    t.match(comment, new RegExp(`service default ${def}\\b`), `config.${k}: comment names the service default ${def}`);
  }
  t.equal(values.containerPort, Number(known.get('PDP_PORT')?.default ?? 8181), 'containerPort is the service default PDP_PORT');
});

t.test('deploy/kubernetes/base equals the chart defaults', async (t) => {
  const objs = renderKustomization(path.join(repoRoot, 'deploy', 'kubernetes', 'base'));
  const get = (kind: string) => objs.find((o) => o.kind === kind) as (K8sObject & Record<string, any>) | undefined;
  const d = get('Deployment')!;
  const ps = podSpec(d) as Record<string, any>;
  const c = ps.containers[0];

  t.equal(c.image, `${values.image.repository}:${values.image.tag || chart.appVersion}`, 'image = repository:appVersion');
  t.equal(c.imagePullPolicy, values.image.pullPolicy, 'pull policy');
  t.equal(c.ports[0].containerPort, values.containerPort, 'container port');
  t.same(c.securityContext, values.securityContext, 'container securityContext');
  t.same(ps.securityContext, values.podSecurityContext, 'pod securityContext');
  t.same(c.resources, values.resources, 'resources');
  t.equal(ps.automountServiceAccountToken, values.serviceAccount.automountToken, 'service account token mount');
  t.equal(ps.terminationGracePeriodSeconds, values.terminationGracePeriodSeconds, 'termination grace period');
  t.same(c.lifecycle?.preStop?.exec?.command, ['sleep', String(values.preStopSleepSeconds)], 'preStop sleep');
  t.same(d.spec.strategy, values.updateStrategy, 'update strategy');
  t.equal(d.spec.revisionHistoryLimit, values.revisionHistoryLimit, 'revision history');
  t.equal('replicas' in d.spec, !values.autoscaling.enabled, 'replicas only without autoscaling');
  for (const [probe, key] of [
    ['livenessProbe', 'liveness'],
    ['readinessProbe', 'readiness'],
    ['startupProbe', 'startup'],
  ] as const) {
    for (const [field, v] of Object.entries(values.probes[key])) t.equal(c[probe][field], v, `${probe}.${field}`);
  }
  t.same(
    ps.topologySpreadConstraints.map((x: any) => [x.topologyKey, x.maxSkew, x.whenUnsatisfiable]),
    values.topologySpread.topologyKeys.map((k: string) => [k, values.topologySpread.maxSkew, values.topologySpread.whenUnsatisfiable]),
    'topology spread',
  );
  const vol = (n: string) => ps.volumes.find((v: any) => v.name === n);
  t.equal(vol('tmp').emptyDir.sizeLimit, values.tmpVolume.sizeLimit, '/tmp emptyDir size');
  t.equal(vol('bundle-cache').emptyDir.sizeLimit, values.persistVolume.sizeLimit, 'bundle cache emptyDir size');
  t.ok(
    c.volumeMounts.some((m: any) => m.name === 'bundle-cache' && m.mountPath === values.persistVolume.mountPath),
    'bundle cache mount path',
  );
  t.equal(values.config.PDP_BUNDLE_PERSIST_DIR, values.persistVolume.mountPath, 'PDP_BUNDLE_PERSIST_DIR points at the mounted emptyDir');

  const expectedData: Record<string, string> = { PDP_PORT: String(values.containerPort), TMPDIR: '/tmp' };
  for (const [k, v] of Object.entries(values.config as Record<string, string>)) if (v !== '') expectedData[k] = String(v);
  t.same(get('ConfigMap')!.data, expectedData, 'ConfigMap data = PDP_PORT + TMPDIR + non-empty config values');

  const svc = get('Service')!;
  t.equal(svc.spec.type, values.service.type, 'service type');
  t.equal(svc.spec.ports[0].port, values.service.port, 'service port');

  const hpa = get('HorizontalPodAutoscaler');
  t.equal(!!hpa, values.autoscaling.enabled, 'HPA present iff autoscaling.enabled');
  t.equal(hpa?.spec.minReplicas, values.autoscaling.minReplicas, 'HPA min');
  t.equal(hpa?.spec.maxReplicas, values.autoscaling.maxReplicas, 'HPA max');
  t.equal(hpa?.spec.metrics[0].resource.target.averageUtilization, values.autoscaling.targetCPUUtilizationPercentage, 'HPA CPU target');
  t.equal(hpa?.spec.metrics.length, values.autoscaling.targetMemoryUtilizationPercentage ? 2 : 1, 'HPA memory metric only when configured');

  const pdb = get('PodDisruptionBudget');
  t.equal(!!pdb, values.podDisruptionBudget.enabled, 'PDB present iff enabled');
  t.equal(pdb?.spec.maxUnavailable, values.podDisruptionBudget.maxUnavailable, 'PDB maxUnavailable');

  const np = get('NetworkPolicy');
  t.equal(!!np, values.networkPolicy.enabled, 'NetworkPolicy present iff enabled');
  t.same(np?.spec.policyTypes, values.networkPolicy.egress.enabled ? ['Ingress', 'Egress'] : ['Ingress'], 'policy types');

  t.equal(!!get('ServiceAccount'), values.serviceAccount.create, 'ServiceAccount present iff create');
  t.notOk(
    objs.some((o) => o.kind === 'ServiceMonitor'),
    'no ServiceMonitor (disabled by default; needs the Prometheus Operator CRDs)',
  );
});

t.test('the template checks catch what they claim to (self-test)', async (t) => {
  t.throws(() => templateActions('a: {{ .Values.x }\n'), /no "}}"|unterminated/, 'missing }}');
  t.throws(() => templateActions('a: {{ .Values.x }}}}\n'), /without a matching/, 'stray }}');
  t.throws(() => templateActions('a: {{ printf "%s }}\n'), /unterminated/, 'unterminated string');
  t.throws(() => templateActions('a: {{ (include "x" . }}\n'), /unbalanced/, 'unbalanced parenthesis');
  t.match(checkTemplateBlocks(templateActions('{{- if .Values.a }}\nx\n')), [/never closed/], 'unclosed if');
  t.match(checkTemplateBlocks(templateActions('x\n{{- end }}\n')), [/without an open block/], 'stray end');
  t.match(checkTemplateBlocks(templateActions('{{ else }}\n')), [/outside/], 'stray else');
  t.same(checkTemplateBlocks(templateActions('{{- /* c */}}{{- with .Values.a }}{{ toYaml . }}{{- else }}x{{- end }}')), [], 'comment + with/else/end is fine');
  const paths = valuesPaths(templateActions('{{ .Values.a.b }} {{ $.Values.c }} {{ printf ".Values.not" }} {{ include "x" (dict "v" .Values.d.e) }}'));
  t.same(
    paths.map((p) => p.path.join('.')),
    ['a.b', 'c', 'd.e'],
    '.Values paths found, string contents ignored',
  );
  t.notOk(hasPath({ a: { b: 1 } }, ['a', 'c']), 'a missing path is reported');
});
