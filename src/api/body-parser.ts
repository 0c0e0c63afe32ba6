// JSON bodies: size limit (fastify, → 413), nesting depth (→ 400) and number of values (→ 413),
// both checked before parsing (a small body's value is checked instead when that can decide:
// PARSE_FIRST_MAX); syntax and prototype-poisoning keys (→ 400). Registered once per app.
//
// Only JSON media types are read: application/json and the structured-syntax suffix
// application/<anything>+json (RFC 6839). OPA reads every body as JSON whatever its type; this
// service does not, because the types a browser may send cross-site without a preflight
// (application/x-www-form-urlencoded, multipart/form-data, text/plain — and no type at all) must
// never reach a decision: they get 415 before the body is read. A request without a body needs
// no type.
//
// OPA also reads YAML bodies (application/x-yaml, application/yaml): they are read as YAML, turned
// into JSON text and held to the same bounds (size, depth, values) as a JSON body.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import YAML from 'yaml';
import { describeThrown } from '../shared/errors.js';
import { ApiError } from './errors.js';
import { ExactDigitsExceeded, reparseExact } from '../shared/exact-json.js';
import { measureJson, nonFinitePath, parsedWithin } from './json-shape.js';
import { RepeatedBodies } from './repeated-bodies.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Integers in the body are kept exact (bigints past 2^53, as OPA keeps json.Number): the
     * Data API, where the input reaches the policy and may come back in the answer as it was.
     * Decision routes keep doubles (their schemas type numbers; their answers are documents). */
    exactNumbers?: boolean;
    /** The route's bodies may be remembered while they repeat (src/api/repeated-bodies.ts). */
    repeatedBodies?: boolean;
  }
}

/** Digits of exact integers (beyond 2^53) one body may hold: 3,000 numbers near 1e308, or
 * 60,000 of 17 digits — more than any real input, far less work than the body limit allows. */
const MAX_EXACT_DIGITS = 1_000_000;

/** Bodies up to this many characters are parsed first and the value checked (parsedWithin),
 * the text measured only when that check fails. Parsing before the depth is known costs a
 * hostile body little at this size: 4,000 levels of `[` in 8 KB parse in ~0.25 ms (node 20),
 * about one default-policy decision, where larger bodies are measured before anything is built. */
const PARSE_FIRST_MAX = 8192;

/** JSON.parse failed (the text is then measured and parsed as any other, for the same error). */
const NOT_PARSED = Symbol('not parsed');

function parsedOrNot(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return NOT_PARSED;
  }
}

type Done = (err: Error | null, body?: unknown) => void;

declare module 'fastify' {
  interface FastifyInstance {
    /** Parses JSON text with the body's bounds (depth, values, no prototype keys); throws ApiError.
     * For JSON that arrives outside a body (OPA's `?input=`). */
    readBoundedJson(text: string): unknown;
    /** Off until the decision cache turns it on. */
    repeatedBodies: RepeatedBodies;
    /** In this (encapsulated) context, a body of any other media type, or none, is read as JSON
     * with the same bounds — OPA's routes with opa.any_content_type. */
    readAnyBodyAsJson(): void;
  }
}

const YAML_TYPES = /^application\/(x-)?yaml(?:\s*;|$)/i;
/** YAML anchors may repeat a node; more aliases than this is a "billion laughs" document. */
const MAX_YAML_ALIASES = 100;

