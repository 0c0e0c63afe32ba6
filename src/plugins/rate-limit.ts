// Capability: per-caller rate limits (@fastify/rate-limit), keyed by the authenticated caller
// (so one API key cannot hide behind many addresses), else by the peer address. Registered after
// the auth plugin and before the routes it limits; health, readiness and metrics are registered
// before it and stay unlimited.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../api/errors.js';
import { peerOf } from '../api/peer.js';
import type { RateLimitConfig } from '../config/types.js';

async function rateLimitPlugin(app: FastifyInstance, opts: { config: RateLimitConfig }): Promise<void> {
  const { max, window_ms: windowMs } = opts.config;
  if (max === 0) return;
  await app.register(rateLimit, {
    global: true,
    max,
    timeWindow: windowMs,
    keyGenerator: (request: FastifyRequest) => (request.caller ? `caller:${request.caller.id}` : `peer:${peerOf(request).remoteAddress}`),
    errorResponseBuilder: (_request, context) =>
      new ApiError(429, 'RATE_LIMITED', `more than ${context.max} requests in ${windowMs} ms; retry in ${context.after}`, [], undefined, {
        'retry-after': String(Math.max(1, Math.ceil(context.ttl / 1000))),
      }),
  });
}

export default fp(rateLimitPlugin, { name: 'pdp-rate-limit', fastify: '5.x', dependencies: ['pdp-auth'] });
