// Capability: load shedding (@fastify/under-pressure). While the event loop lags or the heap is
// over its bound, requests are answered at once with 503 OVERLOADED (decision routes: also
// allow:false, see src/api/error-handler.ts) instead of queueing every caller behind the work
// that overloads the process. Health, readiness and metrics still answer: an orchestrator must
// see the pod, and a 503 from /ready takes it out of rotation on its own.
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../api/errors.js';
import type { LoadSheddingConfig } from '../config/types.js';

const ANSWERED_UNDER_PRESSURE = new Set(['/health', '/ready', '/metrics']);
const RETRY_AFTER_SECONDS = '1';

async function loadSheddingPlugin(app: FastifyInstance, opts: { config: LoadSheddingConfig }): Promise<void> {
  const { max_event_loop_delay_ms: delay, max_heap_used_bytes: heap } = opts.config;
  if (delay === 0 && heap === 0) return;
  await app.register(underPressure, {
    maxEventLoopDelay: delay,
    maxHeapUsedBytes: heap,
    // A rejected promise goes to the error handler: the one error shape, counted like any 503.
    pressureHandler: (request: FastifyRequest, _reply, type: string) => {
      if (ANSWERED_UNDER_PRESSURE.has(request.routeOptions.url ?? '')) return undefined;
      const what = type === 'eventLoopDelay' ? `event-loop delay over ${delay} ms` : `heap over ${heap} bytes`;
      return Promise.reject(
        new ApiError(503, 'OVERLOADED', `the service is overloaded (${what}); retry shortly`, [], undefined, { 'retry-after': RETRY_AFTER_SECONDS }),
      );
    },
  });
}

export default fp(loadSheddingPlugin, { name: 'pdp-load-shedding', fastify: '5.x' });
