// GET /v1/config: the effective configuration with every secret redacted (what `pdp config`
// prints), like OPA's Config API. Needs scope config:read: it shows file paths and endpoints.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { redactConfig } from '../../config/redact.js';
import type { PdpConfig } from '../../config/types.js';

async function configApi(app: FastifyInstance, opts: { config: PdpConfig }): Promise<void> {
  // Redacted once: the configuration does not change while the process runs.
  const shown = { result: redactConfig(opts.config) };
  app.get('/v1/config', {
    schema: { summary: 'The effective configuration, secrets redacted (OPA Config API)', response: { 200: { type: 'object', additionalProperties: true } } },
    handler: async () => shown,
  });
}

export default fp(configApi, { name: 'pdp-config-api', fastify: '5.x' });
