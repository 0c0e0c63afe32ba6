// OPA's configuration file (services, bundles, keys, decision_logs, labels, …), read as OPA
// reads it and mapped onto the one configuration (schemas/config.json): the result is a native
// config layer, validated afterwards exactly like a native file. Every OPA key either maps to a
// native setting or is named in an error or a warning — nothing is silently ignored.
//
// `${VAR}` references in string values are replaced with the environment variable, as OPA does;
// unlike OPA (which substitutes ""), an unset variable is an error naming the key: a missing
// secret must not turn into an unauthenticated request.
import { resolve } from 'node:path';
import { BundleError } from '../bundles/errors.js';
import { parseOciRef } from '../bundles/source-oci.js';
import { isObject, setAt, type JsonObject } from './pointer.js';

/** Keys only OPA's format has: a file with one of them (or `bundles` as a map) is OPA's. */
const OPA_ONLY_KEYS = [
  'services',
  'keys',
  'decision_logs',
  'default_decision',
  'default_authorization_decision',
  'persistence_directory',
  'discovery',
  'status',
  'plugins',
  'caching',
  'distributed_tracing',
  'storage',
  'nd_builtin_cache',
];

/** Top-level OPA keys this service does not implement, and why. */
const UNSUPPORTED: Record<string, string> = {
  discovery: 'discovery bundles are not supported: configure bundles, keys and decision_logs in this file',
  status:
    "status reporting to a remote service is not supported: the service's status is served at GET /v1/status (OPA's shape), GET /v1/pdp/status and as Prometheus metrics at GET /metrics",
  plugins: 'custom OPA plugins are not supported',
  storage: 'on-disk storage is not supported: data comes from bundles (persist them with bundles.<name>.persist)',
  distributed_tracing:
    'configure OpenTelemetry tracing with the OTEL_* environment variables (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME; docs/operations.md)',
};

/** Accepted but without effect here: a warning each. */
const NO_EFFECT: Record<string, string> = {
  caching: "http.send's inter-query cache settings have no effect here (decisions are cached by the service's own decision cache)",
};

export interface OpaConfigIssue {
  /** OPA key, dotted (e.g. "bundles.authz.polling.min_delay_seconds"). */
  key: string;
  message: string;
}

export interface MappedOpaConfig {
  /** The native config layer. */
  config: JsonObject;
  /** Native JSON pointer → the OPA key it came from (schema errors name the OPA key). */
  names: Map<string, string>;
  issues: OpaConfigIssue[];
  warnings: string[];
}

export interface OpaMapOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Relative paths in the file resolve against its directory. */
  fileDir: string;
}

/** Whether a parsed config file is written in OPA's format. */
export function isOpaConfig(content: JsonObject): boolean {
  if (OPA_ONLY_KEYS.some((k) => Object.hasOwn(content, k))) return true;
  if (isObject(content.bundles)) return true;
  const server = content.server;
  return isObject(server) && (Object.hasOwn(server, 'encoding') || Object.hasOwn(server, 'decoding') || Object.hasOwn(server, 'metrics'));
}

type Kind = 'string' | 'integer' | 'boolean' | 'object' | 'string map';

/** Reads one OPA config object with typed getters that report bad values under the OPA key. */
class Reader {
  readonly issues: OpaConfigIssue[] = [];
  readonly warnings: string[] = [];
  readonly names = new Map<string, string>();
  readonly out: JsonObject = {};

  constructor(private readonly env: OpaMapOptions['env']) {}

  issue(key: string, message: string): void {
    this.issues.push({ key, message });
  }

  /** The value at `key` of `obj` with env references substituted, if it has the kind; else an issue. */
  get(obj: JsonObject, name: string, at: string, kind: 'string'): string | undefined;
  get(obj: JsonObject, name: string, at: string, kind: 'integer'): number | undefined;
  get(obj: JsonObject, name: string, at: string, kind: 'boolean'): boolean | undefined;
  get(obj: JsonObject, name: string, at: string, kind: 'object'): JsonObject | undefined;
  get(obj: JsonObject, name: string, at: string, kind: 'string map'): Record<string, string> | undefined;
  get(obj: JsonObject, name: string, at: string, kind: Kind): unknown {
    if (!Object.hasOwn(obj, name) || obj[name] === null || obj[name] === undefined) return undefined;
    const key = join(at, name);
    const v = this.substitute(obj[name], key);
    if (v === undefined) return undefined;
    switch (kind) {
      case 'string':
        if (typeof v === 'string') return v;
        break;
      case 'integer':
        if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
        break;
      case 'boolean':
        if (typeof v === 'boolean') return v;
        break;
      case 'object':
        if (isObject(v)) return v;
        break;
      case 'string map':
        if (isObject(v)) {
          // undefined: an unset ${VAR}, reported already.
          const bad = Object.entries(v).find(([, x]) => typeof x !== 'string' && x !== undefined);
          if (!bad) return v as Record<string, string>;
          this.issue(join(key, bad[0]), `must be a string (got ${describe(bad[1])})`);
          return undefined;
        }
        break;
    }
    this.issue(
      key,
      `must be ${kind === 'integer' ? 'an integer' : kind === 'object' || kind === 'string map' ? 'an object' : `a ${kind}`} (got ${describe(v)})`,
    );
    return undefined;
  }

