// `pdp serve`: start the HTTP service (src/server.ts). It is imported lazily so the other
// commands do not load its dependencies (fastify, OpenTelemetry, Redis client).
import { CliError, type CliIO } from '../io.js';

export async function serveCommand(argv: string[], io: CliIO, load: () => Promise<unknown> = loadServer): Promise<number> {
  let mod: unknown;
  try {
    mod = await load();
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && /server\.js/.test(String((e as Error).message))) {
      throw new CliError('unavailable', 'pdp serve: the service is not part of this build (src/server.ts is missing)');
    }
    throw e;
  }
  const start = ((mod ?? {}) as { start?: unknown }).start;
  if (typeof start !== 'function') throw new CliError('unavailable', 'pdp serve: src/server.ts does not export start()');
  io.err('pdp serve: starting (server.start)\n');
  await (start as (argv: string[]) => unknown)(argv);
  return 0;
}

function loadServer(): Promise<unknown> {
  return import('../../server.js');
}
