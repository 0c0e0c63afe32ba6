// JSON bodies: size limit (fastify, → 413), nesting depth (→ 400, checked before parsing),
// syntax and prototype-poisoning keys (→ 400). Registered once per app.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';
import { exceedsDepth } from './json-depth.js';

type Done = (err: Error | null, body?: unknown) => void;

export function registerJsonParser(app: FastifyInstance, maxDepth: number): void {
  // fastify's own parser (secure-json-parse) refuses __proto__ / constructor.prototype keys,
  // which keeps poisoned objects out of every later merge.
  const secureParse = app.getDefaultJsonParser('error', 'error');

  const parseJson = (req: FastifyRequest, body: string, done: Done): void => {
    // An empty body is "no body": the Data API allows it, decision schemas then say what is missing.
    if (body.trim() === '') return done(null, undefined);
    if (exceedsDepth(body, maxDepth)) {
      return done(new ApiError(400, 'JSON_TOO_DEEP', `JSON nesting is deeper than ${maxDepth} levels`, [{ path: '', message: `nesting exceeds ${maxDepth}` }]));
    }
    secureParse(req, body, (err: Error | null, value?: unknown) => {
      if (!err) return done(null, value);
      done(new ApiError(400, 'INVALID_JSON', 'request body is not valid JSON', [{ path: '', message: syntaxMessage(body) }]));
    });
  };

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parseJson);
  // OPA reads every body as JSON whatever its type. We accept the two cases clients really send
  // by accident — no Content-Type, and curl -d's default form type — and refuse the rest.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, parseJson);
  app.addContentTypeParser('*', { parseAs: 'string' }, (req: FastifyRequest, body: string, done: Done) => {
    const type = req.headers['content-type'];
    if (type === undefined || type === '') return parseJson(req, body, done);
    done(new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `unsupported Content-Type ${JSON.stringify(type)}; send application/json`));
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
