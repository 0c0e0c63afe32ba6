// Runs the real service in a child process, with signal handling, for shutdown tests. A plugin
// registered after the built-in ones replaces the cache with one whose lookups take
// SLOW_CACHE_MS (a slow Redis, in effect), which keeps a request in flight long enough to
// deliver SIGTERM during it. Prints {"url"} on stdout once listening, and {"cache_lookup": n}
// when the n-th lookup starts (a test signals once a request is surely in flight).
import type { FastifyInstance } from 'fastify';
import type { DecisionCache } from '../../src/decisions/types.js';
import { buildApp, serve } from '../../src/server.js';
import { testConfig } from './config.js';

const delay = Number(process.env.SLOW_CACHE_MS ?? '0');
let lookups = 0;
const slowCache: DecisionCache = {
  get: () => {
    process.stdout.write(`${JSON.stringify({ cache_lookup: ++lookups })}\n`);
    return new Promise((resolve) => setTimeout(() => resolve(undefined), delay));
  },
  set: () => undefined,
};
const config = testConfig({
  PDP_BUNDLE_WATCH: 'false',
  ...(process.env.PDP_SHUTDOWN_TIMEOUT_MS ? { PDP_SHUTDOWN_TIMEOUT_MS: process.env.PDP_SHUTDOWN_TIMEOUT_MS } : {}),
});
const app = buildApp(config);
app.register(async (instance: FastifyInstance) => instance.pipeline.useCache(slowCache));
const s = await serve(app, config, { handleSignals: true });
process.stdout.write(`${JSON.stringify({ url: s.url })}\n`);
