// A decision-log sink that hangs at shutdown (issue "Trust II"): records it never took were lost
// silently before (862 of 2,862). Now they are counted, logged with their count, and written to
// the spill file when one is configured.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import t from 'tap';
import { startServer } from '../../src/server.js';
import { startCollector } from '../helpers/collector.js';
import { testConfig } from '../helpers/config.js';
import { postJson } from '../helpers/http.js';

const example = JSON.parse(readFileSync(new URL('../../examples/tool-call/analytics-select.allow.json', import.meta.url), 'utf8')) as unknown;

t.test('records a hung sink never took are counted, logged and spilled at shutdown', async (t) => {
  const hung = await startCollector();
  t.teardown(() => hung.stop());
  hung.hang(true);
  const spill = join(t.testdir(), 'spill.jsonl');
  const lines: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const s = await startServer(
    testConfig({
      PDP_LOG_LEVEL: 'error',
      PDP_DECISION_LOG_URL: `${hung.url}/logs`,
      PDP_DECISION_LOG_UPLOAD_INTERVAL_MS: '50',
      PDP_DECISION_LOG_FLUSH_TIMEOUT_MS: '300',
      PDP_DECISION_LOG_SPILL_FILE: spill,
    }),
    { logStream },
  );
  const ids: string[] = [];
  for (let i = 0; i < 40; i++) ids.push(((await postJson(`${s.url}/v1/decisions/tool-call`, example)).json as { decision_id: string }).decision_id);
  await s.close();

  const spilled = readFileSync(spill, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { decision_id: string });
  t.same(spilled.map((r) => r.decision_id).sort(), [...ids].sort(), 'every record the sink never took is in the spill file');
  const logged = lines.map((l) => JSON.parse(l) as { msg: string; undelivered?: Record<string, number>; spilled?: number }).find((l) => l.undelivered);
  t.match(logged, { undelivered: { http: 40 }, spilled: 40 }, 'the loss is logged with its count');
  t.match(logged?.msg, /40 records not delivered/);
});
