// Configuration: defaults < config file (PDP_CONFIG, YAML or JSON) < environment variables.
// The merged result is validated once at start against schemas/config.json; every bad value is
// reported, named the way the operator wrote it (the env var, or the file and key).
import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import type { ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { MaskRuleError, parseMaskRule } from '../decisionlog/mask/rules.js';
import { describeThrown } from '../shared/errors.js';
import { isLoopbackHost } from '../auth/loopback.js';
import { JwtKeyError, parseJwtKeys } from '../auth/jwt-keys.js';
import { invalidScope } from '../auth/scopes.js';
import { clusterHashTag } from '../redis/topology.js';
import { readSecretFile } from './secret-file.js';
import {
  DEFAULT_ADMISSION,
  DEFAULT_AUTH,
  DEFAULT_AUTHZEN,
  DEFAULT_OPA,
  DEFAULT_CACHE,
  DEFAULT_DECISION_LOG,
  DEFAULT_EVALUATION,
  DEFAULT_JWT,
  DEFAULT_LIMITS,
  DEFAULT_REDIS,
  DEFAULT_GZIP,
  DEFAULT_SERVER,
  DEFAULT_TLS_CLIENT_AUTH,
  DEFAULT_TLS_RELOAD_INTERVAL_MS,
  DEFAULT_TRACING,
  ENV_BUNDLE_NAME,
  embeddedBundle,
} from './defaults.js';
import { CONFIG_FILE_VAR, ENV_VARS, OWN_PREFIXES, type EnvVar } from './env.js';
import { dotted, getAt, isObject, merge, setAt, type JsonObject } from './pointer.js';
import { validatorFor } from '../shared/schemas.js';
import { isOpaConfig, mapOpaConfig } from './opa-config.js';
import { ConfigError, type ClientTlsConfig, type ConfigIssue, type LoadedConfig, type PdpConfig } from './types.js';

export interface LoadOptions {
  env?: Readonly<Record<string, string | undefined>>;
  /** Relative paths in env vars resolve against this (default process.cwd()). */
  cwd?: string;
  /** The config file (`pdp serve --config`); instead of PDP_CONFIG. Native or OPA's format. */
  configFile?: string;
}

const validateConfig = validatorFor('config.json');
const ENV_NAMES = new Set(ENV_VARS.map((v) => v.name));
const ENV_BY_POINTER = new Map(ENV_VARS.map((v) => [v.pointer, v]));

const BUNDLE_PREFIX = '/bundles/0/';
const SIGNING_KEY_PREFIX = '/signing/keys/0/';

interface Origins {
  env: Map<string, EnvVar>;
  envRaw: Map<string, string>;
  /** names: for an OPA-format file, native pointer → the OPA key it was mapped from. */
  file?: { path: string; content: unknown; names?: Map<string, string> };
}

export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  const origins: Origins = { env: new Map(), envRaw: new Map() };

  const filePath = nonEmpty(opts.configFile) ?? nonEmpty(env[CONFIG_FILE_VAR]);
  let fileLayer: JsonObject = {};
  if (filePath !== undefined) {
    const abs = resolve(cwd, filePath);
    const read = readConfigFile(abs);
    if ('issue' in read) issues.push({ source: opts.configFile !== undefined ? '--config' : CONFIG_FILE_VAR, message: read.issue });
    else if (isOpaConfig(read.content)) {
      // OPA's format: mapped onto native settings, then validated like any native file.
      const mapped = mapOpaConfig(read.content, { env, fileDir: dirname(abs) });
      for (const i of mapped.issues) issues.push({ source: `${abs}: ${i.key}`, message: i.message });
      for (const w of mapped.warnings) warnings.push(`${abs}: ${w}`);
      fileLayer = mapped.config;
      origins.file = { path: abs, content: mapped.config, names: mapped.names };
    } else {
      fileLayer = read.content;
      origins.file = { path: abs, content: read.content };
    }
  }

  const known = new Set([CONFIG_FILE_VAR, ...ENV_VARS.map((v) => v.name), ...ENV_VARS.filter((v) => v.secret).map((v) => `${v.name}_FILE`)]);
  for (const name of Object.keys(env)) {
    if (OWN_PREFIXES.some((p) => name.startsWith(p)) && !known.has(name)) warnings.push(`unknown environment variable ${name} (ignored; a typo?)`);
  }

  // Env layer, split: bundle and signing-key variables describe one item and get defaults below.
  const envLayer: JsonObject = {};
  const envBundle: JsonObject = {};
  const envKey: JsonObject = {};
  for (const v of ENV_VARS) {
    const raw = envValue(env, v, cwd, issues);
    if (raw === undefined) continue;
    origins.env.set(v.pointer, v);
    origins.envRaw.set(v.pointer, raw);
    let value = coerce(raw, v);
    if (v.name === 'PDP_BUNDLE_AUTH_TOKEN') value = `Bearer ${raw}`;
    if (v.pointer.startsWith(BUNDLE_PREFIX)) setAt(envBundle, '/' + v.pointer.slice(BUNDLE_PREFIX.length), value);
    else if (v.pointer.startsWith(SIGNING_KEY_PREFIX)) setAt(envKey, '/' + v.pointer.slice(SIGNING_KEY_PREFIX.length), value);
    else setAt(envLayer, v.pointer, value);
  }

  const defaults = {
    server: { ...DEFAULT_SERVER, gzip: { ...DEFAULT_GZIP } },
    evaluation: { ...DEFAULT_EVALUATION },
    limits: { ...DEFAULT_LIMITS },
    cache: { ...DEFAULT_CACHE },
    redis: { ...DEFAULT_REDIS },
    decision_log: { ...DEFAULT_DECISION_LOG, mask_paths: [] },
    tracing: { ...DEFAULT_TRACING },
    auth: { ...DEFAULT_AUTH, api_keys: [], mtls_identities: [] },
    admission: { ...DEFAULT_ADMISSION, namespaces: {} },
    authzen: { ...DEFAULT_AUTHZEN, rules: DEFAULT_AUTHZEN.rules.map((r) => ({ ...r })) },
    opa: { ...DEFAULT_OPA },
  } as JsonObject;
  const merged = merge(merge(defaults, fileLayer), envLayer) as JsonObject;

  // Relative paths in the file are relative to the file, not to wherever the service was started.
  const fileDir = origins.file ? dirname(origins.file.path) : cwd;
  if (Array.isArray(merged.bundles)) {
    merged.bundles = merged.bundles.map((b: unknown) => (isObject(b) && typeof b.path === 'string' ? { ...b, path: resolve(fileDir, b.path) } : b));
  }
  if (typeof envBundle.path === 'string') envBundle.path = resolve(cwd, envBundle.path);

  if (envBundle.path !== undefined || envBundle.url !== undefined || envBundle.oci !== undefined) {
    merged.bundles = [{ name: ENV_BUNDLE_NAME, ...(envBundle.path !== undefined ? { watch: true } : {}), ...envBundle }];
  } else if (Object.keys(envBundle).length > 0) {
    if (merged.bundles !== undefined) {
      for (const [pointer, v] of origins.env) {
        if (pointer.startsWith(BUNDLE_PREFIX)) {
          issues.push({
            source: v.name,
            message: 'applies only with PDP_BUNDLE_PATH, PDP_BUNDLE_URL or PDP_BUNDLE_OCI (the config file defines the bundles; set it there)',
          });
        }
      }
    } else {
      merged.bundles = [{ ...embeddedBundle(), ...envBundle }];
    }
  } else if (merged.bundles === undefined) {
    merged.bundles = [embeddedBundle()];
  }

  if (Object.keys(envKey).length > 0) {
    const signing = isObject(merged.signing) ? merged.signing : {};
    merged.signing = { ...signing, keys: [{ key_id: 'default', algorithm: 'RS256', ...envKey }] };
  }
  if (isObject(merged.signing)) merged.signing = { required: false, keys: [], ...merged.signing };
  // Sub-sections that exist only when configured get their defaults once they do.
  const auth = merged.auth;
  if (isObject(auth) && isObject(auth.jwt)) auth.jwt = { ...DEFAULT_JWT, algorithms: [...DEFAULT_JWT.algorithms], ...auth.jwt };
  const server = merged.server;
  if (isObject(server) && isObject(server.tls)) {
    const tls = server.tls;
    server.tls = {
      reload_interval_ms: DEFAULT_TLS_RELOAD_INTERVAL_MS,
      ...(tls.client_ca_file !== undefined ? { client_auth: DEFAULT_TLS_CLIENT_AUTH } : {}),
      ...tls,
    };
  }

  if (!validateConfig(merged)) {
    for (const e of validateConfig.errors ?? []) issues.push(describeAjvError(e, origins));
  } else {
    issues.push(...semanticChecks(merged as unknown as PdpConfig, origins, fileDir, cwd));
  }

  if (issues.length > 0) throw new ConfigError(issues);
  const config = merged as unknown as PdpConfig;
  if (config.auth.mode === 'none') {
    warnings.push(
      `caller authentication is off (${sourceOf('/auth/mode', origins).source} = none): every route answers anyone who can reach ${config.server.host}:${config.server.port}`,
    );
  }
  return { config, warnings, ...(origins.file ? { file: origins.file.path } : {}) };
}

