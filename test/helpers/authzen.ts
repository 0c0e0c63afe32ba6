// AuthZEN tests: the real service on a free port with a bundle directory (the certification
// fixture by default), and the paths of ../shared/authzen (the specification's material, read
// only; tests that need it skip, saying so, when it is absent).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunningServer } from '../../src/server.js';
import { postJson, send, type HttpResult } from './http.js';
import { startReal } from './real-server.js';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');
export const CERTIFICATION_BUNDLE = path.join(repoRoot, 'examples', 'authzen-certification');
export const TODO_BUNDLE = path.join(repoRoot, 'examples', 'authzen-todo');
export const SHARED_AUTHZEN = path.resolve(repoRoot, '..', 'shared', 'authzen');
export const TODO_VECTORS = path.join(SHARED_AUTHZEN, 'interop', 'todo-decisions-1_0-02.json');

/** undefined when the file is there; else why the test that needs it skips. */
export function sharedMissing(file: string): string | undefined {
  return existsSync(file)
    ? undefined
    : `${path.relative(repoRoot, file)} is absent (../shared is not next to the repository): the spec's own vectors cannot be run`;
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export interface AuthzenServer {
  url: string;
  server: RunningServer;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<HttpResult>;
  get(path: string, headers?: Record<string, string>): Promise<HttpResult>;
  close(): Promise<void>;
}

export async function startAuthzen(opts: { bundleDir?: string; env?: Record<string, string> } = {}): Promise<AuthzenServer> {
  const server = await startReal({ bundleDir: opts.bundleDir ?? CERTIFICATION_BUNDLE, env: { PDP_BUNDLE_WATCH: 'false', ...opts.env } });
  return {
    url: server.url,
    server,
    post: (p, body, headers = {}) => postJson(server.url + p, body, headers),
    get: (p, headers = {}) => send(server.url + p, { headers }),
    close: () => server.close(),
  };
}

export const EVALUATION = '/access/v1/evaluation';
export const EVALUATIONS = '/access/v1/evaluations';
export const SEARCH_SUBJECT = '/access/v1/search/subject';
export const SEARCH_RESOURCE = '/access/v1/search/resource';
export const SEARCH_ACTION = '/access/v1/search/action';
export const WELL_KNOWN = '/.well-known/authzen-configuration';

export interface Decision {
  decision: boolean;
  context?: Record<string, unknown>;
}