  /** Sets a native setting, remembering the OPA key it came from. */
  set(pointer: string, value: unknown, from: string): void {
    if (value === undefined) return;
    setAt(this.out, pointer, value);
    this.names.set(pointer, from);
  }

  /** Names every key of `obj` not in `known`. */
  unknownKeys(obj: JsonObject, at: string, known: readonly string[], unsupported: Record<string, string> = {}): void {
    for (const k of Object.keys(obj)) {
      if (known.includes(k)) continue;
      const why = unsupported[k];
      this.issue(join(at, k), why ?? 'unknown OPA configuration key (a typo?)');
    }
  }

  /** `${VAR}` in strings, recursively; a value that is exactly one reference to a number or
   * boolean becomes that number or boolean (as OPA, which substitutes before parsing). */
  private substitute(v: unknown, key: string): unknown {
    if (typeof v === 'string') {
      if (!v.includes('${')) return v;
      const whole = /^\$\{([^}]+)\}$/.exec(v);
      let missing: string | undefined;
      const out = v.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
        const value = this.env[name.trim()];
        if (value === undefined) missing ??= name;
        return value ?? '';
      });
      if (missing !== undefined) {
        this.issue(
          key,
          `\${${missing}} names an environment variable that is not set (OPA would substitute ""; refused so a missing value cannot go unnoticed)`,
        );
        return undefined;
      }
      if (whole) {
        if (/^-?\d+$/.test(out.trim())) return Number(out.trim());
        if (out === 'true' || out === 'false') return out === 'true';
      }
      return out;
    }
    if (Array.isArray(v)) return v.map((x, i) => this.substitute(x, `${key}[${i}]`));
    if (isObject(v)) {
      const o: JsonObject = {};
      for (const [k, x] of Object.entries(v)) Object.defineProperty(o, k, { value: this.substitute(x, join(key, k)), enumerable: true, writable: true });
      return o;
    }
    return v;
  }
}

function join(at: string, name: string): string {
  return at === '' ? name : `${at}.${name}`;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return JSON.stringify(v);
}

/** service url + resource, as OPA joins them (one slash between). */
function joinUrl(base: string, resource: string): string {
  return `${base.replace(/\/+$/, '')}/${resource.replace(/^\/+/, '')}`;
}

/** OPA writes data paths with a leading slash ("/system/log/mask"); native decision paths without. */
function dataPath(p: string): string {
  return p.replace(/^\/+/, '').replace(/\/+$/, '');
}

interface Service {
  name: string;
  key: string;
  url: string;
  /** type: oci — an OCI registry; its bundles' resource is registry/repository:tag. */
  oci: boolean;
  headers: Record<string, string>;
  /** OPA's bearer token, with its scheme. */
  token?: { token?: string; tokenPath?: string; scheme: string; key: string };
  tls: { ca_file?: string; cert_file?: string; key_file?: string };
  responseHeaderTimeoutSeconds?: number;
}

const SERVICE_KEYS = ['name', 'url', 'headers', 'credentials', 'tls', 'response_header_timeout_seconds', 'allow_insecure_tls', 'type'];
const UNSUPPORTED_CREDENTIALS: Record<string, string> = {
  oauth2: 'OAuth2 client credentials are not supported: use credentials.bearer (token or token_path) or credentials.client_tls',
  s3_signing: 'AWS request signing is not supported: use credentials.bearer or credentials.client_tls',
  gcp_metadata: 'GCP metadata tokens are not supported: use credentials.bearer.token_path',
  azure_managed_identity: 'Azure managed identity tokens are not supported: use credentials.bearer.token_path',
  plugin: 'credential plugins are not supported',
};

