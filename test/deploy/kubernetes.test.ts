// Every Kubernetes YAML under deploy/ parses and validates against the
// Kubernetes API schemas; the kustomize base and the prod overlay render (with
// a small built-in renderer) into objects that validate too and hang together
// (selectors, names, ports, volumes, ConfigMaps).
//
// Cannot be checked here (no kubectl, no kustomize binary, no API server):
// server-side admission (PodSecurity, quotas, webhooks), that referenced
// Secrets/PriorityClasses exist in your cluster, and kustomize behaviour beyond
// the subset implemented in lib.ts (renderKustomization).

import t, { type Test } from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import {
  repoRoot,
  rel,
  walk,
  loadYamlDocs,
  isK8sObject,
  validateWithModels,
  strictFieldCheck,
  renderKustomization,
  podSpec,
  podContainers,
  knownConfigVars,
  isKnownVar,
  type K8sObject,
  type Kustomization,
} from '../helpers/deploy.js';

const deployDir = path.join(repoRoot, 'deploy');
const yamlFiles = walk(deployDir, /\.ya?ml$/);
const kustomizationDirs = yamlFiles.filter((f) => /kustomization\.ya?ml$/.test(f)).map((f) => path.dirname(f));
const nonKubernetesDirs = [path.join(deployDir, 'compose')];

// Files referenced as patches by a kustomization are partial objects: they are
// checked after merging, as part of the rendered overlay.
const patchFiles = new Set<string>();
for (const dir of kustomizationDirs) {
  const k = loadYamlDocs(path.join(dir, fs.existsSync(path.join(dir, 'kustomization.yaml')) ? 'kustomization.yaml' : 'kustomization.yml'))[0] as Kustomization;
  for (const p of k.patches ?? []) if (p.path) patchFiles.add(path.resolve(dir, p.path));
}

t.test('deploy/ holds Kubernetes manifests and a kustomize prod overlay', async (t) => {
  t.ok(yamlFiles.length > 0, 'there are YAML files in deploy/');
  t.ok(
    kustomizationDirs.some((d) => rel(d) === 'deploy/kubernetes/base'),
    'base kustomization',
  );
  t.ok(
    kustomizationDirs.some((d) => rel(d) === 'deploy/kubernetes/overlays/prod'),
    'prod overlay kustomization',
  );
});

t.test('every YAML file under deploy/ parses (all documents)', async (t) => {
  for (const f of yamlFiles) {
    t.doesNotThrow(() => loadYamlDocs(f), rel(f));
  }
});

// Objects for the strict unknown-field check, run once (one TypeScript program) at the end.
const strictQueue: Array<{ label: string; obj: K8sObject }> = [];

t.test('every Kubernetes object in deploy/ validates against the Kubernetes schemas', async (t) => {
  for (const f of yamlFiles) {
    if (nonKubernetesDirs.some((d) => f.startsWith(d + path.sep))) continue;
    if (patchFiles.has(f)) continue;
    const docs = loadYamlDocs(f);
    for (const [i, doc] of docs.entries()) {
      const label = `${rel(f)}#${i}`;
      if (!isK8sObject(doc)) {
        t.fail(`${label}: not a Kubernetes object (no apiVersion/kind)`);
        continue;
      }
      if (doc.kind === 'Kustomization') continue; // checked by rendering below
      t.ok(doc.metadata?.name, `${label}: has metadata.name`);
      await t.resolves(validateWithModels(doc), `${label}: ${doc.apiVersion} ${doc.kind} ${doc.metadata?.name} validates`);
      strictQueue.push({ label, obj: doc });
    }
  }
});

for (const dir of kustomizationDirs) {
  t.test(`kustomization ${rel(dir)} renders into valid, consistent objects`, async (t) => {
    let objs: K8sObject[] = [];
    t.doesNotThrow(() => {
      objs = renderKustomization(dir);
    }, 'renders');
    t.ok(objs.length > 0, 'renders objects');
    for (const o of objs) {
      const label = `${rel(dir)} ${o.kind}/${o.metadata?.name}`;
      await t.resolves(validateWithModels(o), `${label} validates`);
      strictQueue.push({ label, obj: o });
    }
    checkConsistency(t, objs, await knownConfigVars());
  });
}

