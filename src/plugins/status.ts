// Capability: service status. Decorates `status`, where every other plugin adds its section of
// GET /v1/pdp/status, and serves GET /health (and OPA's forms), GET /ready, OPA's GET /v1/status
// and GET /v1/pdp/status (bundles from the policies plugin, read per request). Registered first, so every plugin after it can add a section.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { statusRoutes, type StatusRouteOptions } from '../api/routes/status.js';
import type { WorkerIdentity } from '../cluster/worker-link.js';

/** A named section of GET /v1/pdp/status (e.g. "cache", "decision_log"); called per status request. */
export type StatusSection = () => unknown;

export class StatusSections {
  private readonly sections = new Map<string, StatusSection>();

  add(name: string, section: StatusSection): void {
    if (name === 'ready' || name === 'bundles' || this.sections.has(name)) throw new Error(`status section name ${JSON.stringify(name)} is taken`);
    this.sections.set(name, section);
  }

  entries(): IterableIterator<[string, StatusSection]> {
    return this.sections.entries();
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    status: StatusSections;
  }
}

export interface StatusPluginOptions extends StatusRouteOptions {
  /** Who answers (server.workers > 1); without it, one process. */
  worker?: WorkerIdentity;
}

async function statusPlugin(app: FastifyInstance, opts: StatusPluginOptions = {}): Promise<void> {
  const sections = new StatusSections();
  app.decorate('status', sections);
  const w = opts.worker ?? { count: 1, id: 0, pid: process.pid };
  // How many processes serve, and which one answered this request.
  sections.add('workers', () => ({ count: w.count, answered_by: { id: w.id, pid: w.pid } }));
  statusRoutes(app, sections, opts);
}

export default fp(statusPlugin, { name: 'pdp-status', fastify: '5.x' });
