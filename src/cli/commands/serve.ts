// `pdp serve`: start the HTTP service (src/server.ts), configured like `pdp config` shows.
// Imported lazily: the other commands do not load fastify and the plugins.
import type { CliIO } from '../io.js';

export async function serveCommand(argv: string[], _io: CliIO): Promise<number> {
  const { start } = await import('../../server.js');
  await start(argv);
  return 0;
}
