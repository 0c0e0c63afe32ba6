// providers.aws.sign_req: AWS Signature Version 4 headers for an http.send-style request object,
// computed in-process (it signs; it sends nothing). Follows OPA's implementation: the signed
// headers are host, x-amz-date, the request's own headers (lower-cased, minus authorization,
// user-agent and x-amzn-trace-id), x-amz-content-sha256 for s3 and glacier, and
// x-amz-security-token with a session token; OPA's operand positions in errors are kept.

import { createHash, createHmac } from 'node:crypto';
import { ObjectV, SetV, type Value } from '../value.js';
import { marshalJSON } from './encoding.js';
import type { Builtin } from './types.js';
import { def, operandErr, regoString, typeErr } from './util.js';

const REQUIRED_CONFIG = ['aws_access_key', 'aws_region', 'aws_secret_access_key', 'aws_service'];
const IGNORED_HEADERS = new Set(['authorization', 'user-agent', 'x-amzn-trace-id']);
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** The request keys http.send accepts (OPA validates the request object against them). */
const REQUEST_KEYS = new Set([
  'body',
  'cache',
  'cache_ignored_headers',
  'caching_mode',
  'enable_redirect',
  'force_cache',
  'force_cache_duration_seconds',
  'force_json_decode',
  'force_yaml_decode',
  'headers',
  'max_retry_attempts',
  'method',
  'raise_error',
  'raw_body',
  'timeout',
  'tls_ca_cert',
  'tls_ca_cert_env_variable',
  'tls_ca_cert_file',
  'tls_client_cert',
  'tls_client_cert_env_variable',
  'tls_client_cert_file',
  'tls_client_key',
  'tls_client_key_env_variable',
  'tls_client_key_file',
  'tls_insecure_skip_verify',
  'tls_server_name',
  'tls_use_system_certs',
  'url',
]);

const stringOf = (v: Value | undefined): string => (typeof v === 'string' ? v : '');
const setText = (names: string[]): string => regoString(new SetV(names));
const sha256Hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: Buffer | string, msg: string): Buffer => createHmac('sha256', key).update(msg, 'utf8').digest();

/** Go's url.Parse, as far as signing needs it: host (with port, as written), escaped path, raw query. */
function urlParts(u: string): { host: string; path: string; query: string } {
  const noFrag = u.split('#', 1)[0];
  const q = noFrag.indexOf('?');
  const beforeQuery = q < 0 ? noFrag : noFrag.slice(0, q);
  const query = q < 0 ? '' : noFrag.slice(q + 1);
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/]*)(.*)$/.exec(beforeQuery);
  if (!m) return { host: '', path: escapePath(beforeQuery), query };
  const authority = m[1];
  const at = authority.lastIndexOf('@');
  return { host: at < 0 ? authority : authority.slice(at + 1), path: escapePath(m[2]), query };
}

/** Go's EscapedPath: the path as written when it is validly escaped, else escaped. */
function escapePath(p: string): string {
  if (/^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/.test(p)) return p;
  return p
    .split('/')
    .map((seg) => encodeURIComponent(decodeSafe(seg)).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()))
    .join('/');
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Go's time.Format("20060102T150405Z") of a Unix time in nanoseconds. */
function amzDate(ns: bigint): { date: string; stamp: string } {
  const ms = ns / 1_000_000n - (ns % 1_000_000n < 0n ? 1n : 0n);
  const iso = new Date(Number(ms)).toISOString(); // 2015-08-30T12:36:00.000Z
  const date = iso.slice(0, 10).replace(/-/g, '');
  return { date, stamp: `${date}T${iso.slice(11, 19).replace(/:/g, '')}Z` };
}