t.test('no field unknown to the Kubernetes API (a misspelt field would be dropped silently by the API server)', async (t) => {
  // Canaries prove the check is live. TypeScript reports the first excess
  // property of an object literal, so each canary carries one mistake (a real
  // manifest with several typos fails on the first, which is what matters).
  const deployment = (container: Record<string, unknown>): K8sObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'canary' },
    spec: {
      selector: { matchLabels: { a: 'b' } },
      template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i', ...container }] } },
    },
  });
  const canaries = [
    { label: 'canary-1', obj: deployment({ livenesProbe: {} }) },
    { label: 'canary-2', obj: deployment({ securityContext: { readOnlyRootFileSystem: true } }) },
  ];
  t.ok(strictQueue.length > 0, 'objects to check');
  const problems = strictFieldCheck([...strictQueue, ...canaries]);
  t.match(
    problems.filter((p) => p.startsWith('canary-1:')),
    [/livenesProbe/],
    'a misspelt container field is reported',
  );
  t.match(
    problems.filter((p) => p.startsWith('canary-2:')),
    [/readOnlyRootFileSystem/],
    'a misspelt nested field is reported',
  );
  t.same(
    problems.filter((p) => !p.startsWith('canary-')),
    [],
    'deploy/ manifests and rendered overlays: no unknown fields',
  );
});

function byKind(objs: K8sObject[], kind: string): K8sObject[] {
  return objs.filter((o) => o.kind === kind);
}

