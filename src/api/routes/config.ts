// GET /v1/config: OPA's Config API — the effective configuration in OPA's vocabulary
// ({"result": {labels, default_decision, bundles, decision_logs, server}}), secrets redacted.
// GET /v1/pdp/config: this service's own configuration, every secret redacted (what
// `pdp config` prints). Both need scope config:read: they show file paths and endpoints.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { DEFAULT_GZIP, DEFAULT_OPA } from '../../config/defaults.js';
import { redactConfig } from '../../config/redact.js';
import type { PdpConfig } from '../../config/types.js';
import { writeDocument } from '../opa/data-answer.js';
import { prettyOf } from '../opa/params.js';

const OBJECT = { 200: { type: 'object', additionalProperties: true } };

/** The settings OPA's config file has, under OPA's names. URLs are shown without credentials
 * (redactConfig already removed headers and tokens). */
export function opaConfigView(config: PdpConfig, labels: Readonly<Record<string, string>>): Record<string, unknown> {
  const redacted = redactConfig(config);
  const gzip = config.server.gzip ?? DEFAULT_GZIP;
  const bundles: Record<string, unknown> = {};
  for (const b of redacted.bundles) {
    bundles[b.name] = {
      ...(b.url !== undefined ? { resource: b.url } : {}),
      ...(b.oci !== undefined ? { resource: b.oci } : {}),
      ...(b.path !== undefined ? { resource: `file://${b.path}` } : {}),
      ...(b.poll_interval_ms !== undefined ? { polling: { min_delay_seconds: b.poll_interval_ms / 1000, max_delay_seconds: b.poll_interval_ms / 1000 } } : {}),
      ...(b.signing_key_id !== undefined ? { signing: { keyid: b.signing_key_id, ...(config.signing?.scope ? { scope: config.signing.scope } : {}) } } : {}),
      persist: config.persist_dir !== undefined,
    };
  }
  return {
    labels,
    default_decision: config.opa?.default_decision ?? DEFAULT_OPA.default_decision,
    bundles,
    decision_logs: { console: config.decision_log.stdout, ...(redacted.decision_log.url !== undefined ? { service: redacted.decision_log.url } : {}) },
    ...(config.persist_dir !== undefined ? { persistence_directory: config.persist_dir } : {}),
    ...(gzip ? { server: { encoding: { gzip: { min_length: gzip.min_length, compression_level: gzip.compression_level } } } } : {}),
  };
}

async function configApi(app: FastifyInstance, opts: { config: PdpConfig; labels: Readonly<Record<string, string>> }): Promise<void> {
  // Made once: the configuration does not change while the process runs.
  const own = { result: redactConfig(opts.config) };
  const opa = { result: opaConfigView(opts.config, opts.labels) };
  app.get('/v1/config', {
    config: { opaErrors: true },
    schema: { summary: "The effective configuration in OPA's vocabulary, secrets redacted (OPA Config API)", response: OBJECT },
    handler: async (request, reply) => writeDocument(reply, opa, prettyOf(request)),
  });
  app.get('/v1/pdp/config', {
    schema: { summary: "This service's effective configuration, secrets redacted (what `pdp config` prints)", response: OBJECT },
    handler: async () => own,
  });
}

export default fp(configApi, { name: 'pdp-config-api', fastify: '5.x' });