function readServices(r: Reader, root: JsonObject, fileDir: string): Map<string, Service> {
  const services = new Map<string, Service>();
  const raw = root.services;
  if (raw === undefined || raw === null) return services;
  let entries: [string, unknown, string][];
  if (Array.isArray(raw)) entries = raw.map((s, i) => [isObject(s) && typeof s.name === 'string' ? s.name : '', s, `services[${i}]`]);
  else if (isObject(raw)) entries = Object.entries(raw).map(([k, s]) => [k, s, `services.${k}`]);
  else {
    r.issue('services', `must be an object or a list (got ${describe(raw)})`);
    return services;
  }
  for (const [name, s, at] of entries) {
    if (!isObject(s)) {
      r.issue(at, `must be an object (got ${describe(s)})`);
      continue;
    }
    if (name === '') {
      r.issue(join(at, 'name'), 'is required (a service in a list needs a name)');
      continue;
    }
    r.unknownKeys(s, at, SERVICE_KEYS);
    const url = r.get(s, 'url', at, 'string');
    if (url === undefined) {
      if (!Object.hasOwn(s, 'url')) r.issue(join(at, 'url'), 'is required');
      continue;
    }
    if (s.allow_insecure_tls === true)
      r.issue(join(at, 'allow_insecure_tls'), 'is not supported: certificates are always verified (give the CA with tls.ca_cert)');
    const type = r.get(s, 'type', at, 'string')?.toLowerCase();
    if (type !== undefined && type !== '' && type !== 'http' && type !== 'oci')
      r.issue(join(at, 'type'), `service type ${JSON.stringify(type)} is not supported (http, or oci for an OCI registry)`);
    const svc: Service = { name, key: at, url, oci: type === 'oci', headers: r.get(s, 'headers', at, 'string map') ?? {}, tls: {} };
    svc.responseHeaderTimeoutSeconds = r.get(s, 'response_header_timeout_seconds', at, 'integer');
    const tls = r.get(s, 'tls', at, 'object');
    if (tls) {
      r.unknownKeys(tls, join(at, 'tls'), ['ca_cert', 'system_ca_required']);
      const ca = r.get(tls, 'ca_cert', join(at, 'tls'), 'string');
      if (ca !== undefined) svc.tls.ca_file = resolve(fileDir, ca);
      if (r.get(tls, 'system_ca_required', join(at, 'tls'), 'boolean') === true)
        r.issue(join(at, 'tls.system_ca_required'), 'is not supported: with tls.ca_cert only that CA is trusted');
    }
    const creds = r.get(s, 'credentials', at, 'object');
    if (creds) {
      const cAt = join(at, 'credentials');
      r.unknownKeys(creds, cAt, ['bearer', 'client_tls'], UNSUPPORTED_CREDENTIALS);
      const bearer = r.get(creds, 'bearer', cAt, 'object');
      if (bearer) {
        const bAt = join(cAt, 'bearer');
        r.unknownKeys(bearer, bAt, ['token', 'token_path', 'scheme']);
        const token = r.get(bearer, 'token', bAt, 'string');
        const tokenPath = r.get(bearer, 'token_path', bAt, 'string');
        const scheme = r.get(bearer, 'scheme', bAt, 'string') ?? 'Bearer';
        if (token !== undefined && tokenPath !== undefined) r.issue(bAt, 'set only one of token or token_path');
        else if (token === undefined && tokenPath === undefined) {
          if (!Object.hasOwn(bearer, 'token') && !Object.hasOwn(bearer, 'token_path')) r.issue(bAt, 'needs token or token_path');
        } else {
          svc.token = {
            scheme,
            key: bAt,
            ...(token !== undefined ? { token } : {}),
            ...(tokenPath !== undefined ? { tokenPath: resolve(fileDir, tokenPath) } : {}),
          };
        }
      }
      const client = r.get(creds, 'client_tls', cAt, 'object');
      if (client) {
        const tAt = join(cAt, 'client_tls');
        r.unknownKeys(client, tAt, ['cert', 'private_key'], {
          private_key_passphrase: 'encrypted private keys are not supported: give the key unencrypted (mounted from a secret)',
          ca_cert: 'give the CA as tls.ca_cert',
        });
        const cert = r.get(client, 'cert', tAt, 'string');
        const key = r.get(client, 'private_key', tAt, 'string');
        if (cert === undefined || key === undefined) r.issue(tAt, 'needs both cert and private_key');
        else {
          svc.tls.cert_file = resolve(fileDir, cert);
          svc.tls.key_file = resolve(fileDir, key);
        }
      }
    }
    services.set(name, svc);
  }
  return services;
}

