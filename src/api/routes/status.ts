// Health and status, OPA's way and this service's own:
//   GET /health              OPA: 200 {} while the process serves; ?bundles → 500 until every
//                            configured bundle is active; ?plugins → 500 until every plugin is OK
//                            (?exclude-plugin=<name> leaves one out)
//   GET /health/{path}       OPA's custom health checks: data.system.health.<path> must be true
//                            (input: plugins_ready, plugin_state). /health/live and
//                            /health/ready answer from the built-in checks when the bundles
//                            define no such rule.
//   GET /ready               this service's readiness probe (a bundle is active)
//   GET /v1/status           OPA's status report ({"result": {labels, bundles, plugins}})
//   GET /v1/pdp/status       this service's richer view (bundles with engine, digest, errors,
//                            and the sections other plugins registered: cache, decision log…)
import { performance } from 'node:perf_hooks';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BundleStatus } from '../../bundles/types.js';
import type { StatusSections } from '../../plugins/status.js';
import { describeThrown } from '../../shared/errors.js';
import { instanceLabels } from '../../shared/instance.js';
import { ApiError } from '../errors.js';
import { writeDocument } from '../opa/data-answer.js';
import { flag, prettyOf } from '../opa/params.js';
import { peerOf } from '../peer.js';

const ERROR = { $ref: 'error.json#' };
const OPA_ERROR = { $ref: 'opa-error.json#' };
const HEALTH = { $ref: 'health-response.json#' };
const OPA = { opaErrors: true } as const;

export interface StatusRouteOptions {
  /** OPA's labels (src/shared/instance.ts; default: without configured labels). */
  labels?: Readonly<Record<string, string>>;
}

type PluginState = 'OK' | 'NOT_READY' | 'ERROR';

function unhealthy(message: string): ApiError {
  const err = new ApiError(500, 'NOT_READY', message);
  err.opa = { code: 'internal_error', health: true };
  return err;
}

export function statusRoutes(app: FastifyInstance, sections: StatusSections, opts: StatusRouteOptions = {}): void {
  const labels = opts.labels ?? instanceLabels(undefined);

  /** OPA's plugins this service has: the bundle loader, and each registered status section. */
  const pluginStates = (): Record<string, PluginState> => {
    const states: Record<string, PluginState> = { bundle: app.policies.ready() ? 'OK' : 'NOT_READY' };
    for (const [name, section] of sections.entries()) {
      try {
        section();
        states[name] = 'OK';
      } catch {
        states[name] = 'ERROR';
      }
    }
    return states;
  };

  app.get('/health', {
    config: OPA,
    schema: {
      summary: "Liveness (OPA's /health); ?bundles: every bundle active; ?plugins: every plugin OK",
      querystring: { type: 'object', properties: { bundles: {}, plugins: {}, 'exclude-plugin': {} } },
      response: { 200: HEALTH, 500: OPA_ERROR },
    },
    handler: async (request: FastifyRequest) => {
      const q = request.query as Record<string, unknown>;
      if (flag(q.bundles) && !app.policies.ready()) throw unhealthy('not all configured bundles have been activated');
      if (flag(q.plugins)) {
        const raw = q['exclude-plugin'];
        const excluded = new Set((Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String));
        const bad = Object.entries(pluginStates()).filter(([name, state]) => state !== 'OK' && !excluded.has(name));
        if (bad.length > 0) throw unhealthy(`plugins not ready: ${bad.map(([n]) => n).join(', ')}`);
      }
      return {};
    },
  });

  app.get('/health/*', {
    config: OPA,
    schema: { summary: 'OPA custom health check: data.system.health.<path> must be true', response: { 200: HEALTH, 500: OPA_ERROR } },
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const segs = ((request.params as Record<string, string | undefined>)['*'] ?? '').split('/').filter((s) => s !== '');
      if (segs.length === 0) throw unhealthy('no health check named');
      const states = pluginStates();
      const input = { plugins_ready: Object.values(states).every((s) => s === 'OK'), plugin_state: states };
      const answer = await app.pipeline.query({
        kind: 'data',
        path: ['system', 'health', ...segs].join('/'),
        input,
        strict: false,
        unrecorded: true,
        remoteAddress: peerOf(request).remoteAddress,
        caller: request.caller,
        receivedAt: performance.now() - reply.elapsedTime,
      });
      // Without a rule (or before any bundle), the built-in checks: live = the process serves
      // (never restart a pod for a bundle it cannot fetch yet), ready = bundles active.
      const builtin = segs.length === 1 && segs[0] === 'live' ? true : segs.length === 1 && segs[0] === 'ready' ? app.policies.ready() : false;
      let healthy: boolean;
      if (answer.ok && answer.defined) healthy = answer.result === true;
      else if (answer.ok || answer.code === 'NO_ACTIVE_POLICY') healthy = builtin;
      else healthy = false;
      if (!healthy) throw unhealthy(`health check data.system.health.${segs.join('.')} is not true`);
      return {};
    },
  });

  app.get('/ready', {
    schema: { summary: 'Readiness: a policy bundle is active', response: { 200: HEALTH, 503: ERROR } },
    handler: async () => {
      if (!app.policies.ready()) throw new ApiError(503, 'NOT_READY', 'no policy bundle is active yet');
      return { status: 'ready' };
    },
  });

  app.get('/v1/status', {
    config: OPA,
    schema: { summary: "OPA's status report: labels, bundles (active revision, activation, errors), plugins", response: { '4xx': OPA_ERROR } },
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const bundles: Record<string, unknown> = {};
      for (const b of app.policies.status()) bundles[b.name] = opaBundleStatus(b);
      const plugins = Object.fromEntries(Object.entries(pluginStates()).map(([name, state]) => [name, { state }]));
      return writeDocument(reply, { result: { labels, bundles, plugins } }, prettyOf(request));
    },
  });

  app.get('/v1/pdp/status', {
    schema: {
      summary: "Bundles (revision, engine, activation, last error) and other service sections (this service's view)",
      response: { 200: { $ref: 'status-response.json#' } },
    },
    handler: async () => {
      const out: Record<string, unknown> = { ready: app.policies.ready(), bundles: app.policies.status() };
      for (const [name, section] of sections.entries()) {
        try {
          out[name] = section();
        } catch (err) {
          // One broken section must not hide the others (or the bundles).
          out[name] = { error: describeThrown(err) };
        }
      }
      return out;
    },
  });
}

/** One bundle as OPA's status report has it. */
function opaBundleStatus(b: BundleStatus): Record<string, unknown> {
  return {
    name: b.name,
    ...(b.revision !== null ? { active_revision: b.revision } : {}),
    ...(b.activated_at !== null ? { last_successful_activation: b.activated_at, last_successful_download: b.activated_at } : {}),
    ...(b.last_attempt_at !== null ? { last_request: b.last_attempt_at } : {}),
    ...(b.last_error ? { code: 'bundle_error', message: b.last_error.message, errors: [{ code: b.last_error.code, message: b.last_error.message }] } : {}),
  };
}