export const providers: Builtin[] = [
  def('providers.aws.sign_req', ['object', 'object', 'number'], ([reqV, cfgV, tsV], ctx) => {
    if (!(reqV instanceof ObjectV)) throw typeErr(1, reqV, 'object');
    // OPA names operand 1 for the config and the timestamp too; its wording is kept.
    if (!(cfgV instanceof ObjectV)) throw typeErr(1, cfgV, 'object');
    const missing = REQUIRED_CONFIG.filter((k) => !cfgV.has(k));
    if (missing.length) throw operandErr(2, `missing required AWS config parameters(s): ${setText(missing)}`);
    const invalid = REQUIRED_CONFIG.filter((k) => typeof cfgV.get(k) !== 'string');
    if (invalid.length) throw operandErr(2, `invalid values for required AWS config parameters(s): ${setText(invalid)}`);
    if (typeof tsV !== 'number' && typeof tsV !== 'bigint') throw typeErr(1, tsV, 'number');
    if (typeof tsV === 'number' && !Number.isInteger(tsV)) throw operandErr(3, 'could not convert time_ns value into a unix timestamp');
    const ts = BigInt(tsV);
    if (ts < -(2n ** 63n) || ts >= 2n ** 63n) throw operandErr(3, 'could not convert time_ns value into a unix timestamp');

    const keys = [...reqV.keys()].map((k) => (typeof k === 'string' ? k : regoString(k)));
    const unknown = keys.filter((k) => !REQUEST_KEYS.has(k));
    if (unknown.length) throw operandErr(1, `invalid request parameters(s): ${setText(unknown)}`);
    const absent = ['method', 'url'].filter((k) => !reqV.has(k));
    if (absent.length) throw operandErr(1, `missing required request parameters(s): ${setText(absent)}`);

    const headersV = reqV.get('headers');
    let headers = new ObjectV();
    if (headersV !== undefined) {
      if (!(headersV instanceof ObjectV)) throw typeErr(0, headersV, 'object');
      headers = headersV;
    }
    const badReq = ['method', 'url'].filter((k) => typeof reqV.get(k) !== 'string');
    if (badReq.length) throw operandErr(1, `invalid values for required request parameters(s): ${setText(badReq)}`);

    const rawBody = reqV.get('raw_body');
    const bodyV = reqV.get('body');
    const body = rawBody !== undefined ? stringOf(rawBody) : bodyV !== undefined ? marshalJSON(bodyV) : '';
    ctx.checkBudget(1 + Math.ceil(body.length / 32) + headers.size);

    let disablePayloadSigning = false;
    const dps = cfgV.get('disable_payload_signing');
    if (dps !== undefined) {
      if (typeof dps !== 'boolean') throw operandErr(2, "invalid value for 'disable_payload_signing' in AWS config");
      disablePayloadSigning = dps;
    }

    const service = stringOf(cfgV.get('aws_service'));
    const region = stringOf(cfgV.get('aws_region'));
    const sessionToken = stringOf(cfgV.get('aws_session_token'));
    const { host, path, query } = urlParts(stringOf(reqV.get('url')));
    const { date, stamp } = amzDate(ts);
    const contentSha = disablePayloadSigning ? UNSIGNED_PAYLOAD : sha256Hex(body);

    const awsHeaders = new Map<string, string>([
      ['host', host],
      ['x-amz-date', stamp],
    ]);
    if (service === 's3' || service === 'glacier') awsHeaders.set('x-amz-content-sha256', contentSha);
    if (sessionToken !== '') awsHeaders.set('x-amz-security-token', sessionToken);

    const original = new Map<string, string>();
    for (const [k, v] of headers.entries()) original.set(typeof k === 'string' ? k : '', stringOf(v));
    const toSign = new Map(awsHeaders);
    for (const [k, v] of original) {
      const lower = k.toLowerCase();
      if (!IGNORED_HEADERS.has(lower)) toSign.set(lower, v);
    }
    const names = [...toSign.keys()].sort();
    const canonical = [stringOf(reqV.get('method')), path, query, ...names.map((k) => `${k}:${toSign.get(k)}`), '', names.join(';'), contentSha].join('\n');
    const scope = `${date}/${region}/${service}/aws4_request`;
    const toSignText = `AWS4-HMAC-SHA256\n${stamp}\n${scope}\n${sha256Hex(canonical)}`;
    let key = hmac(`AWS4${stringOf(cfgV.get('aws_secret_access_key'))}`, date);
    for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
    const signature = hmac(key, toSignText).toString('hex');
    const auth = `AWS4-HMAC-SHA256 Credential=${stringOf(cfgV.get('aws_access_key'))}/${scope},SignedHeaders=${names.join(';')},Signature=${signature}`;

    const signed = new ObjectV();
    for (const [k, v] of original) signed.set(k, v);
    signed.set('Authorization', auth);
    for (const [k, v] of awsHeaders) signed.set(k, v);
    const out = new ObjectV();
    for (const [k, v] of reqV.entries()) out.set(k, v);
    out.set('headers', signed);
    return out;
  }),
];