/**
 * A bundle of an oci service: OPA's resource is `registry/repository[:tag|@digest]`, and the
 * registry it contacts is the service url's scheme and host (the resource's registry part only
 * names it). Mapped onto the native `bundles[].oci` reference.
 */
function mapOciResource(r: Reader, b: JsonObject, at: string, p: string, svc: Service): void {
  const rAt = join(at, 'resource');
  const resource = r.get(b, 'resource', at, 'string');
  if (resource === undefined) {
    if (!Object.hasOwn(b, 'resource'))
      r.issue(rAt, `is required for a bundle of an oci service (registry/repository:tag, e.g. ghcr.io/org/policy:1.0.0): ${svc.key} has type oci`);
    return;
  }
  let base: URL;
  try {
    base = new URL(svc.url);
  } catch {
    r.issue(join(svc.key, 'url'), 'is not a URL (an oci service url is the registry, e.g. https://ghcr.io)');
    return;
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    r.issue(join(svc.key, 'url'), 'must be an http(s) URL (an oci service url is the registry, e.g. https://ghcr.io)');
    return;
  }
  if (base.search || base.hash) {
    r.issue(join(svc.key, 'url'), 'an oci service url is the registry alone (no query or fragment)');
    return;
  }
  if (base.pathname !== '/' && base.pathname !== '')
    r.warnings.push(`${svc.key}.url: the path ${base.pathname} is not used for an oci service (the registry is scheme and host, as OPA uses it)`);
  const slash = resource.indexOf('/');
  if (slash <= 0) {
    r.issue(rAt, `must be registry/repository[:tag] (e.g. ghcr.io/org/policy:1.0.0; got ${JSON.stringify(resource)})`);
    return;
  }
  const named = resource.slice(0, slash);
  if (named.toLowerCase() !== base.host.toLowerCase())
    r.warnings.push(`${rAt}: names the registry ${named}, but ${svc.key}.url is ${base.host}: the service url's registry is contacted, as OPA does`);
  const userinfo = base.username || base.password ? `${base.username}${base.password ? `:${base.password}` : ''}@` : '';
  const ref = `${base.protocol}//${userinfo}${base.host}/${resource.slice(slash + 1)}`;
  try {
    parseOciRef(ref);
  } catch (e) {
    // parseOciRef names the reference without credentials.
    r.issue(rAt, e instanceof BundleError ? e.message : 'is not a valid OCI reference');
    return;
  }
  r.set(`${p}/oci`, ref, `${svc.key}.url, ${rAt}`);
}

const BUNDLE_KEYS = ['service', 'resource', 'polling', 'signing', 'persist', 'trigger', 'size_limit_bytes'];

interface SignedBundle {
  key: string;
  keyid?: string;
  scope?: string;
}

