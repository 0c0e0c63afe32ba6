// evaluation.compile_js (PDP_EVAL_COMPILE_JS): the decision endpoints' documents compiled to
// JavaScript at activation answer every example exactly as the evaluator does, over HTTP.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { startServer } from '../../src/server.js';
import { testConfig } from '../helpers/config.js';
import { postJson } from '../helpers/http.js';

const repo = path.resolve(import.meta.dirname, '../..');

t.test('compiled decision documents answer every example as the evaluator does', async (t) => {
  const plain = await startServer(testConfig({ PDP_CACHE_ENABLED: 'false', PDP_EVAL_COMPILE_JS: 'false' }));
  const compiled = await startServer(testConfig({ PDP_CACHE_ENABLED: 'false', PDP_EVAL_COMPILE_JS: 'true' }));
  t.teardown(async () => {
    await plain.close();
    await compiled.close();
  });
  let n = 0;
  for (const kind of ['tool-call', 'model-deployment']) {
    const dir = path.join(repo, 'examples', kind);
    for (const name of (await readdir(dir)).filter((x) => x.endsWith('.json')).sort()) {
      const body: unknown = JSON.parse(await readFile(path.join(dir, name), 'utf8'));
      const a = await postJson(`${plain.url}/v1/decisions/${kind}`, body);
      const b = await postJson(`${compiled.url}/v1/decisions/${kind}`, body);
      t.equal(b.status, a.status, `${kind}/${name}: status`);
      const strip = (j: unknown): unknown => {
        const { decision_id: _id, ...rest } = j as Record<string, unknown>;
        return rest;
      };
      t.same(strip(b.json), strip(a.json), `${kind}/${name}: same answer`);
      n++;
    }
  }
  t.ok(n >= 30, `${n} examples`);
  // the Data API on a compiled path, and on one that is not compiled, answer as before
  const dir = path.join(repo, 'examples', 'tool-call');
  const first = (await readdir(dir)).filter((x) => x.endsWith('.json')).sort()[0] as string;
  const input: unknown = JSON.parse(await readFile(path.join(dir, first), 'utf8'));
  for (const p of ['ai/tools/decision', 'ai/tools/violations']) {
    const a = await postJson(`${plain.url}/v1/data/${p}`, { input });
    const b = await postJson(`${compiled.url}/v1/data/${p}`, { input });
    t.ok((a.json as { result?: unknown }).result !== undefined, `/v1/data/${p}: defined`);
    t.same((b.json as { result?: unknown }).result, (a.json as { result?: unknown }).result, `/v1/data/${p}`);
  }
});
