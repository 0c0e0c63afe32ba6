// OPA's write APIs (PUT/PATCH/DELETE of data and policies) are refused: this service loads both
// from bundles only. The refusal is given in onRequest, before the body is parsed, so that what
// an OPA user sends — `curl -X PUT --data-binary @x.rego` (no JSON type), a Rego text — gets the
// 405 that explains why, not a 415 about its media type. The body stays unread; the error handler
// closes such a connection (src/api/error-handler.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';

const ERROR = { $ref: 'opa-error.json#' };

export interface WriteRefusal {
  urls: readonly string[];
  methods: readonly ('PUT' | 'PATCH' | 'DELETE')[];
  /** Why, for the message: e.g. "data is loaded from bundles only (configure bundles)". */
  reason: string;
  /** The methods the path does support (the Allow header). */
  allow: string;
}

export function refuseWrites(app: FastifyInstance, r: WriteRefusal): void {
  const path = (r.urls[0] ?? '').replace(/\/\*$/, '');
  const refuse = async (request: FastifyRequest): Promise<never> => {
    const err = new ApiError(
      405,
      'METHOD_NOT_ALLOWED',
      `${request.method} ${path} is not supported: ${r.reason}; see docs/opa-compatibility.md`,
      [],
      undefined,
      {
        allow: r.allow,
      },
    );
    err.opa = { code: 'invalid_operation' };
    throw err;
  };
  for (const url of r.urls) {
    app.route({
      method: [...r.methods],
      url,
      config: { opaErrors: true },
      schema: { summary: `Refused: ${r.reason}`, response: { '4xx': ERROR } },
      onRequest: refuse,
      // Never reached: onRequest has answered.
      handler: refuse,
    });
  }
}