function mapBundles(r: Reader, root: JsonObject, services: Map<string, Service>, persistDir: string): { signed: SignedBundle[]; unsigned: string[] } {
  const signed: SignedBundle[] = [];
  const unsigned: string[] = [];
  const raw = root.bundles;
  if (raw === undefined || raw === null) {
    if (Object.hasOwn(root, 'persistence_directory')) r.warnings.push('persistence_directory: no bundle has persist: true, so nothing is persisted');
    return { signed, unsigned };
  }
  if (!isObject(raw)) {
    r.issue('bundles', `must be an object of bundles by name (got ${describe(raw)})`);
    return { signed, unsigned };
  }
  const persisted: string[] = [];
  const notPersisted: string[] = [];
  let i = 0;
  for (const [name, b] of Object.entries(raw)) {
    const at = `bundles.${name}`;
    if (!isObject(b)) {
      r.issue(at, `must be an object (got ${describe(b)})`);
      continue;
    }
    r.unknownKeys(b, at, BUNDLE_KEYS);
    const p = `/bundles/${i}`;
    const serviceName = r.get(b, 'service', at, 'string');
    const svc = serviceName !== undefined ? services.get(serviceName) : undefined;
    if (serviceName === undefined) {
      if (!Object.hasOwn(b, 'service')) r.issue(join(at, 'service'), 'is required (the name of a service in services)');
      continue;
    }
    if (!svc) {
      r.issue(join(at, 'service'), `names service ${JSON.stringify(serviceName)}, which services does not define`);
      continue;
    }
    i++;
    r.set(`${p}/name`, name, at);
    if (svc.oci) mapOciResource(r, b, at, p, svc);
    else {
      const resource = r.get(b, 'resource', at, 'string') ?? `bundles/${name}`;
      r.set(`${p}/url`, joinUrl(svc.url, resource), `${svc.key}.url, ${join(at, 'resource')}`);
    }
    const polling = r.get(b, 'polling', at, 'object');
    let minDelay = 60;
    if (polling) {
      const pAt = join(at, 'polling');
      r.unknownKeys(polling, pAt, ['min_delay_seconds', 'max_delay_seconds', 'long_polling_timeout_seconds']);
      const min = r.get(polling, 'min_delay_seconds', pAt, 'integer');
      const max = r.get(polling, 'max_delay_seconds', pAt, 'integer');
      if ((min === undefined) !== (max === undefined)) r.issue(pAt, 'set both min_delay_seconds and max_delay_seconds, or neither (as OPA requires)');
      else if (min !== undefined && max !== undefined) {
        if (max < min) r.issue(join(pAt, 'max_delay_seconds'), 'must be at least min_delay_seconds');
        minDelay = min;
      }
      const long = r.get(polling, 'long_polling_timeout_seconds', pAt, 'integer');
      if (long !== undefined && svc.oci) r.issue(join(pAt, 'long_polling_timeout_seconds'), 'does not apply to an oci service (a registry is polled)');
      else r.set(`${p}/long_polling_timeout_seconds`, long, join(pAt, 'long_polling_timeout_seconds'));
    }
    // Polls every min_delay_seconds (±10 % jitter): at least as fresh as OPA's random wait in [min, max].
    r.set(`${p}/poll_interval_ms`, minDelay * 1000, polling ? join(at, 'polling.min_delay_seconds') : at);
    const headers: Record<string, string> = { ...svc.headers };
    if (svc.token?.token !== undefined) headers.Authorization = `${svc.token.scheme} ${svc.token.token}`;
    if (Object.keys(headers).length > 0) r.set(`${p}/headers`, headers, svc.token ? svc.token.key : `${svc.key}.headers`);
    if (svc.token?.tokenPath !== undefined) {
      r.set(`${p}/token_file`, svc.token.tokenPath, join(svc.token.key, 'token_path'));
      if (svc.token.scheme !== 'Bearer') r.set(`${p}/token_scheme`, svc.token.scheme, join(svc.token.key, 'scheme'));
    }
    if (Object.keys(svc.tls).length > 0) r.set(`${p}/tls`, { ...svc.tls }, `${svc.key}.credentials.client_tls, ${svc.key}.tls`);
    if (svc.responseHeaderTimeoutSeconds !== undefined)
      r.warnings.push(
        `${svc.key}.response_header_timeout_seconds: bundle downloads time out after 10 s here (whole response); the setting is not applied to bundles`,
      );
    const trigger = r.get(b, 'trigger', at, 'string');
    if (trigger !== undefined && trigger !== 'periodic') r.issue(join(at, 'trigger'), `only "periodic" is supported (got ${JSON.stringify(trigger)})`);
    const sizeLimit = r.get(b, 'size_limit_bytes', at, 'integer');
    if (sizeLimit !== undefined) r.set('/limits/max_uncompressed_bytes', sizeLimit, join(at, 'size_limit_bytes'));
    const signing = r.get(b, 'signing', at, 'object');
    if (signing) {
      const sAt = join(at, 'signing');
      r.unknownKeys(signing, sAt, ['keyid', 'scope'], { exclude_files: 'is not supported: every file of a signed bundle is verified' });
      const keyid = r.get(signing, 'keyid', sAt, 'string');
      const scope = r.get(signing, 'scope', sAt, 'string');
      r.set(`${p}/signing_key_id`, keyid, join(sAt, 'keyid'));
      signed.push({ key: sAt, ...(keyid !== undefined ? { keyid } : {}), ...(scope !== undefined ? { scope } : {}) });
    } else unsigned.push(at);
    const persist = r.get(b, 'persist', at, 'boolean');
    (persist === true ? persisted : notPersisted).push(at);
  }
  if (persisted.length > 0) {
    r.set('/persist_dir', persistDir, Object.hasOwn(root, 'persistence_directory') ? 'persistence_directory' : `${persisted[0]}.persist`);
    if (notPersisted.length > 0)
      r.warnings.push(
        `${notPersisted.join(', ')}: persist is not set, but ${persisted.join(', ')} persist — every downloaded bundle is persisted here (persistence is one setting for all bundles)`,
      );
  } else if (Object.hasOwn(root, 'persistence_directory')) {
    r.warnings.push('persistence_directory: no bundle has persist: true, so nothing is persisted');
  }
  return { signed, unsigned };
}

