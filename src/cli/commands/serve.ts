// `pdp serve [--config FILE]`: start the HTTP service (src/start.ts), configured like `pdp config`
// shows. FILE may be a native config file or OPA's (`opa run -c`'s names -c/--config-file work
// too). Imported lazily: the other commands do not load fastify and the plugins.
import { parseArgs } from 'node:util';
import { CliError, type CliIO } from '../io.js';

export async function serveCommand(argv: string[], _io: CliIO): Promise<number> {
  let values: { config?: string; 'config-file'?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { config: { type: 'string', short: 'c' }, 'config-file': { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new CliError('usage', e instanceof Error ? e.message : String(e));
  }
  if (values.config !== undefined && values['config-file'] !== undefined) throw new CliError('usage', 'give --config or --config-file, not both');
  const configFile = values.config ?? values['config-file'];
  const { start } = await import('../../start.js');
  await start(configFile !== undefined ? { configFile } : {});
  return 0;
}
