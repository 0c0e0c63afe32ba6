// The real service for tests: config loaded the production way, BundleManager over a bundle
// directory, the built-in Rego engine, fastify listening on 127.0.0.1:0.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server.js';
import { testConfig } from './config.js';

/** Writes a bundle directory (path → content) into a fresh temp dir and returns its path. */
export function writeBundle(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pdp-bundle-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** Starts the service on a free port. `bundleDir` defaults to the embedded policies/. */
export async function startReal(opts: { bundleDir?: string; env?: Record<string, string>; options?: ServerOptions } = {}): Promise<RunningServer> {
  const config = testConfig({ ...(opts.bundleDir ? { PDP_BUNDLE_PATH: opts.bundleDir, PDP_BUNDLE_NAME: 'test' } : {}), ...opts.env });
  return startServer(config, opts.options);
}
