// deploy/compose: the laptop stack (pdp + redis + OpenTelemetry collector +
// Jaeger). The compose file parses; every service has an image or a build;
// every referenced file exists; the wiring pdp → collector → Jaeger and
// pdp → redis points at services and ports that exist; the collector config is
// internally consistent.
//
// Cannot be checked here (no Docker engine): that the images pull and start,
// that the collector accepts its config (`otelcol validate` needs the binary),
// and that a trace really shows up in the Jaeger UI.

import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot, loadYamlDocs, knownConfigVars, isKnownVar } from '../helpers/deploy.js';

const composeDir = path.join(repoRoot, 'deploy', 'compose');
const composeFile = ['docker-compose.yaml', 'docker-compose.yml', 'compose.yaml'].map((f) => path.join(composeDir, f)).find((f) => fs.existsSync(f));

type Service = {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  env_file?: string | string[];
  volumes?: Array<string | { type?: string; source?: string; target?: string }>;
  ports?: Array<string | number | { target: number; published?: string | number }>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  [k: string]: unknown;
};

const SERVICE_KEYS = new Set([
  'image',
  'build',
  'command',
  'entrypoint',
  'environment',
  'env_file',
  'volumes',
  'ports',
  'depends_on',
  'healthcheck',
  'restart',
  'read_only',
  'tmpfs',
  'user',
  'cap_drop',
  'cap_add',
  'security_opt',
  'networks',
  'container_name',
  'labels',
  'expose',
  'working_dir',
  'secrets',
]);

