// `pdp config`: the effective configuration (defaults < PDP_CONFIG file < environment), validated
// as `pdp serve` would, with every secret redacted. Exit 2 with every problem listed when invalid.
import { parseArgs } from 'node:util';
import { stringify as toYaml } from 'yaml';
import { loadConfig } from '../../config/load.js';
import { redactConfig } from '../../config/redact.js';
import { ConfigError } from '../../config/types.js';
import { CliError, type CliIO } from '../io.js';

export async function configCommand(argv: string[], io: CliIO, env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { format: { type: 'string', short: 'f', default: 'yaml' }, config: { type: 'string', short: 'c' } },
    strict: true,
  });
  if (values.format !== 'yaml' && values.format !== 'json') throw new CliError('usage', `--format must be yaml or json (got ${JSON.stringify(values.format)})`);
  let loaded;
  try {
    loaded = loadConfig({ env, cwd: io.cwd, ...(values.config !== undefined ? { configFile: values.config } : {}) });
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(`pdp config: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  for (const w of loaded.warnings) io.err(`pdp config: warning: ${w}\n`);
  const shown = redactConfig(loaded.config);
  io.out(values.format === 'json' ? `${JSON.stringify(shown, null, 2)}\n` : toYaml(shown));
  return 0;
}
