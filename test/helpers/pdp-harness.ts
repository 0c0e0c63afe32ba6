// Test support: the real service (startServer: every plugin, BundleManager on a bundle
// directory, the real Rego engine) with cache, Redis, decision log and tracing configured from
// an environment — the same wiring `pdp serve` uses — and the decision log's stdout sink captured.
import { PassThrough } from 'node:stream';
import type { Tracer } from '@opentelemetry/api';
import { startServer, type RunningServer } from '../../src/server.js';
import { writeTree } from './bundle-files.js';
import { testConfig } from './config.js';

export interface PdpUnderTest {
  url: string;
  server: RunningServer;
  /** Decision log lines the stdout sink wrote (parsed). */
  stdout: Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startPdp(opts: { bundleDir: string; env?: Record<string, string>; watch?: boolean; tracer?: Tracer }): Promise<PdpUnderTest> {
  const config = testConfig({
    PDP_BUNDLE_PATH: opts.bundleDir,
    PDP_BUNDLE_NAME: 'test',
    PDP_BUNDLE_WATCH: opts.watch ? 'true' : 'false',
    // The stdout sink is on (as in production) but captured below.
    PDP_DECISION_LOG_STDOUT: 'true',
    ...opts.env,
  });
  const stdout: Record<string, unknown>[] = [];
  const out = new PassThrough();
  let partial = '';
  out.on('data', (b: Buffer) => {
    const lines = (partial + b.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) if (l) stdout.push(JSON.parse(l) as Record<string, unknown>);
  });
  const server = await startServer(config, { decisionLogStdout: out, labels: { app: 'pdp-test' }, ...(opts.tracer ? { tracer: opts.tracer } : {}) });
  return { url: server.url, server, stdout, close: () => server.close() };
}

/** A small Rego bundle: tool-call decisions (with an erroring tool), a clock-dependent
 * deployment decision with valid_until, and a system.log.mask policy. */
export function testBundle(opts: { revision: string; allowedTools?: string[]; exceptionExpiresAt?: string }): Record<string, string> {
  return {
    '.manifest': JSON.stringify({ revision: opts.revision, roots: ['ai', 'system'] }),
    'ai/tools/policy.rego': `package ai.tools

default allow := false

allow if input.tool.name in data.ai.tools.allowed

# Two different values for one complete rule: an evaluation error (eval_conflict_error).
boom := 1 if input.tool.name == "boom"
boom := 2 if input.tool.name == "boom"

allow if {
  input.tool.name == "boom"
  boom > 0
}

reasons := [] if allow
else := [{"code": "TOOL_NOT_ALLOWED", "control": "AIGOV-TOOL-01", "message": sprintf("tool %s is not in the catalog", [input.tool.name])}]

decision := {"allow": allow, "reasons": reasons, "obligations": [], "exceptions_applied": []}
`,
    'ai/tools/data.json': JSON.stringify({ allowed: opts.allowedTools ?? ['read_file', 'send_email'] }),
    'ai/deployment/policy.rego': `package ai.deployment

expires_ns := time.parse_rfc3339_ns(data.ai.deployment.exception_expires_at)

active if time.now_ns() < expires_ns

# Allowed while the exception lasts; the decision says until when it holds.
decision := {"allow": true, "reasons": [], "obligations": [], "exceptions_applied": [{"id": "EXC-1", "expires_at": data.ai.deployment.exception_expires_at}], "valid_until": data.ai.deployment.exception_expires_at} if active
else := {"allow": false, "reasons": [{"code": "EXCEPTION_EXPIRED"}], "obligations": [], "exceptions_applied": []}

# Reads the clock but states no expiry: must never be cached.
undated := {"allow": active, "reasons": [], "obligations": [], "exceptions_applied": []}
`,
    'ai/deployment/data.json': JSON.stringify({ exception_expires_at: opts.exceptionExpiresAt ?? '2099-01-01T00:00:00Z' }),
    'system/log/mask.rego': `package system.log

# OPA's convention: the decision log record is the input; pointers address the record.
mask contains "/input/arguments/api_key"

mask contains {"op": "upsert", "path": "/input/user/email", "value": "[MASKED]"} if input.input.user.email
`,
  };
}

export async function writeBundle(dir: string, files: Record<string, string>): Promise<void> {
  await writeTree(dir, files);
}

export function toolCall(tool: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { agent: { id: 'support-bot', environment: 'prod' }, user: { id: 'u-17' }, tool: { name: tool }, arguments: { to: 'a@example.com' }, ...extra };
}

export const deployment = { model: { name: 'fraud-scorer', version: '3.2.0' }, deployment: { environment: 'prod' } };

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

export async function getJson(url: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