function mapKeysAndSigning(r: Reader, root: JsonObject, bundles: { signed: SignedBundle[]; unsigned: string[] }): void {
  const keys = r.get(root, 'keys', '', 'object');
  const keyScopes = new Map<string, string | undefined>();
  const nativeKeys: JsonObject[] = [];
  for (const [id, k] of Object.entries(keys ?? {})) {
    const at = `keys.${id}`;
    if (!isObject(k)) {
      r.issue(at, `must be an object (got ${describe(k)})`);
      continue;
    }
    r.unknownKeys(k, at, ['key', 'algorithm', 'scope', 'private_key']);
    const key = r.get(k, 'key', at, 'string');
    if (Object.hasOwn(k, 'private_key'))
      r.warnings.push(`${at}.private_key: signing keys are for building bundles (pdp bundle build --signing-key); the service only verifies, with key`);
    if (key === undefined) {
      if (!Object.hasOwn(k, 'key')) r.issue(join(at, 'key'), 'is required (the PEM public key or HMAC secret that verifies bundles)');
      continue;
    }
    keyScopes.set(id, r.get(k, 'scope', at, 'string'));
    const p = `/signing/keys/${nativeKeys.length}`;
    const entry: JsonObject = { key_id: id, algorithm: r.get(k, 'algorithm', at, 'string') ?? 'RS256', key };
    nativeKeys.push(entry);
    r.set(p, entry, at);
    r.names.set(`${p}/key`, join(at, 'key'));
    r.names.set(`${p}/algorithm`, join(at, 'algorithm'));
  }
  if (nativeKeys.length === 0 && bundles.signed.length === 0) return;
  // OPA verifies each bundle that has a signing section and requires its signature; here
  // verification is one setting for all bundles, so it is all or none.
  const required = bundles.signed.length > 0;
  if (required && bundles.unsigned.length > 0) {
    r.issue(
      bundles.unsigned[0] as string,
      `has no signing section while ${bundles.signed[0]?.key.replace(/\.signing$/, '')} has one: signature verification is one setting for all bundles here (give every bundle a signing section, or none)`,
    );
  }
  r.set('/signing/required', required, bundles.signed[0]?.key ?? 'keys');
  if (!keys || nativeKeys.length === 0) r.set('/signing/keys', [], 'keys');
  // A bundle's scope wins over its key's (OPA's rule); the effective scopes must agree.
  const scopes = new Set(bundles.signed.map((b) => b.scope ?? (b.keyid !== undefined ? keyScopes.get(b.keyid) : undefined)));
  if (scopes.size > 1) {
    r.issue(bundles.signed.map((b) => b.key).join(', '), 'the signed bundles require different scopes: the required scope is one setting for all bundles here');
  } else {
    const [scope] = [...scopes];
    if (scope !== undefined) r.set('/signing/scope', scope, bundles.signed.find((b) => b.scope !== undefined)?.key ?? 'keys');
  }
}

const REPORTING_KEYS = [
  'min_delay_seconds',
  'max_delay_seconds',
  'upload_size_limit_bytes',
  'buffer_size_limit_bytes',
  'buffer_size_limit_events',
  'buffer_type',
  'trigger',
];