function envOf(s: Service): Record<string, string> {
  if (Array.isArray(s.environment))
    return Object.fromEntries(
      s.environment.map((e) => {
        const i = e.indexOf('=');
        return [e.slice(0, i), e.slice(i + 1)];
      }),
    );
  return Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

function bindMounts(s: Service): Array<{ source: string; target: string }> {
  const out: Array<{ source: string; target: string }> = [];
  for (const v of s.volumes ?? []) {
    if (typeof v === 'string') {
      const [source, target] = v.split(':');
      if (source.startsWith('.') || source.startsWith('/')) out.push({ source, target });
    } else if (v.type === 'bind' && v.source && v.target) out.push({ source: v.source, target: v.target });
  }
  return out;
}

t.test('the compose file parses and every service can start from an image or a build', async (t) => {
  t.ok(composeFile, 'deploy/compose has a compose file');
  const [doc] = loadYamlDocs(composeFile!) as Array<{ services: Record<string, Service>; name?: string; version?: string }>;
  t.notOk('version' in doc, 'no obsolete top-level version key');
  const services = doc.services;
  t.ok(services && typeof services === 'object', 'has services');
  for (const name of ['pdp', 'redis', 'otel-collector', 'jaeger']) t.ok(services[name], `service ${name}`);

  for (const [name, s] of Object.entries(services)) {
    t.ok(s.image || s.build, `${name}: has an image or a build`);
    t.same(
      Object.keys(s).filter((k) => !SERVICE_KEYS.has(k)),
      [],
      `${name}: only known service keys`,
    );
    if (s.image && !s.build) t.match(s.image, /:[\w][\w.-]*$|@sha256:[0-9a-f]{64}$/, `${name}: image is pinned to a tag (${s.image})`);
    if (s.build) {
      const b = typeof s.build === 'string' ? { context: s.build } : s.build;
      const ctx = path.resolve(composeDir, b.context ?? '.');
      t.ok(fs.existsSync(ctx), `${name}: build context ${b.context} exists`);
      t.ok(fs.existsSync(path.join(ctx, b.dockerfile ?? 'Dockerfile')), `${name}: ${b.dockerfile ?? 'Dockerfile'} exists in the context`);
    }
    for (const m of bindMounts(s)) t.ok(fs.existsSync(path.resolve(composeDir, m.source)), `${name}: mounted ${m.source} exists`);
    for (const f of [s.env_file ?? []].flat()) t.ok(fs.existsSync(path.resolve(composeDir, f)), `${name}: env_file ${f} exists`);
    const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
    for (const d of deps) t.ok(services[d], `${name}: depends_on ${d} is a service`);
    if (!Array.isArray(s.depends_on)) {
      for (const [d, c] of Object.entries(s.depends_on ?? {})) {
        if (c.condition === 'service_healthy') t.ok(services[d]?.healthcheck, `${name}: waits for ${d} to be healthy, and ${d} has a healthcheck`);
      }
    }
  }
});

t.test('pdp listens on every interface inside the container, with API keys from a compose secret that git ignores', async (t) => {
  const [doc] = loadYamlDocs(composeFile!) as Array<{ services: Record<string, Service>; secrets?: Record<string, { file?: string }> }>;
  const pdp = doc.services.pdp!;
  const env = envOf(pdp);
  t.equal(env.PDP_HOST, '0.0.0.0', 'reachable through the published port');
  t.notOk(env.PDP_AUTH_MODE, 'authentication is not switched off');
  const names = (pdp.secrets as string[] | undefined) ?? [];
  t.same(names, ['pdp_api_keys'], 'the key list is a compose secret');
  t.equal(env.PDP_AUTH_API_KEYS_FILE, '/run/secrets/pdp_api_keys', 'read from where compose mounts it');
  const file = doc.secrets?.pdp_api_keys?.file;
  t.equal(file, './api-keys.json');
  const ignored = fs.readFileSync(path.join(repoRoot, '.gitignore'), 'utf8').split('\n');
  t.ok(ignored.includes(path.relative(repoRoot, path.resolve(composeDir, file ?? ''))), 'the generated key file is git-ignored');
  t.match(fs.readFileSync(composeFile!, 'utf8'), /auth new-key --name laptop --add-to deploy\/compose\/api-keys\.json/, 'the file says how to make it');
  t.ok(
    ((pdp.ports ?? []) as string[]).every((p) => String(p).startsWith('127.0.0.1:')),
    'published on the host loopback only',
  );
});

t.test('pdp is wired to redis and to the collector, the collector to Jaeger', async (t) => {
  const [doc] = loadYamlDocs(composeFile!) as Array<{ services: Record<string, Service> }>;
  const services = doc.services;
  const pdp = services.pdp;
  const env = envOf(pdp);
  const known = await knownConfigVars();
  for (const k of Object.keys(env)) if (/^(PDP|REDIS|OTEL)_/.test(k)) t.ok(isKnownVar(known, k), `pdp: ${k} is a variable the service reads`);

  const redis = new URL(env.REDIS_URL);
  t.equal(redis.protocol, 'redis:', 'REDIS_URL is redis://');
  t.ok(services[redis.hostname], `REDIS_URL host ${redis.hostname} is a service`);

  const otlp = new URL(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  t.ok(services[otlp.hostname], `OTLP endpoint host ${otlp.hostname} is a service`);
  t.equal(otlp.port, '4318', 'the service exports OTLP/HTTP (port 4318)');

  t.equal(pdp.read_only, true, 'pdp runs with a read-only root filesystem');
  t.ok([pdp.tmpfs ?? []].flat().includes('/tmp'), 'with a tmpfs at /tmp');
  t.equal(pdp.user, '10001:10001', 'as uid 10001');

  // The collector config mounted into the collector container is the one --config names.
  const col = services[otlp.hostname];
  const cmd = [col.command ?? []].flat().join(' ');
  const configPath = /--config[= ](\S+)/.exec(cmd)?.[1];
  t.ok(configPath, 'collector command names its --config');
  const mount = bindMounts(col).find((m) => m.target === configPath);
  t.ok(mount, `collector config is mounted at ${configPath}`);
  const [cfg] = loadYamlDocs(path.resolve(composeDir, mount!.source)) as Array<Record<string, any>>;

  // Receivers listen where pdp sends.
  const http = cfg.receivers?.otlp?.protocols?.http?.endpoint as string;
  t.match(http, /^0\.0\.0\.0:4318$/, 'OTLP/HTTP receiver listens on 0.0.0.0:4318 (reachable from other containers)');

  // Every component a pipeline names is defined, and every defined one is used.
  const svc = cfg.service ?? {};
  for (const [pname, p] of Object.entries(svc.pipelines ?? {}) as Array<[string, Record<string, string[]>]>) {
    for (const kind of ['receivers', 'processors', 'exporters'] as const) {
      for (const c of p[kind] ?? []) t.ok(cfg[kind]?.[c] !== undefined, `pipeline ${pname}: ${kind.slice(0, -1)} ${c} is defined`);
    }
    t.ok((p.receivers ?? []).length && (p.exporters ?? []).length, `pipeline ${pname} has receivers and exporters`);
  }
  for (const e of svc.extensions ?? []) t.ok(cfg.extensions?.[e] !== undefined, `extension ${e} is defined`);
  const usedExporters = new Set(Object.values(svc.pipelines ?? {}).flatMap((p: any) => p.exporters ?? []));
  for (const e of Object.keys(cfg.exporters ?? {})) t.ok(usedExporters.has(e), `exporter ${e} is used by a pipeline`);
  t.ok(svc.pipelines?.traces, 'a traces pipeline');

  // The OTLP exporter goes to the Jaeger service's OTLP/gRPC port.
  const otlpExporters = Object.entries(cfg.exporters ?? {}).filter(([k]) => /^otlp(_grpc)?(\/|$)/.test(k));
  t.ok(otlpExporters.length > 0, 'an OTLP exporter');
  for (const [k, e] of otlpExporters as Array<[string, any]>) {
    const [host, port] = String(e.endpoint)
      .replace(/^https?:\/\//, '')
      .split(':');
    t.ok(services[host], `${k} sends to compose service ${host}`);
    t.equal(port, '4317', `${k} uses OTLP/gRPC port 4317`);
    t.equal(e.tls?.insecure, true, `${k}: plain-text inside the compose network`);
    t.match(services[host]?.image ?? '', /jaeger/, `${host} is Jaeger`);
  }
  const jaegerPorts = (services.jaeger.ports ?? []).map(String);
  t.ok(
    jaegerPorts.some((p) => p.endsWith(':16686')),
    'the Jaeger UI (16686) is published to the host',
  );
});
