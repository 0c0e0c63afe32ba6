// The service configuration for tests, loaded the production way (defaults < env), with what
// tests share: loopback, a free port, no log output, no decision-log lines on stdout (stdout is
// tap's), a generous evaluation budget (two cores shared by many processes). `env` overrides.
import { loadConfig } from '../../src/config/load.js';
import type { PdpConfig } from '../../src/config/types.js';

export function testConfig(env: Record<string, string> = {}): PdpConfig {
  return loadConfig({
    env: {
      PDP_HOST: '127.0.0.1',
      PDP_PORT: '0',
      PDP_LOG_LEVEL: 'silent',
      PDP_EVAL_TIMEOUT_MS: '10000',
      PDP_DECISION_LOG_STDOUT: 'false',
      ...env,
    },
  }).config;
}