function mapDecisionLogs(r: Reader, root: JsonObject, services: Map<string, Service>, servicesInOrder: string[]): void {
  const dl = r.get(root, 'decision_logs', '', 'object');
  // No decision_logs section: OPA logs no decisions at all.
  if (!dl) {
    r.set('/decision_log/stdout', false, 'decision_logs');
    return;
  }
  const at = 'decision_logs';
  r.unknownKeys(dl, at, ['service', 'resource', 'partition_name', 'reporting', 'mask_decision', 'drop_decision', 'console', 'nd_builtin_cache'], {
    plugin: 'decision-log plugins are not supported: use console, a service, or the Redis stream sink (PDP_DECISION_LOG_REDIS_STREAM)',
    request_context:
      'request headers are not added to records: the verified caller and an on-behalf-of header are recorded instead (decision_log.caller_header)',
  });
  const console = r.get(dl, 'console', at, 'boolean') ?? false;
  r.set('/decision_log/stdout', console, join(at, 'console'));
  let serviceName = r.get(dl, 'service', at, 'string');
  // OPA's default: the first service, unless console logging is on.
  if (serviceName === undefined && !console && !Object.hasOwn(dl, 'service')) serviceName = servicesInOrder[0];
  const mask = r.get(dl, 'mask_decision', at, 'string');
  if (mask !== undefined) r.set('/decision_log/mask_decision', dataPath(mask), join(at, 'mask_decision'));
  r.set('/decision_log/drop_decision', r.get(dl, 'drop_decision', at, 'string'), join(at, 'drop_decision'));
  const nd = r.get(dl, 'nd_builtin_cache', at, 'boolean');
  if (nd !== undefined) mapNdCache(r, nd, join(at, 'nd_builtin_cache'));
  const reporting = r.get(dl, 'reporting', at, 'object');
  const rAt = join(at, 'reporting');
  if (reporting) {
    r.unknownKeys(reporting, rAt, REPORTING_KEYS, {
      max_decisions_per_second: 'is not supported: records are bounded by buffer_size_limit_events and buffer_size_limit_bytes (oldest dropped and counted)',
    });
    const type = r.get(reporting, 'buffer_type', rAt, 'string');
    if (type !== undefined && type !== 'size' && type !== 'event') r.issue(join(rAt, 'buffer_type'), `must be "size" or "event" (got ${JSON.stringify(type)})`);
    r.set('/decision_log/buffer_max_bytes', r.get(reporting, 'buffer_size_limit_bytes', rAt, 'integer'), join(rAt, 'buffer_size_limit_bytes'));
    r.set('/decision_log/buffer_size', r.get(reporting, 'buffer_size_limit_events', rAt, 'integer'), join(rAt, 'buffer_size_limit_events'));
    const trigger = r.get(reporting, 'trigger', rAt, 'string');
    if (trigger !== undefined && trigger !== 'periodic') r.issue(join(rAt, 'trigger'), `only "periodic" is supported (got ${JSON.stringify(trigger)})`);
  }
  if (serviceName === undefined) {
    if (reporting) r.warnings.push(`${rAt}: no service receives decision logs, so the upload settings have no effect`);
    return;
  }
  const svc = services.get(serviceName);
  if (!svc) {
    r.issue(join(at, 'service'), `names service ${JSON.stringify(serviceName)}, which services does not define`);
    return;
  }
  if (svc.oci) {
    r.issue(
      join(at, 'service'),
      Object.hasOwn(dl, 'service')
        ? `names service ${JSON.stringify(serviceName)}, an OCI registry (type oci): decision logs go to an http service`
        : `defaults to the first service, ${JSON.stringify(serviceName)}, an OCI registry (type oci): name an http service, or set console: true`,
    );
    return;
  }
  const partition = r.get(dl, 'partition_name', at, 'string');
  const resource = partition !== undefined ? `/logs/${partition}` : (r.get(dl, 'resource', at, 'string') ?? '/logs');
  r.set('/decision_log/url', joinUrl(svc.url, resource), `${svc.key}.url, ${join(at, 'resource')}`);
  // As OPA's rest client: the service's headers go with every upload, then its credential.
  if (Object.keys(svc.headers).length > 0) r.set('/decision_log/headers', { ...svc.headers }, `${svc.key}.headers`);
  if (svc.token) {
    if (svc.token.scheme !== 'Bearer') r.set('/decision_log/token_scheme', svc.token.scheme, join(svc.token.key, 'scheme'));
    if (svc.token.token !== undefined && svc.token.token !== '') r.set('/decision_log/auth_token', svc.token.token, join(svc.token.key, 'token'));
    // Read again for every upload, as OPA's bearer plugin reads token_path for every request.
    if (svc.token.tokenPath !== undefined) r.set('/decision_log/token_file', svc.token.tokenPath, join(svc.token.key, 'token_path'));
  }
  if (Object.keys(svc.tls).length > 0) r.set('/decision_log/tls', { ...svc.tls }, `${svc.key}.credentials.client_tls, ${svc.key}.tls`);
  if (svc.responseHeaderTimeoutSeconds !== undefined)
    r.set('/decision_log/upload_timeout_ms', svc.responseHeaderTimeoutSeconds * 1000, `${svc.key}.response_header_timeout_seconds`);
  // OPA's defaults when the section does not say: uploads every 300–600 s of at most 32 KiB gzipped.
  const min = reporting ? r.get(reporting, 'min_delay_seconds', rAt, 'integer') : undefined;
  const max = reporting ? r.get(reporting, 'max_delay_seconds', rAt, 'integer') : undefined;
  if ((min === undefined) !== (max === undefined)) r.issue(rAt, 'set both min_delay_seconds and max_delay_seconds, or neither (as OPA requires)');
  else if (min !== undefined && max !== undefined && max < min) r.issue(join(rAt, 'max_delay_seconds'), 'must be at least min_delay_seconds');
  r.set('/decision_log/upload_interval_ms', (min ?? 300) * 1000, reporting ? join(rAt, 'min_delay_seconds') : at);
  const upload = reporting ? r.get(reporting, 'upload_size_limit_bytes', rAt, 'integer') : undefined;
  r.set('/decision_log/upload_max_bytes', upload ?? 32768, upload !== undefined ? join(rAt, 'upload_size_limit_bytes') : at);
}

