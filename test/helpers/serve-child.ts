// Runs the real service in a child process, with signal handling, for shutdown tests. A cache
// whose lookups take SLOW_CACHE_MS (a slow Redis, in effect) keeps a request in flight long
// enough to deliver SIGTERM during it. Prints {"url"} on stdout once listening.
import type { DecisionCache } from '../../src/decisions/types.js';
import { startReal } from './real-server.js';

const delay = Number(process.env.SLOW_CACHE_MS ?? '0');
const slowCache: DecisionCache = {
  get: () => new Promise((resolve) => setTimeout(() => resolve(undefined), delay)),
  set: () => undefined,
};
const s = await startReal({
  env: { PDP_BUNDLE_WATCH: 'false', ...(process.env.PDP_SHUTDOWN_TIMEOUT_MS ? { PDP_SHUTDOWN_TIMEOUT_MS: process.env.PDP_SHUTDOWN_TIMEOUT_MS } : {}) },
  overrides: { handleSignals: true, cache: slowCache },
});
process.stdout.write(`${JSON.stringify({ url: s.url })}\n`);