/** application/<subtype>+json, parameters allowed (fastify matches the essence of the type). */
const JSON_SUFFIX = /^application\/[a-z0-9!#$&^_.-]+\+json(?:\s*;|$)/i;

export function registerJsonParser(app: FastifyInstance, maxDepth: number, maxValues: number, bodyLimit = Number.MAX_SAFE_INTEGER): void {
  // fastify's own parser (secure-json-parse) refuses __proto__ / constructor.prototype keys,
  // which keeps poisoned objects out of every later merge.
  const secureParse = app.getDefaultJsonParser('error', 'error');
  // Text without those keys (the scan says so: no string spells one, no escape could) has nothing
  // for it to refuse; JSON.parse alone skips its two regular-expression scans of the text. A
  // byte-order mark, which it strips and JSON.parse refuses, goes to it as well.
  const plainParse = (_req: FastifyRequest, body: string, done: Done): void => {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (err) {
      return done(err as Error);
    }
    done(null, value);
  };

  const repeated = new RepeatedBodies();
  app.decorate('repeatedBodies', repeated);

  const parseJson = (req: FastifyRequest, body: string, done: Done): void => {
    const config = req.routeOptions.config;
    if (config?.repeatedBodies !== true || !repeated.enabled) return readJson(req, body, config?.exactNumbers === true, done);
    // The same text passed every check below before: the same value.
    const seen = repeated.get(body);
    if (seen !== undefined) return done(null, seen.value);
    readJson(req, body, config.exactNumbers === true, (err, value) => (err ? done(err) : done(null, repeated.remember(body, value))));
  };

  const readJson = (req: FastifyRequest, body: string, exact: boolean, done: Done): void => {
    // An empty body is "no body": the Data API allows it, decision schemas then say what is missing.
    if (body.trim() === '') return done(null, undefined);
    // A small body of doubles: parsed at once, and kept when its value holds nothing any check
    // below would refuse or change. Otherwise, and for every larger body, the text is measured
    // first and those checks decide: the same answer either way, but for a deep subtree a repeated
    // key discarded (see parsedWithin).
    if (!exact && body.length <= PARSE_FIRST_MAX && body.length < maxValues) {
      const value = parsedOrNot(body);
      if (value !== NOT_PARSED && parsedWithin(value, maxDepth)) return done(null, value);
    }
    const { problem, mayOverflow, mayBeInexact, noProtoKeys } = measureJson(body, maxDepth, maxValues);
    if (problem?.kind === 'depth') {
      return done(new ApiError(400, 'JSON_TOO_DEEP', `JSON nesting is deeper than ${maxDepth} levels`, [{ path: '', message: `nesting exceeds ${maxDepth}` }]));
    }
    if (problem?.kind === 'values') {
      return done(
        new ApiError(413, 'PAYLOAD_TOO_LARGE', `request body has more than ${maxValues} JSON values`, [{ path: '', message: `more than ${maxValues} values` }]),
      );
    }
    const parse = noProtoKeys && body.charCodeAt(0) !== 0xfeff ? plainParse : secureParse;
    parse(req, body, (err: Error | null, parsed?: unknown) => {
      if (!err) {
        // Parsed again only when a number may need it (a long digit run or an exponent); the
        // first parse has refused syntax errors and poisoned keys already.
        let value = parsed;
        if (mayBeInexact && exact) {
          try {
            value = reparseExact(body, MAX_EXACT_DIGITS) ?? parsed;
          } catch (e) {
            const msg = e instanceof ExactDigitsExceeded ? e.message : describeThrown(e);
            return done(new ApiError(413, 'PAYLOAD_TOO_LARGE', `request body holds ${msg}`, [{ path: '', message: msg }]));
          }
        }
        const overflow = mayOverflow ? nonFinitePath(value) : undefined;
        if (overflow === undefined) return done(null, value);
        return done(
          new ApiError(400, 'INVALID_JSON', 'request body has a number beyond the supported range (±1.8e308)', [
            { path: overflow, message: 'number out of range' },
          ]),
        );
      }
      done(new ApiError(400, 'INVALID_JSON', 'request body is not valid JSON', [{ path: '', message: syntaxMessage(body) }]));
    });
  };

  app.decorate('readBoundedJson', (text: string): unknown => {
    let out: { err: Error | null; value?: unknown } | undefined;
    // readJson answers synchronously (secure-json-parse is synchronous); secureParse does not read
    // the request. Inputs in a query string are kept exact like Data API bodies.
    readJson({} as FastifyRequest, text, true, (err, value) => (out = { err, value }));
    if (!out) throw new ApiError(500, 'INTERNAL_ERROR', 'JSON reader did not answer');
    if (out.err) throw out.err;
    return out.value;
  });

  const parseYaml = (req: FastifyRequest, body: string, done: Done): void => {
    if (body.trim() === '') return done(null, undefined);
    let value: unknown;
    try {
      value = YAML.parse(body, { maxAliasCount: MAX_YAML_ALIASES, uniqueKeys: true });
    } catch (err) {
      return done(new ApiError(400, 'INVALID_JSON', 'request body is not valid YAML', [{ path: '', message: describeThrown(err).slice(0, 300) }]));
    }
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (err) {
      return done(new ApiError(400, 'INVALID_JSON', 'request body is YAML that has no JSON form', [{ path: '', message: describeThrown(err).slice(0, 300) }]));
    }
    // Expanded aliases may make it bigger than what was sent: the body limit holds for the JSON form.
    if (text === undefined) return done(null, undefined);
    if (text.length > bodyLimit) return done(new ApiError(413, 'PAYLOAD_TOO_LARGE', `request body exceeds the limit of ${bodyLimit} bytes once read as YAML`));
    parseJson(req, text, done);
  };

  // Called on the instance given to an encapsulated plugin: the context's own '*' parser.
  app.decorate('readAnyBodyAsJson', function (this: FastifyInstance) {
    this.removeContentTypeParser('*');
    this.addContentTypeParser('*', { parseAs: 'string' }, parseJson);
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parseJson);
  app.addContentTypeParser(JSON_SUFFIX, { parseAs: 'string' }, parseJson);
  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, parseYaml);
  // Everything else — including a body without a Content-Type — is refused before it is read
  // (the stream form of a parser: the body is never buffered).
  app.addContentTypeParser('*', (req: FastifyRequest, _payload: unknown, done: Done) => {
    const type = req.headers['content-type'];
    const shown = type === undefined || type === '' ? 'no Content-Type' : `Content-Type ${JSON.stringify(type.slice(0, 100))}`;
    // On OPA's routes, name the setting that reads such bodies as OPA does.
    const opa = req.routeOptions.config?.opaErrors === true ? ' — or set opa.any_content_type to read any body as JSON, as OPA does' : '';
    done(new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `unsupported media type (${shown}); send the body as application/json (or application/yaml)${opa}`));
  });
}

function syntaxMessage(body: string): string {
  try {
    JSON.parse(body);
    // Valid JSON that secure-json-parse refused.
    return 'keys "__proto__" and "constructor.prototype" are not allowed';
  } catch (err) {
    return err instanceof Error ? err.message : 'invalid JSON';
  }
}