function mapNdCache(r: Reader, on: boolean, key: string): void {
  r.set('/decision_log/nd_builtin_cache', on, key);
}

function mapServer(r: Reader, root: JsonObject): void {
  const server = r.get(root, 'server', '', 'object');
  if (!server) return;
  r.unknownKeys(server, 'server', ['encoding', 'decoding', 'metrics']);
  const enc = r.get(server, 'encoding', 'server', 'object');
  if (enc) {
    r.unknownKeys(enc, 'server.encoding', ['gzip']);
    const gzip = r.get(enc, 'gzip', 'server.encoding', 'object');
    if (gzip) {
      const gAt = 'server.encoding.gzip';
      r.unknownKeys(gzip, gAt, ['min_length', 'compression_level']);
      r.set('/server/gzip/min_length', r.get(gzip, 'min_length', gAt, 'integer'), join(gAt, 'min_length'));
      const level = r.get(gzip, 'compression_level', gAt, 'integer');
      if (level === 0) r.issue(join(gAt, 'compression_level'), 'must be 1 to 9 here (0, no compression, is not supported: clients that ask for gzip get it)');
      else r.set('/server/gzip/compression_level', level, join(gAt, 'compression_level'));
    }
  }
  const dec = r.get(server, 'decoding', 'server', 'object');
  if (dec) {
    r.unknownKeys(dec, 'server.decoding', ['max_length'], {
      gzip: 'the decompressed size of a gzip request body is bounded by the body limit (server.decoding.max_length) here',
    });
    r.set('/server/body_limit_bytes', r.get(dec, 'max_length', 'server.decoding', 'integer'), 'server.decoding.max_length');
  }
  if (Object.hasOwn(server, 'metrics')) r.warnings.push('server.metrics: Prometheus histogram buckets are fixed here; the setting has no effect');
}

const TOP_LEVEL = [
  'services',
  'bundles',
  'keys',
  'decision_logs',
  'labels',
  'default_decision',
  'default_authorization_decision',
  'persistence_directory',
  'server',
  'nd_builtin_cache',
  ...Object.keys(UNSUPPORTED),
  ...Object.keys(NO_EFFECT),
];

/** Maps a parsed OPA config file onto a native config layer. */
export function mapOpaConfig(root: JsonObject, opts: OpaMapOptions): MappedOpaConfig {
  const r = new Reader(opts.env);
  for (const k of Object.keys(root)) {
    if (TOP_LEVEL.includes(k)) continue;
    r.issue(
      k,
      "not an OPA configuration key (this file is read as OPA's format; give native settings as PDP_* environment variables, or use a native config file)",
    );
  }
  for (const [k, why] of Object.entries(UNSUPPORTED)) if (Object.hasOwn(root, k)) r.issue(k, why);
  for (const [k, why] of Object.entries(NO_EFFECT)) if (Object.hasOwn(root, k)) r.warnings.push(`${k}: ${why}`);
  const services = readServices(r, root, opts.fileDir);
  const order = [...services.keys()];
  const persistence = r.get(root, 'persistence_directory', '', 'string');
  // Relative to the working directory, as OPA (and native persist_dir); OPA's default is .opa there.
  const persistDir = persistence ?? '.opa';
  const bundles = mapBundles(r, root, services, persistDir);
  if (!Object.hasOwn(root, 'bundles') && services.size > 0) r.warnings.push('services: no bundles are configured, so the embedded policies are served');
  mapKeysAndSigning(r, root, bundles);
  mapDecisionLogs(r, root, services, order);
  r.set('/labels', r.get(root, 'labels', '', 'string map'), 'labels');
  const dd = r.get(root, 'default_decision', '', 'string');
  r.set('/opa/default_decision', dd, 'default_decision');
  const authz = r.get(root, 'default_authorization_decision', '', 'string');
  if (authz !== undefined) r.set('/auth/authorization_decision', dataPath(authz), 'default_authorization_decision');
  const nd = r.get(root, 'nd_builtin_cache', '', 'boolean');
  if (nd !== undefined) mapNdCache(r, nd, 'nd_builtin_cache');
  mapServer(r, root);
  return { config: r.out, names: r.names, issues: r.issues, warnings: r.warnings };
}
