// The bundle the OPA compatibility suite (test/compat/) evaluates: a role list (array indexes),
// an allow rule, OPA's default decision at data.system.main, a rule that conflicts on demand, a
// builtin that fails (strict-builtin-errors) and custom health checks (data.system.health).
import { writeBundle } from './real-server.js';

export const COMPAT_BUNDLE: Record<string, string> = {
  '.manifest': JSON.stringify({ revision: 'compat-1' }),
  'roles/data.json': JSON.stringify({ admin: ['alice', 'bob'], viewer: ['carol'] }),
  'authz/policy.rego': [
    'package authz',
    '',
    'default allow := false',
    '',
    'allow if input.user in data.roles.admin',
    '',
    '# Conflicts (two values for one complete rule) when both flags are set.',
    'conflict := 1 if input.a',
    'conflict := 2 if input.b',
    '',
    '# A builtin error: undefined normally, an error with strict-builtin-errors.',
    'number := to_number(input.text)',
    '',
  ].join('\n'),
  'system/main.rego': ['package system', '', 'main := {"allowed": data.authz.allow} if input.user', ''].join('\n'),
  'system/health/health.rego': ['package system.health', '', 'ready if input.plugins_ready', '', 'custom := false', ''].join('\n'),
};

export function compatBundleDir(): string {
  return writeBundle(COMPAT_BUNDLE);
}
