// The service configuration for tests, loaded the production way (defaults < env), with what
// tests share: loopback, a free port, no log output, no decision-log lines on stdout (stdout is
// tap's), a generous evaluation budget (two cores shared by many processes). `env` overrides.
import { loadConfig } from '../../src/config/load.js';
import { ConfigError, type ConfigIssue, type PdpConfig } from '../../src/config/types.js';

export const TEST_ENV: Readonly<Record<string, string>> = {
  PDP_HOST: '127.0.0.1',
  PDP_PORT: '0',
  PDP_LOG_LEVEL: 'silent',
  PDP_EVAL_TIMEOUT_MS: '10000',
  PDP_DECISION_LOG_STDOUT: 'false',
};

export function testConfig(env: Record<string, string> = {}): PdpConfig {
  return loadConfig({ env: { ...TEST_ENV, ...env } }).config;
}

/** The issues loadConfig reports for this env (file paths resolved against cwd); [] when it loads. */
export function configIssues(env: Record<string, string>, cwd?: string): ConfigIssue[] {
  try {
    loadConfig({ env, ...(cwd !== undefined ? { cwd } : {}) });
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  return [];
}
