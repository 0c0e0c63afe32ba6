// (b)/(c) The service exactly as `npm start` runs it (compiled dist/, start() from src/start.ts,
// configuration from the environment — PDP_WORKERS included: unset means the service's default;
// with workers this process is the cluster primary, and the benches read the CPU of this process
// and all its descendants). Prints {"url"} on stderr once listening.
import { existsSync } from 'node:fs';

const entry = new URL('../../dist/start.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('dist/start.js is missing: run `npm run build` (npm ci does it) first\n');
  process.exit(2);
}
// As bin/pdp.js does first: src/shared/tick-shape.ts.
(await import(new URL('../../dist/shared/tick-shape.js', import.meta.url).href)).keepTickObjectShape();
const { start } = await import(entry.href);
const s = await start([]);
// A single process answers with its url; a cluster primary with a promise of the shared url,
// settled once the first worker listens.
const url = s.url ?? (await s.listening);
process.stderr.write(`${JSON.stringify({ url, workers: process.env.PDP_WORKERS ?? null })}\n`);