function matches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function checkConsistency(t: Test, objs: K8sObject[], known: Awaited<ReturnType<typeof knownConfigVars>>): void {
  const names = objs.map((o) => `${o.kind}/${o.metadata?.name}`);
  t.same(
    names.filter((n, i) => names.indexOf(n) !== i),
    [],
    'no duplicate kind/name',
  );

  const deployments = byKind(objs, 'Deployment');
  t.equal(deployments.length, 1, 'one Deployment');
  const d = deployments[0] as any;
  const podLabels = d.spec.template.metadata.labels as Record<string, string>;
  t.ok(matches(d.spec.selector.matchLabels, podLabels), 'Deployment selector matches its pod labels');

  const ps = podSpec(d) as any;
  t.equal(ps.securityContext?.runAsNonRoot, true, 'pod runs as non-root');
  t.equal(ps.securityContext?.runAsUser, 10001, 'pod uid 10001 (the image user)');
  t.equal(ps.automountServiceAccountToken, false, 'no API token mounted');
  t.ok((ps.topologySpreadConstraints ?? []).length > 0, 'topology spread constraints');
  for (const tsc of ps.topologySpreadConstraints ?? [])
    t.ok(matches(tsc.labelSelector?.matchLabels, podLabels), `spread over ${tsc.topologyKey} selects the pods`);

  const sa = ps.serviceAccountName;
  t.ok(
    byKind(objs, 'ServiceAccount').some((o) => o.metadata?.name === sa),
    `ServiceAccount ${sa} exists`,
  );

  const volumes = new Set((ps.volumes ?? []).map((v: any) => v.name));
  for (const c of podContainers(d) as any[]) {
    const sc = c.securityContext ?? {};
    t.equal(sc.readOnlyRootFilesystem, true, `${c.name}: read-only root filesystem`);
    t.equal(sc.allowPrivilegeEscalation, false, `${c.name}: no privilege escalation`);
    t.same(sc.capabilities?.drop, ['ALL'], `${c.name}: drops all capabilities`);
    t.ok(c.resources?.requests?.cpu && c.resources?.requests?.memory && c.resources?.limits?.memory, `${c.name}: resource requests and memory limit`);
    t.equal(c.livenessProbe?.httpGet?.path, '/health', `${c.name}: liveness GET /health`);
    t.equal(c.readinessProbe?.httpGet?.path, '/ready', `${c.name}: readiness GET /ready`);
    const portNames = new Set((c.ports ?? []).map((p: any) => p.name));
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      const port = c[probe]?.httpGet?.port;
      if (typeof port === 'string') t.ok(portNames.has(port), `${c.name}: ${probe} port "${port}" is a named container port`);
    }
    for (const m of c.volumeMounts ?? []) t.ok(volumes.has(m.name), `${c.name}: volumeMount ${m.name} has a volume`);
    t.ok(
      (c.volumeMounts ?? []).some((m: any) => m.mountPath === '/tmp'),
      `${c.name}: writable /tmp mounted (read-only root)`,
    );
    for (const ef of c.envFrom ?? []) {
      if (ef.configMapRef)
        t.ok(
          byKind(objs, 'ConfigMap').some((o) => o.metadata?.name === ef.configMapRef.name),
          `${c.name}: envFrom ConfigMap ${ef.configMapRef.name} exists`,
        );
    }
    for (const e of c.env ?? []) {
      if (/^(PDP|REDIS|OTEL)_/.test(e.name)) t.ok(isKnownVar(known, e.name), `${c.name}: env ${e.name} is a variable the service reads`);
    }
  }

  // Port and config: the ConfigMap's PDP_PORT must be the containerPort the probes and Service use.
  const cms = byKind(objs, 'ConfigMap');
  for (const cm of cms as any[]) {
    for (const [k, v] of Object.entries(cm.data ?? {})) {
      if (/^(PDP|REDIS|OTEL)_/.test(k)) t.ok(isKnownVar(known, k), `ConfigMap ${cm.metadata.name}: ${k} is a variable the service reads`);
      t.type(v, 'string', `ConfigMap ${cm.metadata.name}: ${k} is a string`);
    }
  }
  const container = (podContainers(d) as any[])[0];
  const httpPort = (container.ports ?? []).find((p: any) => p.name === 'http')?.containerPort;
  const cmPort = (cms as any[]).map((cm) => cm.data?.PDP_PORT).find((x) => x !== undefined);
  if (cmPort !== undefined) t.equal(Number(cmPort), httpPort, 'PDP_PORT equals the container port');

  for (const s of byKind(objs, 'Service') as any[]) {
    t.ok(matches(s.spec.selector, podLabels), `Service ${s.metadata.name} selects the pods`);
    for (const p of s.spec.ports) {
      t.ok(p.targetPort === httpPort || p.targetPort === 'http', `Service ${s.metadata.name} targets the http port`);
    }
  }
  for (const h of byKind(objs, 'HorizontalPodAutoscaler') as any[]) {
    const ref = h.spec.scaleTargetRef;
    t.ok(
      objs.some((o) => o.kind === ref.kind && o.metadata?.name === ref.name),
      `HPA targets ${ref.kind}/${ref.name}`,
    );
    t.ok(h.spec.minReplicas >= 2, 'HPA keeps at least two replicas');
    t.notOk('replicas' in d.spec, 'Deployment leaves replicas to the HPA');
  }
  for (const p of byKind(objs, 'PodDisruptionBudget') as any[]) {
    t.ok(matches(p.spec.selector.matchLabels, podLabels), `PDB ${p.metadata.name} selects the pods`);
  }
  for (const n of byKind(objs, 'NetworkPolicy') as any[]) {
    t.ok(matches(n.spec.podSelector.matchLabels, podLabels), `NetworkPolicy ${n.metadata.name} selects the pods`);
  }
}

t.test('YAML that YAML 1.1 parsers (kubectl, Helm) would read differently is refused (self-test)', async (t) => {
  const dir = t.testdir({ 'octal.yaml': 'defaultMode: 0440\n', 'bool.yaml': 'enabled: on\n', 'fine.yaml': 'defaultMode: 288\nenabled: "on"\n' });
  t.throws(() => loadYamlDocs(path.join(dir, 'octal.yaml')), /disagree/, '0440 (octal in 1.1, decimal in 1.2)');
  t.throws(() => loadYamlDocs(path.join(dir, 'bool.yaml')), /disagree/, 'on (boolean in 1.1, string in 1.2)');
  t.same(loadYamlDocs(path.join(dir, 'fine.yaml')), [{ defaultMode: 288, enabled: 'on' }], 'unambiguous YAML parses');
});
