// `pdp serve`: start the HTTP service. The service lives in src/server.ts (another part of
// the repo); it is imported lazily so the other commands work without its dependencies.
import { CliError, type CliIO } from '../io.js';

type StartFn = (...args: unknown[]) => unknown;

/** The names a server module may export its start function under, in order of preference. */
const START_NAMES = ['start', 'startServer', 'main', 'serve'];

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
  const exports = (mod ?? {}) as Record<string, unknown>;
  const name = START_NAMES.find((n) => typeof exports[n] === 'function');
  if (!name) {
    throw new CliError('unavailable', `pdp serve: src/server.ts exports none of ${START_NAMES.join(', ')}`);
  }
  io.err(`pdp serve: starting (server.${name})\n`);
  await (exports[name] as StartFn)(argv);
  return 0;
}

async function loadServer(): Promise<unknown> {
  // A variable specifier keeps TypeScript from requiring the module at build time.
  const specifier = '../../server.js';
  return import(specifier);
}