function nonEmpty(s: string | undefined): string | undefined {
  // Compose files and Helm charts often render unset values as ""; treat that as unset.
  return s === undefined || s.trim() === '' ? undefined : s.trim();
}

/** The variable's value; for a secret, NAME_FILE may name a file holding it (Kubernetes and
 * Docker secrets are mounted as files). */
function envValue(env: Readonly<Record<string, string | undefined>>, v: EnvVar, cwd: string, issues: ConfigIssue[]): string | undefined {
  const direct = v.allowEmpty && env[v.name] !== undefined ? (env[v.name] ?? '').trim() : nonEmpty(env[v.name]);
  // PDP_BUNDLE_SIGNING_KEY_FILE is a setting of its own (the key file), read like this at start.
  const file = v.secret && !ENV_NAMES.has(`${v.name}_FILE`) ? nonEmpty(env[`${v.name}_FILE`]) : undefined;
  if (file === undefined) return direct;
  if (direct !== undefined) {
    issues.push({ source: `${v.name}, ${v.name}_FILE`, message: 'set only one of them' });
    return undefined;
  }
  const read = readSecretFile(resolve(cwd, file));
  if (typeof read === 'string') return read.trim();
  issues.push({ source: `${v.name}_FILE`, message: `cannot read ${file}: ${read.problem}` });
  return undefined;
}

