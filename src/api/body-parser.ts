// JSON bodies: size limit (fastify, → 413), nesting depth (→ 400) and number of values (→ 413),
// both checked before parsing; syntax and prototype-poisoning keys (→ 400). Registered once per app.
//
// Only JSON media types are read: application/json and the structured-syntax suffix
// application/<anything>+json (RFC 6839). OPA reads every body as JSON whatever its type; this
// service does not, because the types a browser may send cross-site without a preflight
// (application/x-www-form-urlencoded, multipart/form-data, text/plain — and no type at all) must
// never reach a decision: they get 415 before the body is read. A request without a body needs
// no type.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { describeThrown } from '../shared/errors.js';
import { ApiError } from './errors.js';
import { ExactDigitsExceeded, reparseExact } from '../shared/exact-json.js';
import { measureJson, nonFinitePath } from './json-shape.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Integers in the body are kept exact (bigints past 2^53, as OPA keeps json.Number): the
     * Data API, where the input reaches the policy and may come back in the answer as it was.
     * Decision routes keep doubles (their schemas type numbers; their answers are documents). */
    exactNumbers?: boolean;
  }
}

/** Digits of exact integers (beyond 2^53) one body may hold: 3,000 numbers near 1e308, or
 * 60,000 of 17 digits — more than any real input, far less work than the body limit allows. */
const MAX_EXACT_DIGITS = 1_000_000;

type Done = (err: Error | null, body?: unknown) => void;

/** application/<subtype>+json, parameters allowed (fastify matches the essence of the type). */
const JSON_SUFFIX = /^application\/[a-z0-9!#$&^_.-]+\+json(?:\s*;|$)/i;

export function registerJsonParser(app: FastifyInstance, maxDepth: number, maxValues: number): void {
  // fastify's own parser (secure-json-parse) refuses __proto__ / constructor.prototype keys,
  // which keeps poisoned objects out of every later merge.
  const secureParse = app.getDefaultJsonParser('error', 'error');

  const parseJson = (req: FastifyRequest, body: string, done: Done): void => {
    // An empty body is "no body": the Data API allows it, decision schemas then say what is missing.
    if (body.trim() === '') return done(null, undefined);
    const { problem, mayOverflow, mayBeInexact } = measureJson(body, maxDepth, maxValues);
    if (problem?.kind === 'depth') {
      return done(new ApiError(400, 'JSON_TOO_DEEP', `JSON nesting is deeper than ${maxDepth} levels`, [{ path: '', message: `nesting exceeds ${maxDepth}` }]));
    }
    if (problem?.kind === 'values') {
      return done(
        new ApiError(413, 'PAYLOAD_TOO_LARGE', `request body has more than ${maxValues} JSON values`, [{ path: '', message: `more than ${maxValues} values` }]),
      );
    }
    secureParse(req, body, (err: Error | null, parsed?: unknown) => {
      if (!err) {
        // Parsed again only when a number may need it (a long digit run or an exponent); the
        // first parse has refused syntax errors and poisoned keys already.
        let value = parsed;
        if (mayBeInexact && req.routeOptions.config?.exactNumbers) {
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

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parseJson);
  app.addContentTypeParser(JSON_SUFFIX, { parseAs: 'string' }, parseJson);
  // Everything else — including a body without a Content-Type — is refused before it is read
  // (the stream form of a parser: the body is never buffered).
  app.addContentTypeParser('*', (req: FastifyRequest, _payload: unknown, done: Done) => {
    const type = req.headers['content-type'];
    const shown = type === undefined || type === '' ? 'no Content-Type' : `Content-Type ${JSON.stringify(type.slice(0, 100))}`;
    done(new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `unsupported media type (${shown}); send the body as application/json`));
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