/** Coerces only well-formed values; anything else stays a string so the schema reports it. */
function coerce(raw: string, v: EnvVar): unknown {
  if ((v.type === 'integer' || v.type === 'auto-integer') && /^[+-]?\d+$/.test(raw)) return Number(raw);
  if (v.type === 'auto-integer' && raw.toLowerCase() === 'auto') return 'auto';
  if (v.type === 'json') {
    try {
      // YAML is a superset of JSON: a mounted file may be either.
      return parseYaml(raw) as unknown;
    } catch {
      return raw;
    }
  }
  if (v.type === 'list')
    return raw
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '');
  if (v.type === 'boolean' || v.type === 'auto-boolean') {
    const lower = raw.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(lower)) return true;
    if (['false', '0', 'no', 'off'].includes(lower)) return false;
    if (v.type === 'auto-boolean' && lower === 'auto') return 'auto';
  }
  return raw;
}

function readConfigFile(path: string): { content: JsonObject } | { issue: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { issue: `cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  let parsed: unknown;
  try {
    parsed = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    return { issue: `config file ${path} does not parse: ${describeThrown(err)}` };
  }
  if (parsed === null || parsed === undefined) return { content: {} };
  if (!isObject(parsed)) return { issue: `config file ${path} must hold an object at the top level` };
  return { content: parsed };
}

/** Names where a value came from: the env var, the file key, or the default. */
function sourceOf(pointer: string, origins: Origins): { source: string; got?: string } {
  const v = origins.env.get(pointer);
  if (v) {
    const raw = origins.envRaw.get(pointer);
    return { source: v.name, ...(v.secret || raw === undefined ? {} : { got: JSON.stringify(raw) }) };
  }
  // An error on an object may be about a value an env var put inside it, and an error on a list
  // item about the list an env var set.
  for (const [p, ev] of origins.env) {
    if (pointer !== '' && p.startsWith(pointer + '/')) return { source: ev.name };
    // Inside a structured (JSON) variable: say where, e.g. PDP_AUTH_API_KEYS[2].name.
    if (pointer.startsWith(p + '/')) return { source: ev.type === 'json' ? `${ev.name}${itemPath(pointer.slice(p.length))}` : ev.name };
  }
  if (origins.file?.names) {
    const opaKey = opaKeyOf(pointer, origins.file.names);
    if (opaKey !== undefined) return { source: `${origins.file.path}: ${opaKey}` };
  }
  if (origins.file && getAt(origins.file.content, pointer) !== undefined) {
    return { source: `${origins.file.path}: ${dotted(pointer) || '(top level)'}` };
  }
  // A setting nobody gave (e.g. a required companion): named as a variable when the operator
  // configures by variables, else by its file key.
  const variable = ENV_BY_POINTER.get(pointer);
  if (variable && !origins.file) return { source: variable.name };
  return { source: dotted(pointer) || 'configuration' };
}

/** The OPA key a native pointer was mapped from: the nearest mapped pointer at or above it, or
 * one below it (an error about an object the mapping filled). */
function opaKeyOf(pointer: string, names: Map<string, string>): string | undefined {
  for (let p = pointer; p !== ''; p = p.slice(0, p.lastIndexOf('/'))) {
    const name = names.get(p);
    if (name !== undefined) return name;
  }
  for (const [p, name] of names) if (p.startsWith(pointer + '/')) return name;
  return undefined;
}

/** "/2/name" → "[2].name". */
function itemPath(rest: string): string {
  return rest
    .split('/')
    .slice(1)
    .map((k) => (/^\d+$/.test(k) ? `[${k}]` : `.${k}`))
    .join('');
}

/** What the schema's patterns mean, in words. */
const PATTERN_WORDS: Record<string, string> = {
  '^\\[?[^\\]\\s]+\\]?:[0-9]{1,5}$': 'must be host:port',
  '^rediss?://': 'must start with redis:// or rediss://',
  '^https?://': 'must be an http(s) URL',
  '^\\S*$': 'must not contain whitespace',
  '^[A-Za-z0-9][A-Za-z0-9._@:/-]*$': 'must be letters, digits and ._@:/- only, starting with a letter or digit',
  '^[0-9a-f]{64}$': 'must be 64 lower-case hex digits (a sha256)',
};

function describeAjvError(e: ErrorObject, origins: Origins): ConfigIssue {
  let pointer = e.instancePath;
  let message = e.message ?? 'is invalid';
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    pointer = `${pointer}/${params.additionalProperty}`;
    message = 'unknown setting';
  } else if (e.keyword === 'required' && typeof params.missingProperty === 'string') {
    pointer = `${pointer}/${params.missingProperty}`;
    message = 'is required';
  } else if (e.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    message = `must be one of ${params.allowedValues.map((x) => JSON.stringify(x)).join(', ')}`;
  } else if (e.keyword === 'pattern' && typeof params.pattern === 'string') {
    message = PATTERN_WORDS[params.pattern] ?? message;
  }
  const { source, got } = sourceOf(pointer, origins);
  return { source, message: got ? `${message} (got ${got})` : message };
}

function semanticChecks(config: PdpConfig, origins: Origins, fileDir: string, cwd: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const at = (pointer: string, message: string): void => {
    issues.push({ source: sourceOf(pointer, origins).source, message });
  };
  const seen = new Set<string>();
  config.bundles.forEach((b, i) => {
    const p = `/bundles/${i}`;
    if ([b.path, b.url, b.oci].filter((x) => x !== undefined).length !== 1) at(p, 'a bundle needs exactly one of path, url or oci');
    if (seen.has(b.name)) at(`${p}/name`, `duplicate bundle name ${JSON.stringify(b.name)}`);
    seen.add(b.name);
    if (b.headers !== undefined && b.url === undefined && b.oci === undefined) {
      at(`${p}/headers`, 'headers (or PDP_BUNDLE_AUTH_TOKEN) only apply to a bundle url or oci reference');
    }
    for (const k of ['tls', 'token_file', 'token_scheme'] as const) {
      if (b[k] !== undefined && b.url === undefined && b.oci === undefined) at(`${p}/${k}`, 'applies only to a bundle url or oci reference');
    }
    if (b.long_polling_timeout_seconds !== undefined && b.url === undefined) at(`${p}/long_polling_timeout_seconds`, 'applies only to a bundle url');
    if (b.token_scheme !== undefined && b.token_file === undefined) at(`${p}/token_scheme`, 'applies only with token_file');
    if (b.token_file !== undefined) {
      b.token_file = resolvedPath(`${p}/token_file`, b.token_file, origins, fileDir, cwd);
      // Read again for every request; checked now so a wrong path stops the start, not the first poll.
      const read = readSecretFile(b.token_file);
      if (typeof read !== 'string') at(`${p}/token_file`, `cannot read ${b.token_file}: ${read.problem}`);
      else if (read.trim() === '') at(`${p}/token_file`, `${b.token_file} is empty`);
    }
    if (b.tls) clientTlsChecks(b.tls, `${p}/tls`, at, origins, fileDir, cwd);
  });
  const dl = config.decision_log;
  for (const k of ['token_file', 'token_scheme', 'headers'] as const) {
    if (dl[k] !== undefined && dl.url === undefined) at(`/decision_log/${k}`, 'applies only with a decision log url');
  }
  if (dl.token_file !== undefined && dl.auth_token !== undefined) at('/decision_log/token_file', 'set only one of auth_token or token_file');
  if (dl.token_scheme !== undefined && dl.token_file === undefined && dl.auth_token === undefined)
    at('/decision_log/token_scheme', 'applies only with auth_token or token_file');
  if (dl.token_file !== undefined) {
    dl.token_file = resolvedPath('/decision_log/token_file', dl.token_file, origins, fileDir, cwd);
    // Read again for every upload; checked now so a wrong path stops the start, not the first upload.
    const read = readSecretFile(dl.token_file);
    if (typeof read !== 'string') at('/decision_log/token_file', `cannot read ${dl.token_file}: ${read.problem}`);
    else if (read.trim() === '') at('/decision_log/token_file', `${dl.token_file} is empty`);
  }
  if (config.decision_log.tls) {
    if (config.decision_log.url === undefined) at('/decision_log/tls', 'applies only with a decision log url');
    clientTlsChecks(config.decision_log.tls, '/decision_log/tls', at, origins, fileDir, cwd);
  }
  const signing = config.signing;
  if (signing) {
    signing.keys.forEach((k, i) => {
      const p = `/signing/keys/${i}`;
      if ((k.key === undefined) === (k.key_file === undefined)) {
        at(p, 'a signing key needs exactly one of key or key_file');
        return;
      }
      if (k.key_file !== undefined) {
        const base = origins.env.has(`${p}/key_file`) ? cwd : fileDir;
        const read = readSecretFile(resolve(base, k.key_file));
        if (typeof read === 'string') k.key = read;
        else at(`${p}/key_file`, `cannot read ${k.key_file}: ${read.problem}`);
      }
    });
    if (signing.required && signing.keys.length === 0) at('/signing/required', 'signatures are required but no verification key is configured');
  }
  const keyIds = new Set(signing?.keys.map((k) => k.key_id) ?? []);
  config.bundles.forEach((b, i) => {
    if (b.signing_key_id !== undefined && !keyIds.has(b.signing_key_id)) {
      at(`/bundles/${i}/signing_key_id`, `names signing key ${JSON.stringify(b.signing_key_id)}, which signing.keys does not configure`);
    }
  });
  const redis = config.redis;
  const topologies = (['url', 'cluster_nodes', 'sentinels'] as const).filter((k) => redis[k] !== undefined);
  if (topologies.length > 1) {
    issues.push({
      source: topologies.map((k) => sourceOf(`/redis/${k}`, origins).source).join(', '),
      message: 'set only one of redis url, cluster_nodes or sentinels (standalone, cluster or sentinel)',
    });
  }
  if (redis.sentinels !== undefined && redis.sentinel_name === undefined)
    at('/redis/sentinel_name', 'is required with sentinels (the monitored master group name)');
  if (config.decision_log.redis_stream === true && topologies.length === 0)
    at('/decision_log/redis_stream', 'needs Redis (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS)');
  const streamKey = config.decision_log.redis_stream_key;
  if (redis.cluster_nodes !== undefined && streamKey !== undefined && config.decision_log.redis_stream !== false && config.decision_log.retention_seconds > 0) {
    // One script call writes a chunk's stream entries and id keys: Redis Cluster runs it only
    // when all of them hash to one slot.
    const tag = clusterHashTag(`${redis.key_prefix}{decisions}:id:`);
    if (clusterHashTag(streamKey) !== tag)
      at(
        '/decision_log/redis_stream_key',
        `must carry the hash tag {${tag}} on Redis Cluster, as the per-decision id keys do (e.g. ${JSON.stringify(`audit:{${tag}}:stream`)}), or set the retention to 0`,
      );
  }
  config.decision_log.mask_paths.forEach((m, i) => {
    try {
      parseMaskRule(m);
    } catch (e) {
      at(`/decision_log/mask_paths/${i}`, e instanceof MaskRuleError ? e.message : describeThrown(e));
    }
  });
  issues.push(...tlsChecks(config, origins, fileDir, cwd), ...authChecks(config, origins, fileDir, cwd));
  return issues;
}

/** A path setting resolved like the loader resolves it: relative to the file when it came from
 * the file, to the working directory when it came from the environment. */
function resolvedPath(pointer: string, value: string, origins: Origins, fileDir: string, cwd: string): string {
  return resolve(origins.env.has(pointer) ? cwd : fileDir, value);
}

/** TLS towards a server: readable PEM files, paths made absolute, certificate and key together. */
function clientTlsChecks(
  tls: ClientTlsConfig,
  pointer: string,
  at: (pointer: string, message: string) => void,
  origins: Origins,
  fileDir: string,
  cwd: string,
): void {
  if ((tls.cert_file === undefined) !== (tls.key_file === undefined)) at(pointer, 'a client certificate needs both cert_file and key_file');
  for (const k of ['ca_file', 'cert_file', 'key_file'] as const) {
    const v = tls[k];
    if (v === undefined) continue;
    const abs = resolvedPath(`${pointer}/${k}`, v, origins, fileDir, cwd);
    tls[k] = abs;
    const read = readSecretFile(abs);
    if (typeof read !== 'string') at(`${pointer}/${k}`, `cannot read ${v}: ${read.problem}`);
    else if (!read.includes('-----BEGIN ')) at(`${pointer}/${k}`, `${v} is not PEM`);
  }
}

function tlsChecks(config: PdpConfig, origins: Origins, fileDir: string, cwd: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const tls = config.server.tls;
  if (!tls) return issues;
  const at = (pointer: string, message: string): void => {
    issues.push({ source: sourceOf(pointer, origins).source, message });
  };
  if ((tls.cert_file === undefined) !== (tls.key_file === undefined)) at('/server/tls', 'TLS needs both a certificate file and a key file');
  else if (tls.cert_file === undefined && tls.client_ca_file !== undefined)
    at('/server/tls/client_ca_file', 'client certificates need TLS: set the certificate and key files too');
  if (tls.client_auth !== undefined && tls.client_ca_file === undefined) at('/server/tls/client_auth', 'applies only with a client CA file');
  for (const k of ['cert_file', 'key_file', 'client_ca_file'] as const) {
    const v = tls[k];
    if (v === undefined) continue;
    const abs = resolvedPath(`/server/tls/${k}`, v, origins, fileDir, cwd);
    tls[k] = abs;
    const read = readSecretFile(abs);
    if (typeof read !== 'string') at(`/server/tls/${k}`, `cannot read ${v}: ${read.problem}`);
    else if (!read.includes('-----BEGIN ')) at(`/server/tls/${k}`, `${v} is not PEM`);
  }
  return issues;
}

function authChecks(config: PdpConfig, origins: Origins, fileDir: string, cwd: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const at = (pointer: string, message: string): void => {
    issues.push({ source: sourceOf(pointer, origins).source, message });
  };
  const auth = config.auth;
  const scopesOk = (pointer: string, scopes: readonly string[]): void => {
    scopes.forEach((s, i) => {
      const bad = invalidScope(s);
      if (bad) at(`${pointer}/${i}`, bad);
    });
  };
  const names = new Set<string>();
  const hashes = new Set<string>();
  auth.api_keys.forEach((k, i) => {
    if (names.has(k.name)) at(`/auth/api_keys/${i}/name`, `duplicate API key name ${JSON.stringify(k.name)}`);
    if (hashes.has(k.sha256)) at(`/auth/api_keys/${i}/sha256`, 'the same key is listed twice');
    names.add(k.name);
    hashes.add(k.sha256);
    scopesOk(`/auth/api_keys/${i}/scopes`, k.scopes);
  });
  const identities = new Set<string>();
  auth.mtls_identities.forEach((m, i) => {
    if (identities.has(m.name)) at(`/auth/mtls_identities/${i}/name`, `duplicate identity ${JSON.stringify(m.name)}`);
    identities.add(m.name);
    scopesOk(`/auth/mtls_identities/${i}/scopes`, m.scopes);
  });
  if (auth.mtls_identities.length > 0 && config.server.tls?.client_ca_file === undefined) {
    at('/auth/mtls_identities', 'client-certificate identities need a client CA file (PDP_TLS_CLIENT_CA_FILE)');
  }
  const jwt = auth.jwt;
  if (jwt) {
    if ((jwt.jwks_url === undefined) === (jwt.key_file === undefined)) at('/auth/jwt', 'JWT verification needs exactly one of a JWKS URL or a key file');
    if (jwt.key_file !== undefined) {
      const abs = resolvedPath('/auth/jwt/key_file', jwt.key_file, origins, fileDir, cwd);
      jwt.key_file = abs;
      const read = readSecretFile(abs);
      if (typeof read !== 'string') at('/auth/jwt/key_file', `cannot read ${jwt.key_file}: ${read.problem}`);
      else {
        try {
          parseJwtKeys(read);
        } catch (e) {
          at('/auth/jwt/key_file', e instanceof JwtKeyError ? e.message : describeThrown(e));
        }
      }
    }
  }
  const configured = auth.api_keys.length > 0 || jwt !== undefined || config.server.tls?.client_ca_file !== undefined;
  if (auth.mode === 'none' && configured) {
    at('/auth/mode', 'is none, but API keys, JWT or client certificates are configured: remove them, or use auto');
  } else if (auth.mode === 'auto' && !configured && !isLoopbackHost(config.server.host)) {
    at(
      '/server/host',
      `listening on ${config.server.host} (not loopback) needs caller authentication: configure API keys (PDP_AUTH_API_KEYS_FILE), JWT (PDP_AUTH_JWT_JWKS_URL or PDP_AUTH_JWT_KEY_FILE) or client certificates (PDP_TLS_CLIENT_CA_FILE), or set PDP_AUTH_MODE=none to serve unauthenticated callers`,
    );
  }
  return issues;
}
